/*
 * svg.c - charts as inline SVG, drawn here: no JavaScript, nothing
 * fetched.  Axes with round gridline values, labels escaped like all
 * data.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "page.h"

static const char *const palette[] = { "#2f6fde", "#e8742c", "#2a9d5c",
	"#b04fc6", "#d23c4f", "#5b6b7f", "#c4a21d", "#1fa3a8" };

enum { W = 760, H = 260, LEFT = 70, RIGHT = 20, TOP = 28, BOTTOM = 36 };

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

void
svg_lines(struct out *o, const char *title, const struct series *s,
    size_t ns)
{
	double max = 0, step;
	size_t n = ns > 0 ? s[0].n : 0;
	const int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
	char lab[32];

	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++)
			if (s[k].y[i] > max)
				max = s[k].y[i];
	if (max <= 0)
		max = 1;
	step = nice_step(max);
	max = ceil(max / step) * step;
	printfo(o, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" font-size=\"11\">", W, H, W, H);
	out_puts(o, "<title>");
	html_text(o, title);
	out_puts(o, "</title>");
	printfo(o, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"600\">",
	    LEFT);
	html_text(o, title);
	out_puts(o, "</text>");
	for (double v = 0; v <= max + step / 2; v += step) {
		int y = TOP + ph - (int)lround(v / max * ph);

		short_num(lab, sizeof lab, v);
		printfo(o, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
		    "stroke=\"#e3e6ea\"/><text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\" fill=\"#667\">%s</text>", LEFT,
		    W - RIGHT, y, y, LEFT - 6, y + 4, lab);
	}
	printfo(o, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
	    "stroke=\"#99a\"/>", LEFT, W - RIGHT, TOP + ph, TOP + ph);
	/* x labels: first, middle, last. */
	for (int k = 0; k < 3 && n > 0; k++) {
		size_t i = k == 0 ? 0 : k == 1 ? n / 2 : n - 1;
		int x = LEFT + (n > 1 ? (int)lround((double)i / (double)(n - 1) *
		    pw) : pw / 2);

		if (k == 1 && (i == 0 || i == n - 1))
			continue;
		printfo(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" "
		    "fill=\"#667\">", x, H - 12, k == 0 ? "start" : k == 2 ?
		    "end" : "middle");
		html_text(o, s[0].x[i]);
		out_puts(o, "</text>");
	}
	for (size_t k = 0; k < ns; k++) {
		const char *color = palette[k % 8];

		printfo(o, "<polyline fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"2\" points=\"", color);
		for (size_t i = 0; i < s[k].n; i++) {
			double x = LEFT + (s[k].n > 1 ? (double)i /
			    (double)(s[k].n - 1) * pw : pw / 2.0);
			double y = TOP + ph - s[k].y[i] / max * ph;

			printfo(o, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		out_puts(o, "\"/>");
		if (ns > 1) {
			printfo(o, "<rect x=\"%d\" y=\"%d\" width=\"10\" "
			    "height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">",
			    LEFT + 10 + (int)k * 130, H - 30 + 0, color,
			    LEFT + 24 + (int)k * 130, H - 21);
			html_text(o, s[k].name);
			out_puts(o, "</text>");
		}
	}
	out_puts(o, "</svg>\n");
}

void
svg_bars(struct out *o, const char *title, const char **names,
    const double *values, size_t n, const char *currency)
{
	double max = 0;
	const int row = 24, label = 200, bw = W - label - 140;
	int h = TOP + (int)n * row + 10;
	char num[64];

	for (size_t i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	if (max <= 0)
		max = 1;
	printfo(o, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" font-size=\"12\">", W, h, W, h);
	out_puts(o, "<title>");
	html_text(o, title);
	out_puts(o, "</title><text x=\"0\" y=\"16\" font-size=\"13\" "
	    "font-weight=\"600\">");
	html_text(o, title);
	out_puts(o, "</text>");
	for (size_t i = 0; i < n; i++) {
		int y = TOP + (int)i * row;
		int w = (int)lround(values[i] / max * bw);

		printfo(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    label - 8, y + 15);
		html_text(o, names[i]);
		printfo(o, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" rx=\"2\" fill=\"%s\"/>", label, y + 3,
		    w > 1 ? w : 1, row - 8, palette[0]);
		fmt_amount(num, sizeof num, values[i], 2);
		printfo(o, "<text x=\"%d\" y=\"%d\" fill=\"#334\">", label + w + 6,
		    y + 15);
		if (currency != NULL && *currency) {
			html_text(o, currency);
			out_putc(o, ' ');
		}
		out_puts(o, num);
		out_puts(o, "</text>");
	}
	out_puts(o, "</svg>\n");
}
