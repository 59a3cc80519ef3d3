/*
 * html.c - the dashboard's HTML: every piece of data escaped, one small
 * stylesheet, a page that refreshes itself.
 */
#include <stdio.h>
#include <string.h>

#include "page.h"

void
html_textn(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			out_puts(o, "&amp;");
			break;
		case '<':
			out_puts(o, "&lt;");
			break;
		case '>':
			out_puts(o, "&gt;");
			break;
		case '"':
			out_puts(o, "&quot;");
			break;
		case '\'':
			out_puts(o, "&#39;");
			break;
		default:
			out_putc(o, s[i]);
		}
	}
}

void
html_text(struct out *o, const char *s)
{
	if (s != NULL)
		html_textn(o, s, strlen(s));
}

void
fmt_amount(char *buf, size_t size, double v, int places)
{
	char digits[64], *p;
	int neg = v < 0, len, intlen, k = 0;

	snprintf(digits, sizeof digits, "%.*f", places, neg ? -v : v);
	p = strchr(digits, '.');
	intlen = p ? (int)(p - digits) : (int)strlen(digits);
	len = (int)strlen(digits);
	if (neg && k < (int)size - 1)
		buf[k++] = '-';
	for (int i = 0; i < len; i++) {
		int comma = i > 0 && i < intlen && (intlen - i) % 3 == 0;

		/* Room for the comma and the digit, and the NUL after. */
		if (k + comma + 1 > (int)size - 1)
			break;
		if (comma)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
}

/*
 * The page's only inline style (no script at all).  The Content-Security-
 * Policy admits it by its hash, so any other style or script a page might
 * carry is refused: change one, change the other (tests/dashboard.t
 * checks they agree).
 */
#define PAGE_STYLE \
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f5f6f8;" \
	"color:#1d2330}" \
	"header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;" \
	"gap:20px;align-items:baseline}" \
	"header a{color:#9fb3c8;text-decoration:none}header a.on{color:#fff;" \
	"font-weight:600}main{padding:16px 20px;max-width:1100px}" \
	".tiles{display:flex;gap:12px;flex-wrap:wrap}" \
	".tile{background:#fff;border-radius:6px;padding:12px 16px;" \
	"min-width:150px;box-shadow:0 1px 2px #0002}" \
	".tile b{display:block;font-size:22px}.tile span{color:#667}" \
	".card{background:#fff;border-radius:6px;padding:12px 16px;" \
	"margin-top:14px;box-shadow:0 1px 2px #0002}" \
	"table{border-collapse:collapse}td,th{padding:3px 10px;text-align:" \
	"left;border-bottom:1px solid #eee}td.n{text-align:right}" \
	".HEALTHY{color:#1a7f37}.DEGRADED{color:#b35900}.NO_DATA{color:#667}"
#define PAGE_STYLE_HASH "sha256-3I8/SYIDFX7QqoLl9V/we4oFyzG4CkUtdzbNLPKZSIs="

const char page_csp[] = "default-src 'none'; style-src '" PAGE_STYLE_HASH
	"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void
page_begin(struct out *o, const char *title, int refresh, const char *active)
{
	char n[32];

	out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">");
	if (refresh > 0) {
		snprintf(n, sizeof n, "%d", refresh);
		out_puts(o, "<meta http-equiv=\"refresh\" content=\"");
		out_puts(o, n);
		out_puts(o, "\">");
	}
	out_puts(o, "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>");
	html_text(o, title);
	out_puts(o, "</title><style>" PAGE_STYLE "</style></head><body><header><strong>");
	html_text(o, title);
	out_puts(o, "</strong><a href=\"?view=batch\"");
	out_puts(o, strcmp(active, "batch") == 0 ? " class=\"on\"" : "");
	out_puts(o, ">Batch</a><a href=\"?view=stream\"");
	out_puts(o, strcmp(active, "stream") == 0 ? " class=\"on\"" : "");
	out_puts(o, ">Stream</a></header><main>\n");
}

void
page_end(struct out *o)
{
	out_puts(o, "</main></body></html>\n");
}
