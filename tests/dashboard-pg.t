#!/bin/sh
# dashboard.cgi over PostgreSQL (SLUICE_DB a URI or a connection string):
# the same data in a SQLite warehouse and in a throwaway PostgreSQL server
# (tests/pg.sh), typed as PostgreSQL types them (bigint, double
# precision, NUMERIC(18,2), boolean, date, timestamptz, jsonb, a SERIAL
# id), and every view's answer, JSON and HTML, headers and all, compared
# byte for byte; the warehouse's summaries on both, kept through writes
# (and --prepare, until the next release, making them again); a
# hostile value never in the SQL's text (the server's own log of every
# statement); a server that is not there said, on standard error and on
# the page.  The warehouses are tests/dashboard-fixtures.sh's and
# tests/dashboard.t's, loaded by tests/dashboard-pg-load.sh.
. "$SLUICE_TOP/tests/lib.sh"
. "$SLUICE_TOP/tests/pg.sh"
. "$SLUICE_TOP/tests/dashboard-fixtures.sh"
. "$SLUICE_TOP/tests/dashboard-pg-load.sh"
CGI=$(prog dashboard.cgi)
pg_up || { echo "Bail out! no PostgreSQL server"; exit 1; }
# Every statement in the server's log, with its parameters apart.
psql_q "ALTER SYSTEM SET log_statement = 'all'" && psql_q "SELECT pg_reload_conf()" >/dev/null

# answer DB QUERY: the CGI's whole answer (headers and body) to $T/resp.
answer() {
    QUERY_STRING=$2 REQUEST_METHOD=GET SLUICE_DB=$1 SLUICE_CURRENCY=INR SLUICE_CACHE= \
        $SLUICE_WRAP "$CGI" >"$T/resp" 2>"$T/cgi.err"
    rc=$?
}
# same SQLITE PG QUERY LABEL: both answers byte-identical, exit 0 both.
same() {
    answer "$1" "$3"
    src=$rc
    cp "$T/resp" "$T/lite"
    answer "$2" "$3"
    cp "$T/resp" "$T/pg"
    is "$src:$rc:$(head -n 1 "$T/pg" | tr -d '\r')" "0:0:Status: 200 OK" "$4: 200, exit 0 on both"
    is_file "$T/pg" "$T/lite" "  ?$3: the same answer from PostgreSQL as from SQLite"
}

# --- The batch and stream warehouse (the database "sluice") -----------------------
WH=$T/wh.db
$SLUICE_WRAP "$(prog schema-gen)" -q retail --per-day 500 --days 5 >"$T/orders.csv"
printf 'order_id,order_date,store_id,store_city,product,quantity,unit_price,amount\n' >"$T/evil.csv"
printf 'X1,2025-01-19,S,City,<script>alert(1)</script>,1,1.00,999999.00\n' >>"$T/evil.csv"
$SLUICE_WRAP "$(prog batch-agg)" -q --kpis "$T/kpis.csv" "$T/orders.csv" "$T/evil.csv" >"$T/daily.csv"
# As JSON Lines, what a sink reads (CSV's numbers are JSON's numbers).
csv2jsonl() { python3 -c 'import csv, json, sys
for r in csv.DictReader(sys.stdin):
    print(json.dumps({k: (float(v) if k in sys.argv[1:] else v) for k, v in r.items()}))' "$@"; }
csv2jsonl total_amount <"$T/daily.csv" >"$T/daily.jsonl"
csv2jsonl total_revenue distinct_products records <"$T/kpis.csv" >"$T/kpis.jsonl"
load_both "$WH" batch_daily "$T/daily.jsonl" order_date:date "total_amount:NUMERIC(18,2)"
load_both "$WH" batch_kpis "$T/kpis.jsonl" "total_revenue:NUMERIC(18,2)"
# Windows by product: a boolean measure, windows not final (open), times
# with an offset, and a key that is SQL.
evil="Tea'); DROP TABLE batch_daily; --"
for m in 0 1 2 3; do
    for p in Coffee Juice "$evil"; do
        jq -cn --arg m "$m" --arg p "$p" '{window_start: ("2025-01-15T" + (["15:30","15:45","16:00","16:15"][$m | tonumber]) + ":00+05:30"),
            window_end: ("2025-01-15T" + (["16:30","16:45","17:00","17:15"][$m | tonumber]) + ":00+05:30"),
            product: $p, revenue: (($p | length) * 10 + ($m | tonumber) * 15 + 0.5),
            orders: (($p | length) + ($m | tonumber)), promo: (($m | tonumber) % 2 == 1), final: (($m | tonumber) < 3)}'
    done
