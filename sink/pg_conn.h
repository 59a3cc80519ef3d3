/*
 * pg_conn.h - pg-sink's connection to the server: made from -D (libpq
 * fills in what it leaves out), made again after it is lost, until a
 * deadline; statements run, and what a failure means sorted out (the
 * connection lost, the data at fault, anything else), the server's
 * words for it kept for the reject or the message that ends the run.
 */
#ifndef SLUICE_PG_CONN_H
#define SLUICE_PG_CONN_H

#include <libpq-fe.h>
#include <stddef.h>

/* How a statement went. */
enum pgc_res {
	PGC_OK,
	PGC_DATA,	/* the data at fault: a row to reject */
	PGC_LOST,	/* the connection is gone (or going): try again */
	PGC_FATAL	/* anything else: the run ends */
};

struct pgc {
	PGconn *conn;		/* NULL before the first connection */
	char where[256];	/* user@host:port/db, for messages */
	char *lastmsg;		/* the server's last error, or NULL */
	char lastcode[6];	/* its SQLSTATE, or "" */
};

/* Connect to target (-D; NULL: libpq's defaults), dropping the old
   connection: 0, or -1 (why in lastmsg, not reported). */
int pgc_connect(struct pgc *c, const char *target);

/* Connect again, tried with growing pauses until deadline (now_seconds)
   or a stop: 0, or -1 (reported). */
int pgc_reconnect(struct pgc *c, const char *target, double deadline);

/* Is the connection up? */
int pgc_up(const struct pgc *c);

/* The connection closed and what c holds freed. */
void pgc_close(struct pgc *c);

/* Run sql with np text parameters (params may be NULL): PGC_OK, or what
   went wrong.  *out (when out is not NULL) gets an PGC_OK result's
   rows, for the caller to PQclear. */
enum pgc_res pgc_run(struct pgc *c, const char *sql, int np,
    const char *const *params, PGresult **out);

/* Run sql, no parameters: pgc_run's answer. */
enum pgc_res pgc_do(struct pgc *c, const char *sql);

/* Run sql by the simple protocol (it may be several statements): PGC_OK
   when its last result's status is want, else what went wrong. */
enum pgc_res pgc_exec(struct pgc *c, const char *sql, ExecStatusType want);

/* Send n bytes of an open COPY's data: PGC_OK, or PGC_LOST. */
enum pgc_res pgc_copy_send(struct pgc *c, const char *s, size_t n);

/* End an open COPY: PGC_OK when the server took every row, else what
   went wrong. */
enum pgc_res pgc_copy_end(struct pgc *c);

/* End a COPY still open without its rows (before a rollback). */
void pgc_copy_abandon(struct pgc *c);

/*
 * Did transaction xid, whose COMMIT went unanswered, commit, by the
 * server's word (txid_status)?  Asked again while the old session is
 * still ending, until deadline: 1, 0 (it did not: send it again), 2
 * (still not known), or -1 (cannot ask).  A server that crashed before
 * its log held xid forgets it and may give the id to another
 * transaction since: 1 may be that one's (pg-sink.c looks further).
 */
int pgc_committed(struct pgc *c, const char *xid, double deadline);

/* Say "where: what: the server's last error" (what may be NULL): -1. */
int pgc_fail(const struct pgc *c, const char *what);

#endif
