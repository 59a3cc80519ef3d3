/*
 * svg.c - charts as inline SVG, drawn here: no JavaScript, nothing
 * fetched.  Axes with round gridline values, labels escaped like all
 * data, each point's value in its <title> (shown on hover).  The charts
 * are drawn in a fixed viewBox and scaled to their card's width.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "page.h"

static const char *const palette[] = { "#2f6fde", "#e8742c", "#2a9d5c",
	"#b04fc6", "#d23c4f", "#5b6b7f", "#c4a21d", "#1fa3a8" };

enum { W = 1100, H = 300, LEFT = 70, RIGHT = 24, TOP = 28, BOTTOM = 30,
	LEGEND = 22 };

static void
printfo(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
printfo(struct out *o, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_write(o, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

/* A round step for about four gridlines up to max. */
static double
nice_step(double max)
{
	double raw = max / 4, mag = pow(10, floor(log10(raw))), f = raw / mag;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* v, or lo when it is below (drawn on the axis). */
static double
clip(double v, double lo)
{
	return v < lo ? lo : v;
}

/* 1234567 -> "1.2M", for axis labels. */
static void
short_num(char *b, size_t n, double v)
{
	if (fabs(v) >= 1e9)
		snprintf(b, n, "%.3gB", v / 1e9);
	else if (fabs(v) >= 1e6)
		snprintf(b, n, "%.3gM", v / 1e6);
	else if (fabs(v) >= 1e3)
		snprintf(b, n, "%.3gk", v / 1e3);
	else
		snprintf(b, n, "%.3g", v);
}

/* A point's hover text: "label: value". */
static void
point_title(struct out *o, const char *series, const char *x, double v,
    int places)
{
	char num[64];

	fmt_amount(num, sizeof num, v, places);
	out_puts(o, "<title>");
	if (series != NULL && *series) {
		html_text(o, series);
		out_puts(o, " \xc2\xb7 ");
	}
	html_text(o, x);
	out_puts(o, ": ");
	out_puts(o, num);
	out_puts(o, "</title>");
}

void
svg_lines(struct out *o, const char *title, const struct series *s,
    size_t ns, size_t open, int places, double lo)
{
	double max = 0, step;
	size_t n = ns > 0 ? s[0].n : 0;
	const int top = TOP + (ns > 1 ? LEGEND : 0);
	const int pw = W - LEFT - RIGHT, ph = H - top - BOTTOM;
	char lab[32];
	int lx = LEFT;

	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++)
			if ((s[k].have == NULL || s[k].have[i]) && s[k].y[i] > max)
				max = s[k].y[i];
	if (max <= 0)
		max = 1;
	if (lo >= max)
		lo = 0;
	step = nice_step(max - lo);
	lo = floor(lo / step) * step;
	max = lo + ceil((max - lo) / step) * step;
	printfo(o, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
	    "font-size=\"12\">", W, H);
	out_puts(o, "<title>");
	html_text(o, title);
	out_puts(o, "</title>");
	printfo(o, "<text x=\"%d\" y=\"16\" font-size=\"14\" "
	    "font-weight=\"600\">", LEFT);
	html_text(o, title);
	out_puts(o, "</text>");
	/* The legend: a row under the title, clear of the axes. */
	for (size_t k = 0; k < ns && ns > 1; k++) {
		size_t len = strlen(s[k].name);

		printfo(o, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" "
		    "fill=\"%s\"/><text x=\"%d\" y=\"%d\">", lx, TOP + 1,
		    palette[k % 8], lx + 14, TOP + 10);
		html_text(o, s[k].name);
		out_puts(o, "</text>");
		lx += 14 + 7 * (int)(len < 40 ? len : 40) + 18;
	}
	for (double v = lo; v <= max + step / 2; v += step) {
		int y = top + ph - (int)lround((v - lo) / (max - lo) * ph);

		short_num(lab, sizeof lab, v);
		printfo(o, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
		    "stroke=\"#e3e6ea\"/><text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\" fill=\"#667\">%s</text>", LEFT,
		    W - RIGHT, y, y, LEFT - 6, y + 4, lab);
	}
	printfo(o, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
	    "stroke=\"#99a\"/>", LEFT, W - RIGHT, top + ph, top + ph);
	if (open < n) {
		/* The windows still open: shaded, named. */
		double x0 = LEFT + (n > 1 ? ((double)open - 0.5) / (double)(n - 1) *
		    pw : 0);

		if (x0 < LEFT)
			x0 = LEFT;
		printfo(o, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		    "height=\"%d\" fill=\"#f1f3f7\"><title>windows still open "
		    "(their values may still grow)</title></rect><text x=\"%d\" "
		    "y=\"%d\" text-anchor=\"end\" fill=\"#889\">open</text>", x0,
		    top, W - RIGHT - x0, ph, W - RIGHT - 2, top + 12);
	}
	/* x labels: first, middle, last. */
	for (int k = 0; k < 3 && n > 0; k++) {
		size_t i = k == 0 ? 0 : k == 1 ? n / 2 : n - 1;
		int x = LEFT + (n > 1 ? (int)lround((double)i / (double)(n - 1) *
		    pw) : pw / 2);

		if ((k == 1 && (i == 0 || i == n - 1)) || (k == 2 && n == 1))
			continue;
		printfo(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" "
		    "fill=\"#667\">", x, H - 10, n == 1 ? "middle" : k == 0 ?
		    "start" : k == 2 ? "end" : "middle");
		html_text(o, s[0].x[i]);
		out_puts(o, "</text>");
	}
	for (size_t k = 0; k < ns; k++) {
		const char *color = palette[k % 8];
		int pen = 0;

		/* Closed windows: a solid line through the points there;
		   from the last closed point into the open ones, dashed. */
		for (int dashed = 0; dashed < 2; dashed++) {
			size_t from = dashed ? (open > 0 ? open - 1 : 0) : 0;
			size_t to = dashed ? s[k].n : (open < s[k].n ? open :
			    s[k].n);

			if (dashed && open >= s[k].n)
				break;
			pen = 0;
			for (size_t i = from; i < to; i++) {
				double x = LEFT + (s[k].n > 1 ? (double)i /
				    (double)(s[k].n - 1) * pw : pw / 2.0);
				double y = top + ph - (clip(s[k].y[i], lo) - lo) /
				    (max - lo) * ph;

				if (s[k].have != NULL && !s[k].have[i]) {
					if (pen)
						out_puts(o, "\"/>");
					pen = 0;
					continue;
				}
				if (!pen)
					printfo(o, "<polyline fill=\"none\" "
					    "stroke=\"%s\" stroke-width=\"2\"%s "
					    "points=\"", color, dashed ?
					    " stroke-dasharray=\"5 4\"" : "");
				printfo(o, "%s%.1f,%.1f", pen ? " " : "", x, y);
				pen = 1;
			}
			if (pen)
				out_puts(o, "\"/>");
		}
		for (size_t i = 0; i < s[k].n; i++) {
			double x = LEFT + (s[k].n > 1 ? (double)i /
			    (double)(s[k].n - 1) * pw : pw / 2.0);
			double y = top + ph - (clip(s[k].y[i], lo) - lo) /
			    (max - lo) * ph;

			if (s[k].have != NULL && !s[k].have[i])
				continue;
			printfo(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" "
			    "fill=\"%s\" stroke=\"%s\">", x, y, s[k].n > 60 ?
			    "2" : "3.5", i >= open ? "#fff" : color, color);
			point_title(o, ns > 1 ? s[k].name : NULL, s[k].x[i],
			    s[k].y[i], places);
			out_puts(o, "</circle>");
		}
	}
	out_puts(o, "</svg>\n");
}

