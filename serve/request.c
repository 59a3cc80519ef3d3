/*
 * request.c - what a request may ask (a whitelist: anything else is a
 * 404), and the header every answer carries.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"

static const char *const views[] = { "batch", "stream", "quality" };

int
parse_query(const char *qs, struct req *rq)
{
	char *copy = estrdup(qs ? qs : ""), *tok, *save = NULL;
	int rc = 0;

	for (tok = strtok_r(copy, "&", &save); tok && rc == 0;
	    tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : "";
		size_t n = strlen(v), i;

		if (eq)
			*eq = '\0';
		if (strcmp(tok, "view") == 0) {
			for (i = 0; i < sizeof views / sizeof *views; i++)
				if (strcmp(v, views[i]) == 0)
					break;
			if (i == sizeof views / sizeof *views)
				rc = -1;
			else
				rq->view = views[i];
		} else if (strcmp(tok, "format") == 0 && strcmp(v, "json") == 0)
			rq->json = 1;
		else if (strcmp(tok, "format") == 0 && strcmp(v, "html") == 0)
			rq->json = 0;
		else if (strcmp(tok, "refresh") == 0 && n > 0 && n <= 4 &&
		    strspn(v, "0123456789") == n)
			rq->refresh = atoi(v);
		else if (strcmp(tok, "table") == 0 && n > 0 && n < sizeof
		    rq->table && strspn(v, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n)
			memcpy(rq->table, v, n + 1);
		else
			rc = -1;
	}
	free(copy);
	return rc;
}

void
header(struct out *o, const char *status, int json)
{
	out_puts(o, "Status: ");
	out_puts(o, status);
	out_puts(o, json ? "\r\nContent-Type: application/json\r\n" :
	    "\r\nContent-Type: text/html; charset=utf-8\r\n");
	out_puts(o, "Content-Security-Policy: ");
	out_puts(o, page_csp);
	out_puts(o, "\r\nX-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n");
	if (strncmp(status, "405", 3) == 0)
		out_puts(o, "Allow: GET, HEAD\r\n");
	out_puts(o, "Cache-Control: no-store\r\n\r\n");
}
