/*
 * pg_conn.c - pg-sink's connection to the server (pg_conn.h): libpq's
 * calls, their failures sorted by SQLSTATE, the connection made again
 * with pauses that grow to 2 s, and the question a retry asks when a
 * COMMIT went unanswered (txid_status), so a batch never lands twice.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "opts.h"
#include "pg_conn.h"

/* The server's words for the last failure (r's, else the connection's)
   into lastmsg and lastcode. */
static void
keep_error(struct pgc *c, const PGresult *r)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL, *d = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *col = r ? PQresultErrorField(r, PG_DIAG_COLUMN_NAME) :
	    NULL;
	const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	struct buf b = { 0 };

	if (m == NULL)
		m = PQerrorMessage(c->conn);
	buf_adds(&b, m);
	/* libpq's own messages end in a newline. */
	while (b.n > 0 && (b.p[b.n - 1] == '\n' || b.p[b.n - 1] == ' '))
		b.n--;
	if (col != NULL)
		buf_printf(&b, " (column %s)", col);
	if (d != NULL)
		buf_printf(&b, ": %s", d);
	free(c->lastmsg);
	c->lastmsg = estrdup(buf_cstr(&b));
	buf_free(&b);
	snprintf(c->lastcode, sizeof c->lastcode, "%s", code ? code : "");
}

/*
 * What a failed result means: the connection is gone (or going: the
 * server shutting down, a deadlock to try again), the data is at fault
 * (a class 22 data exception or 23 integrity violation, a value too big
 * for an index), or anything else, which ends the run.
 */
static enum pgc_res
classify(struct pgc *c, const PGresult *r)
{
	const char *s;

	keep_error(c, r);
	if (PQstatus(c->conn) != CONNECTION_OK)
		return PGC_LOST;
	s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (s == NULL)
		return PGC_LOST;
	if (strncmp(s, "08", 2) == 0 || strncmp(s, "57P", 3) == 0 ||
	    strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0 ||
	    strcmp(s, "53300") == 0)
		return PGC_LOST;
	if (strncmp(s, "22", 2) == 0 || strncmp(s, "23", 2) == 0 ||
	    strcmp(s, "54000") == 0)
		return PGC_DATA;
	return PGC_FATAL;
}