void
svg_bars(struct out *o, const char *title, const char **names,
    const double *values, size_t n, const char *prefix, int places)
{
	double max = 0;
	const int row = 26, label = 220, bw = W - label - 200;
	int h = TOP + (int)n * row + 10;
	char num[64];

	for (size_t i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	if (max <= 0)
		max = 1;
	printfo(o, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
	    "font-size=\"13\">", W, h);
	out_puts(o, "<title>");
	html_text(o, title);
	out_puts(o, "</title><text x=\"0\" y=\"16\" font-size=\"14\" "
	    "font-weight=\"600\">");
	html_text(o, title);
	out_puts(o, "</text>");
	for (size_t i = 0; i < n; i++) {
		int y = TOP + (int)i * row;
		int w = (int)lround((values[i] > 0 ? values[i] : 0) / max * bw);

		fmt_amount(num, sizeof num, values[i], places);
		out_puts(o, "<g><title>");
		html_text(o, names[i]);
		out_puts(o, ": ");
		if (prefix != NULL && *prefix) {
			html_text(o, prefix);
			out_putc(o, ' ');
		}
		out_puts(o, num);
		printfo(o, "</title><text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\">", label - 8, y + 16);
		html_text(o, names[i]);
		printfo(o, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" rx=\"2\" fill=\"%s\"/>", label, y + 4,
		    w > 1 ? w : 1, row - 8, palette[0]);
		printfo(o, "<text x=\"%d\" y=\"%d\" fill=\"#334\">",
		    label + w + 6, y + 16);
		if (prefix != NULL && *prefix) {
			html_text(o, prefix);
			out_putc(o, ' ');
		}
		out_puts(o, num);
		out_puts(o, "</text></g>");
	}
	out_puts(o, "</svg>\n");
}