done >"$T/win.jsonl"
load_both "$WH" stream_windows "$T/win.jsonl" window_start:timestamptz window_end:timestamptz \
    promo:boolean final:boolean
is "$(psql_q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'stream_windows'::regclass AND attnum > 0 ORDER BY attnum" | paste -sd, -)" \
    "timestamp with time zone,timestamp with time zone,text,double precision,bigint,boolean,boolean" \
    "PostgreSQL's stream_windows has PostgreSQL's types"
is "$(psql_q "SELECT count(*) FROM stream_windows") $(psql_q "SELECT count(*) FROM batch_daily")" \
    "12 $(sqlite3 "$WH" "SELECT count(*) FROM batch_daily")" "  and the rows SQLite has"

for q in "view=batch" "view=batch&format=json" "view=stream" "view=stream&format=json" \
    "view=quality&format=json" "" "format=json&refresh=0"; do
    same "$WH" "$PGURI" "$q" "a URI (the password from PGPASSFILE), ?$q"
done
same "$WH" "$PG" "view=stream&table=stream_windows&format=json" "a key=value connection string"
# What is compared is what it should be (not two equal failures).
answer "$PG" "view=stream&format=json"
is "$(sed '1,/^\r$/d' "$T/resp" | jq -c '[.windows[] | .open], (.latest | map(.promo)), .last_window.start')" \
    '[false,false,false,true]
[1,1,1]
"2025-01-15T10:45:00Z"' \
    "  the windows not final are open (a boolean), a boolean as 1 or 0, times with an offset in UTC"
sed '1,/^\r$/d' "$T/resp" | jq -r '.latest[] | .product' >"$T/keys"
is "$(grep -cxF "$evil" "$T/keys")" 1 "  the key that is SQL is a key like another"
answer "$PG" "view=batch&format=json"
is "$(sed '1,/^\r$/d' "$T/resp" | jq -r '.kpis.revenue | . * 100 | round')" \
    "$(sqlite3 "$WH" "SELECT CAST(round(sum(total_amount) * 100) AS INTEGER) FROM batch_daily")" \
    "  the revenue is the warehouse's (NUMERIC(18,2) summed)"

# --- The realtime job's warehouse (database "rt") --------------------------------
"$PG_BIN/createdb" rt
RT=$T/rt.db
realtime_fixture "$T/rt-src.db"
jsonl_of "$T/rt-src.db" transactions_summary >"$T/ts.jsonl"
jsonl_of "$T/rt-src.db" stream_metrics >"$T/sm.jsonl"
PGDATABASE=rt load_both "$RT" transactions_summary "$T/ts.jsonl" "id:SERIAL PRIMARY KEY" \
    window_start:timestamptz window_end:timestamptz "total_revenue:NUMERIC(18,2)" \
    "avg_transaction_value:NUMERIC(18,2)" created_at:timestamptz
PGDATABASE=rt load_both "$RT" stream_metrics "$T/sm.jsonl" time:timestamptz watermark:timestamptz
RTPG="host=$pg_dir port=$PGPORT user=sluice dbname=rt"
for q in "view=stream" "view=stream&format=json" "view=batch&format=json" ""; do
    same "$RT" "$RTPG" "$q" "the realtime job's windows, ?$q"
done
answer "$RTPG" "view=stream&format=json"
is "$(sed '1,/^\r$/d' "$T/resp" | jq -r '.last_window.start + " " + (.last_window.minutes | tostring) + " " + .health.last_update')" \
    "2026-01-10T12:10:00Z 1 2026-01-10T12:11:30.500Z" \
    "  the last window by the latest metrics line (timestamptz compared with a text parameter)"
# A pipeline's chain row: the latest line by the order of writing.
for sql in "ALTER TABLE stream_metrics ADD COLUMN dead_letters INTEGER" \
    "INSERT INTO stream_metrics (time, program, events_in, aggregated, late_events, rejected, filtered, dead_letters)
        VALUES ('2026-01-10T12:12:30Z', 'realtime-pipeline', 1100, 1000, 6, 94, 0, 100)"; do
    sqlite3 "$RT" "$sql"
    PGDATABASE=rt psql_q "$sql"