static void
no_notices(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int
pgc_connect(struct pgc *c, const char *target)
{
	static const char *const keys[] = { "connect_timeout",
	    "fallback_application_name", "dbname", NULL };
	const char *vals[] = { "10", "pg-sink", target, NULL };
	const char *h;

	if (c->conn != NULL)
		PQfinish(c->conn);
	/* Options in -D win over these defaults (read later). */
	c->conn = PQconnectdbParams(keys, vals, 1);
	h = PQhost(c->conn);
	if (PQstatus(c->conn) == CONNECTION_OK || c->where[0] == '\0')
		snprintf(c->where, sizeof c->where, "%s@%s:%s/%s",
		    PQuser(c->conn) ? PQuser(c->conn) : "",
		    h ? h : "", PQport(c->conn) ? PQport(c->conn) : "",
		    PQdb(c->conn) ? PQdb(c->conn) : "");
	if (PQstatus(c->conn) != CONNECTION_OK) {
		keep_error(c, NULL);
		return -1;
	}
	/* "relation already exists, skipping" and the like: not news. */
	PQsetNoticeProcessor(c->conn, no_notices, NULL);
	/* Our text is UTF-8, whatever the environment says. */
	if (PQsetClientEncoding(c->conn, "UTF8") != 0) {
		keep_error(c, NULL);
		return -1;
	}
	return 0;
}

static void
nap(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

int
pgc_reconnect(struct pgc *c, const char *target, double deadline)
{
	double wait = 0.1;

	for (;;) {
		if (stop_requested)
			return pgc_fail(c, "stopped while the server was gone");
		if (pgc_connect(c, target) == 0)
			return 0;
		if (now_seconds() + wait > deadline)
			return pgc_fail(c, "the server did not come back");
		nap(wait);
		wait = wait * 2 > 2 ? 2 : wait * 2;
	}
}

int
pgc_up(const struct pgc *c)
{
	return PQstatus(c->conn) == CONNECTION_OK;
}

void
pgc_close(struct pgc *c)
{
	free(c->lastmsg);
	c->lastmsg = NULL;
	PQfinish(c->conn);
	c->conn = NULL;
}

enum pgc_res
pgc_run(struct pgc *c, const char *sql, int np, const char *const *params,
    PGresult **out)
{
	PGresult *r = PQexecParams(c->conn, sql, np, NULL, params, NULL, NULL,
	    0);
	ExecStatusType st = PQresultStatus(r);
	enum pgc_res res = PGC_OK;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		res = classify(c, r);
	if (out != NULL && res == PGC_OK)
		*out = r;
	else
		PQclear(r);
	return res;
}

enum pgc_res
pgc_do(struct pgc *c, const char *sql)
{
	return pgc_run(c, sql, 0, NULL, NULL);
}

enum pgc_res
pgc_exec(struct pgc *c, const char *sql, ExecStatusType want)
{
	PGresult *r = PQexec(c->conn, sql);
	enum pgc_res res = PGC_OK;

	if (PQresultStatus(r) != want)
		res = classify(c, r);
	PQclear(r);
	return res;
}

enum pgc_res
pgc_copy_send(struct pgc *c, const char *s, size_t n)
{
	if (n > 0 && PQputCopyData(c->conn, s, (int)n) != 1) {
		keep_error(c, NULL);
		return PGC_LOST;
	}
	return PGC_OK;
}

enum pgc_res
pgc_copy_end(struct pgc *c)
{
	PGresult *r;
	enum pgc_res res = PGC_OK;

	if (PQputCopyEnd(c->conn, NULL) != 1) {
		keep_error(c, NULL);
		return PGC_LOST;
	}
	while ((r = PQgetResult(c->conn)) != NULL) {
		if (res == PGC_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
			res = classify(c, r);
		PQclear(r);
	}
	return res;
}

void
pgc_copy_abandon(struct pgc *c)
{
	PGresult *r;

	if (PQtransactionStatus(c->conn) != PQTRANS_ACTIVE)
		return;
	PQputCopyEnd(c->conn, "abandoned");
	while ((r = PQgetResult(c->conn)) != NULL)
		PQclear(r);
}

/* txid_status's answer for xid: 1 committed, 2 in progress, 0 neither;
   -1 when it cannot be asked. */
static int
ask_committed(struct pgc *c, const char *xid)
{
	PGresult *r = NULL;
	enum pgc_res res;
	int yes;

	res = pgc_run(c, "SELECT txid_status($1::bigint)", 1, &xid, &r);
	/* "In the future": a server that crashed before its log held the
	   id gave out none past it since; it did not commit. */
	if (res == PGC_DATA && strcmp(c->lastcode, "22023") == 0)
		return 0;
	if (res != PGC_OK)
		return -1;
	yes = !PQgetisnull(r, 0, 0) && strcmp(PQgetvalue(r, 0, 0),
	    "committed") == 0;
	/* The old session still ending: ask again. */
	if (!PQgetisnull(r, 0, 0) && strcmp(PQgetvalue(r, 0, 0),
	    "in progress") == 0)
		yes = 2;
	PQclear(r);
	return yes;
}

int
pgc_committed(struct pgc *c, const char *xid, double deadline)
{
	int yes;

	while ((yes = ask_committed(c, xid)) == 2 && now_seconds() < deadline)
		nap(0.2);
	return yes;
}

int
pgc_fail(const struct pgc *c, const char *what)
{
	diag("%s: %s%s%s", c->where, what ? what : "", what ? ": " : "",
	    c->lastmsg ? c->lastmsg : "failed");
	return -1;
}
