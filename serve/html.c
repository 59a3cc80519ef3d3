/*
 * html.c - the dashboard's HTML: every piece of data escaped, one small
 * stylesheet, one small script that updates the page in place.
 */
#include <stdio.h>
#include <string.h>

#include "page.h"

/* The characters that are markup; entities[k] is markup[k] as HTML must
   see it (rows of 8 bytes: out_write's widest move stays in one, as the
   compiler checks). */
static const char markup[] = "&<>\"'";
static const char entities[][8] = { "&amp;", "&lt;", "&gt;", "&quot;",
	"&#39;" };

void
html_textn(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *m = s[i] != '\0' ? strchr(markup, s[i]) : NULL;

		if (m != NULL)
			out_puts(o, entities[m - markup]);
		else
			out_putc(o, s[i]);
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
 * The page's only inline style and script.  The Content-Security-Policy
 * admits them by their hashes, so any other style or script a page might
 * carry is refused: change one, change its hash (tests/dashboard.t
 * checks they agree).  The script asks
 * the view's JSON every data-refresh seconds and puts the tiles' new
 * values in place; when that JSON changed, it fetches the page and swaps
 * the cards marked data-live (charts, tables) for the new ones.  Without
 * JavaScript the page reloads whole (the refresh in <noscript>).
 */
#define PAGE_STYLE \
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f5f6f" \
	"8;color:#1d2330}header{background:#1d2330;color:#fff;padding:10px " \
	"20px;display:flex;gap:20px;align-items:baseline}header a{color:#9f" \
	"b3c8;text-decoration:none}header a.on{color:#fff;font-weight:600}m" \
	"ain{padding:16px 20px;max-width:1200px}.tiles{display:flex;gap:12p" \
	"x;flex-wrap:wrap}.tile{background:#fff;border-radius:6px;padding:1" \
	"2px 16px;min-width:150px;box-shadow:0 1px 2px #0002}.tile b{displa" \
	"y:block;font-size:22px;white-space:nowrap}.tile span{color:#667}.c" \
	"ard{background:#fff;border-radius:6px;padding:12px 16px;margin-top" \
	":14px;box-shadow:0 1px 2px #0002}.card h3{margin:4px 0 8px}.scroll" \
	"{overflow-x:auto}svg.chart{display:block;width:100%;height:auto}ta" \
	"ble{border-collapse:collapse}td,th{padding:3px 10px;text-align:lef" \
	"t;border-bottom:1px solid #eee;white-space:nowrap}th{font-weight:6" \
	"00;color:#445}td.n,th.n{text-align:right;font-variant-numeric:tabu" \
	"lar-nums}td.w{white-space:normal;min-width:240px}.HEALTHY{color:#1" \
	"a7f37}.DEGRADED{color:#b35900}.ERROR{color:#c62828}.NO_DATA{color:" \
	"#667}nav.tables{margin-bottom:10px}nav.tables a{margin-right:12px}"
#define PAGE_STYLE_HASH "sha256-WmfbmHdWrtsXavNiLg5O42oIGGI9aFQz8x2hJtOUwVo="
#define PAGE_SCRIPT \
	"(function(){var m=document.querySelector(\"main\"),u=m.getAttribut" \
	"e(\"data-json\"),p=1000*m.getAttribute(\"data-refresh\"),last=\"\"" \
	";function cards(){return fetch(location.href,{cache:\"no-store\"})" \
	".then(function(r){return r.text()}).then(function(h){var d=new DOM" \
	"Parser().parseFromString(h,\"text/html\");document.querySelectorAl" \
	"l(\"[data-live]\").forEach(function(e){var n=d.getElementById(e.id" \
	");if(n)e.replaceWith(document.adoptNode(n))})})}function tick(){fe" \
	"tch(u,{cache:\"no-store\"}).then(function(r){return r.text()}).the" \
	"n(function(s){var j=JSON.parse(s),go=s!==last;last=s;if(j.status!=" \
	"=\"NO_DATA\"&&document.getElementById(\"nodata\")){location.reload" \
	"();return}(j.tiles||[]).forEach(function(t){var e=document.getElem" \
	"entById(\"tile-\"+t.key);if(e){e.textContent=t.text;if(t.status)e." \
	"className=t.status}});m.setAttribute(\"data-updates\",1+ +(m.getAt" \
	"tribute(\"data-updates\")||0));return go?cards():null}).catch(func" \
	"tion(){}).then(function(){setTimeout(tick,p)})}if(p>0)setTimeout(t" \
	"ick,p)})();"
#define PAGE_SCRIPT_HASH "sha256-9k2Gse9Afrk9ZLqu9N+/HMwAk4lHSE08qdI+NUYTFtw="

const char page_csp[] = "default-src 'none'; style-src '" PAGE_STYLE_HASH
	"'; script-src '" PAGE_SCRIPT_HASH "'; connect-src 'self'; "
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

static void
nav_link(struct out *o, const char *view, const char *label, const char *active)
{
	out_puts(o, "<a href=\"?view=");
	out_puts(o, view);
	out_puts(o, "\"");
	out_puts(o, strcmp(active, view) == 0 ? " class=\"on\"" : "");
	out_puts(o, ">");
	out_puts(o, label);
	out_puts(o, "</a>");
}

void
page_begin(struct out *o, const char *title, int refresh, const char *active,
    const char *json)
{
	char n[32];

	snprintf(n, sizeof n, "%d", refresh > 0 ? refresh : 0);
	out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">");
	if (refresh > 0) {
		out_puts(o, "<noscript><meta http-equiv=\"refresh\" content=\"");
		out_puts(o, n);
		out_puts(o, "\"></noscript>");
	}
	out_puts(o, "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>");
	html_text(o, title);
	out_puts(o, "</title><style>" PAGE_STYLE "</style></head><body>"
	    "<header><strong>");
	html_text(o, title);
	out_puts(o, "</strong>");
	nav_link(o, "batch", "Batch", active);
	nav_link(o, "stream", "Stream", active);
	nav_link(o, "quality", "Quality", active);
	out_puts(o, "</header><main");
	if (json != NULL && refresh > 0) {
		out_puts(o, " data-refresh=\"");
		out_puts(o, n);
		out_puts(o, "\" data-json=\"");
		html_text(o, json);
		out_puts(o, "\"");
	}
	out_puts(o, ">\n");
}

void
page_end(struct out *o)
{
	out_puts(o, "</main><script>" PAGE_SCRIPT "</script></body></html>\n");
}