done
same "$RT" "$RTPG" "view=stream" "a stopped pipeline's counts"
like "$(cat "$T/pg")" "The last run&#39;s counts" "  shown"

# --- The ingest job's warehouse (database "ing") ---------------------------------
"$PG_BIN/createdb" ing
IN=$T/in.db
ingest_fixture "$T/in-src.db"
jsonl_of "$T/in-src.db" dead_letter_events >"$T/dl.jsonl"
jsonl_of "$T/in-src.db" data_quality_metrics >"$T/dq.jsonl"
PGDATABASE=ing load_both "$IN" dead_letter_events "$T/dl.jsonl" errors:jsonb record:jsonb
PGDATABASE=ing load_both "$IN" data_quality_metrics "$T/dq.jsonl" time:timestamptz inputs:jsonb \
    rules:jsonb versions:jsonb alerts:jsonb
INPG="host=$pg_dir port=$PGPORT user=sluice dbname=ing"
for q in "view=quality" "view=quality&format=json" ""; do
    same "$IN" "$INPG" "$q" "the ingest job's quality, ?$q"
done
answer "$INPG" "view=quality&format=json"
is "$(sed '1,/^\r$/d' "$T/resp" | jq -c '[.status, .totals.rejected, (.rules | length), .fields[0].rules, (.alerts | length)]')" \
    "[\"HEALTHY\",$(sqlite3 "$IN" "SELECT sum(rejected) FROM data_quality_metrics"),5,\"event_time_required,type\",2]" \
    "  the counts, rules, fields and alerts from jsonb columns"

# --- The summaries, the warehouse's own, on both, kept by triggers ----------------
# The database "sum": batch_daily as in "sluice", with the warehouse's
# DDL (warehouse-pg.sql; SQLite's warehouse.sql for its copy).
"$PG_BIN/createdb" sum
SW=$T/sum.db
PGDATABASE=sum load_both "$SW" batch_daily "$T/daily.jsonl" order_date:date "total_amount:NUMERIC(18,2)"
SUMPG="host=$pg_dir port=$PGPORT user=sluice dbname=sum"
sqlite3 "$SW" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
PGDATABASE=sum psql -X -q -v ON_ERROR_STOP=1 -f "$SLUICE_TOP/sink/warehouse-pg.sql" 2>"$T/ddl.err"
is "$?:$(cat "$T/ddl.err")" "0:" "the warehouse DDL on both, around batch_daily"
same "$SW" "$SUMPG" "view=batch&format=json" "  no summaries yet: the batch view sums the table"
# The DDL's script, run as the batch job runs it (wh_summaries).
sqlite3 "$SW" "SELECT sql FROM batch_daily_rollup_sql" | sqlite3 -bail "$SW"
lrc=$?
PGDATABASE=sum psql_q "SELECT sql FROM batch_daily_rollup_sql" |
    PGDATABASE=sum psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$T/prep.err"
is "$lrc:$?:$(cat "$T/prep.err")" "0:0:" "the summaries' script on both"
is "$(PGDATABASE=sum psql_q "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'batch_daily'::regclass AND tgname = 'batch_daily_rollup'")" 1 \
    "  PostgreSQL's trigger is there"
same "$SW" "$SUMPG" "view=batch&format=json" "the batch view from the summaries"
same "$SW" "$SUMPG" "view=batch" "  and its page"
# Writes after, the same on both: the triggers keep the sums.
# sumboth SQL: run on both (SQL the two agree on).
sumboth() { sqlite3 "$SW" "$1" && PGDATABASE=sum psql_q "$1" >/dev/null; }
sumboth "UPDATE batch_daily SET total_amount = total_amount * 3 WHERE product = 'Masala Dosa'"
sumboth "DELETE FROM batch_daily WHERE product = 'Butter Naan'"
sumboth "INSERT INTO batch_daily (order_date, product, total_amount) VALUES (NULL, NULL, 5.5), ('2025-02-02', NULL, NULL), ('2025-02-03', 'Zz', 7.25)"
same "$SW" "$SUMPG" "view=batch&format=json" "after updates, deletes and nulls"
is "$(PGDATABASE=sum psql_q "SELECT count(*) FROM batch_daily_by_date WHERE d = ''") $(PGDATABASE=sum psql_q "SELECT round(sum(revenue)::numeric, 2) = (SELECT sum(total_amount) FROM batch_daily) FROM batch_daily_by_date")" \
    "1 t" "  PostgreSQL's summaries hold the table's sums (a null day as '')"
# That page came from the summaries: change them alone and it shows.
PGDATABASE=sum psql_q "UPDATE batch_daily_by_date SET revenue = revenue + 1000"
answer "$SUMPG" "view=batch&format=json"
sed '1,/^\r$/d' "$T/lite" >"$T/lite.json"
is "$(sed '1,/^\r$/d' "$T/resp" | jq --slurpfile l "$T/lite.json" '.kpis.revenue - $l[0].kpis.revenue | round')" \
    "$(( 1000 * $(PGDATABASE=sum psql_q "SELECT count(*) FROM batch_daily_by_date") ))" \
    "  read from PostgreSQL's summaries, not the table"
# --prepare, until the next release: a warning, then the same script.
$SLUICE_WRAP "$CGI" --prepare "$SUMPG" 2>"$T/prep.err"
is "$?:$(cat "$T/prep.err")" "0:dashboard.cgi: --prepare is no longer needed: the warehouse keeps the batch view's summaries (its DDL makes them, and the batch job after each load); it goes in the next release" \
    "--prepare: said to be no longer needed, exit 0"
same "$SW" "$SUMPG" "view=batch&format=json" "  the summaries made again from the table: the same page"

# --- No request text in SQL -------------------------------------------------------
for q in "view=stream&table=zzprobe" "view=stream&table=a%27b" "view=stream&table=x%22%3B%20DROP%20TABLE%20batch_daily"; do
    answer "$PGURI" "$q"
done
is "$(psql_q "SELECT count(*) > 0 FROM batch_daily")" t "hostile requests: the tables are there"
answer "$PGURI" "view=stream&format=json"
log=$(cat "$pg_dir/log")
is "$(printf '%s\n' "$log" | grep -c 'zzprobe')" 0 "  a table asked for that is not one: in no statement"
is "$(printf '%s\n' "$log" | grep 'statement: ' | grep -c 'DROP TABLE batch_daily')" 0 \
    "  the key that is SQL: in no statement's text"
ok "$(printf '%s\n' "$log" | grep 'parameters: ' | grep -qF "DROP TABLE batch_daily"; echo $?)" \
    "  only ever a bound parameter"

# --- A server that is not there ---------------------------------------------------
answer "postgresql://sluice@127.0.0.1:1/sluice" "view=batch"
is "$rc:$(head -n 1 "$T/resp" | tr -d '\r')" "1:Status: 503 Service Unavailable" \
    "no server: 503, exit 1"
like "$(cat "$T/cgi.err")" '^dashboard.cgi: PostgreSQL sluice@127.0.0.1:1/sluice: connection to server at "127.0.0.1", port 1 failed: Connection refused' \
    "  said on standard error: which database, libpq's message"
like "$(cat "$T/resp")" '<b id="tile-status" class="ERROR">ERROR</b>' "  and on the page: status ERROR,"
like "$(cat "$T/resp")" '<h2>Warehouse unreachable</h2>' "  the warehouse unreachable"
is "$(grep -c 'sluice-test\|127.0.0.1' "$T/resp")" 0 "  the page names no server"
pg_stop
answer "$PGURI" "view=stream&format=json"
is "$rc:$(sed '1,/^\r$/d' "$T/resp" | jq -r .status)" "1:ERROR" "the server stopped: ERROR in JSON, exit 1"
$SLUICE_WRAP "$CGI" --prepare "$PG" 2>"$T/prep.err"
is "$?" 1 "  --prepare: exit 1"
like "$(cat "$T/prep.err")" "^dashboard.cgi: PostgreSQL sluice@$pg_dir:$PGPORT/sluice: connection to server on socket" "  said"
pg_start
same "$WH" "$PGURI" "view=stream&format=json" "the server back: the page again"
SLUICE_DB="postgresql://sluice@127.0.0.1:$PGPORT/sluice?sslmode=disable&password=wrong" \
    QUERY_STRING=view=batch $SLUICE_WRAP "$CGI" >/dev/null 2>"$T/cgi.err"
like "$(cat "$T/cgi.err")" "password authentication failed" "a wrong password: said"
is "$(grep -c wrong "$T/cgi.err")" 0 "  never shown"

done_testing
