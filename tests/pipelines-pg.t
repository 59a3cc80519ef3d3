#!/bin/sh
# The pipelines on PostgreSQL (WAREHOUSE), against a throwaway server
# (tests/pg.sh), each checked against the same run on SQLite:
# sink/warehouse-pg.sql (run twice; its checks refuse what SQLite's do;
# its views give SQLite's rows over the same rows, copied by psql's
# \copy, not by the pipelines); scripts/batch-pipeline (the same tables,
# value for value, through psql and sqlite3; a rerun replaces; a
# publish that fails leaves the last run's tables and files);
# scripts/ingest-pipeline (the same four tables; every file once); a
# short scripts/stream-pipeline and scripts/realtime-pipeline (their
# chains close, the upserts keep a row a window and key, the money
# exact).
. "$SLUICE_TOP/tests/lib.sh"
. "$SLUICE_TOP/tests/pg.sh"
export LC_ALL=C SLUICE_BIN SLUICE_SCHEMAS
export PGTZ=UTC	# timestamptz as JSON in UTC, as SQLite keeps them
S=$SLUICE_TOP/scripts
pg_up || { echo "Bail out! the PostgreSQL server did not start"; exit 1; }
pq() { psql_q "$1"; }

# rows DB|- SQL [PGSQL]: the rows of SQL, from SQLite's DB, or with -
# from PostgreSQL (PGSQL when the dialects differ), as JSON objects a
# line, sorted, with what the two may write differently made one: a
# number as jq reads it (12.50 is 12.5), a time's UTC offset as Z, a
# boolean as SQLite keeps it (1, 0), JSON kept as text (SQLite) parsed,
# keys sorted.
cat >"$T/norm.jq" <<'EOF'
def norm: if type == "number" then . + 0
  elif type == "boolean" then (if . then 1 else 0 end)
  elif type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-]00:00)$")
    then sub("([+-]00:00|Z)$"; "Z") | sub("(?<a>\\.[0-9]*[1-9])0+Z$"; "\(.a)Z") | sub("\\.0+Z$"; "Z")
  elif type == "string" and test("^[\\[{]") then (try fromjson catch .)
  else . end;
.[] | with_entries(.value as $v | .value = ($v | norm))
EOF
rows() {
    if [ "$1" = - ]; then
        pq "SELECT coalesce(json_agg(x), '[]') FROM (${3:-$2}) x"
    else
        sqlite3 -json "$1" "$2" | sed '1s/^$/[]/'
    fi | jq -S -c -f "$T/norm.jq" | sort
}
# same LABEL DB SQL [PGSQL]: SQL's rows equal in SQLite's DB and in
# PostgreSQL, and there are some.
same() {
    rows "$2" "$3" >"$T/rows.sqlite"
    rows - "$3" "${4:-}" >"$T/rows.pg"
    n=$(wc -l <"$T/rows.pg" | tr -d ' ')
    if [ "$n" -gt 0 ]; then
        is_file "$T/rows.pg" "$T/rows.sqlite" "$1 ($n rows)"
    else
        is "$(wc -l <"$T/rows.sqlite" | tr -d ' ')" 0 "$1 (no rows in either)"
    fi
}

# --- The DDL -------------------------------------------------------------------------
DDL=$SLUICE_TOP/sink/warehouse-pg.sql
psql -X -q -v ON_ERROR_STOP=1 -f "$DDL" 2>"$T/err" && psql -X -q -v ON_ERROR_STOP=1 -f "$DDL" 2>>"$T/err"
ok $? "warehouse-pg.sql runs twice, harmless"
is "$(cat "$T/err")" "" "  and says nothing"
sqlite3 "$T/ref.db" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
is "$(pq "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
    AND c.relname IN ($(sqlite3 "$T/ref.db" "SELECT group_concat(quote(name), ', ') FROM sqlite_master
        WHERE type IN ('table', 'view')"))")" \
    "$(sqlite3 "$T/ref.db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
        WHERE type IN ('table', 'view') ORDER BY name)")" "  every table and view of warehouse.sql"
is "$(pq "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes
    WHERE indexname IN ($(sqlite3 "$T/ref.db" "SELECT group_concat(quote(name), ', ') FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL"))")" \
    "$(sqlite3 "$T/ref.db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)")" "  and every index"
is "$(pq "SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, ', '
    ORDER BY table_name, column_name) FROM information_schema.columns WHERE (table_name, column_name) IN
    (('ecommerce_events', 'price'), ('ecommerce_events', 'event_time'), ('ecommerce_events', 'event_time_date'),
     ('ecommerce_events', 'late_arrival'), ('data_quality_metrics', 'rules'), ('transactions_summary', 'id'),
     ('transactions_summary', 'total_revenue'))")" \
    "data_quality_metrics.rules jsonb, ecommerce_events.event_time timestamp with time zone, ecommerce_events.event_time_date date, ecommerce_events.late_arrival boolean, ecommerce_events.price numeric, transactions_summary.id integer, transactions_summary.total_revenue numeric" \
    "  PostgreSQL's types: numeric money, timestamptz, date, boolean, jsonb, a SERIAL id"
is "$(pq "SELECT pg_get_serial_sequence('transactions_summary', 'id') IS NOT NULL,
    (SELECT numeric_scale FROM information_schema.columns WHERE table_name = 'transactions_summary'
     AND column_name = 'avg_transaction_value'),
    (SELECT count(*) FROM pg_constraint WHERE conrelid = 'transactions_summary'::regclass AND contype = 'u'
     AND pg_get_constraintdef(oid) = 'UNIQUE (window_start, store_id)')")" "t|2|1" \
    "  transactions_summary: a SERIAL id, money to the cent, UNIQUE (window_start, store_id)"
# Each check refuses in both, and a good row passes in both.
for bad in "user_id = -1" "event_type = 'bogus'" "price = -0.01" "quantity = -1" ""; do
    set -- "INSERT INTO ecommerce_events (event_id, user_id, event_type, price, quantity)
        SELECT 'chk', 1, 'view', 1.5, 1;"
    [ -n "$bad" ] && set -- "$1 UPDATE ecommerce_events SET $bad WHERE event_id = 'chk';"
    sqlite3 "$T/ref.db" "BEGIN; $1 ROLLBACK;" 2>/dev/null
    l=$?
    pq "BEGIN; $1 ROLLBACK;" >/dev/null 2>&1
    p=$?
    if [ -n "$bad" ]; then
        ok $(( l == 0 || p == 0 )) "  $bad: refused by both (sqlite3 exit $l, psql $p)"
    else
        ok $(( l != 0 || p != 0 )) "  a good row: taken by both"
    fi
done

# --- The views: the same rows over the same data ------------------------------------------
# The rows: an ingest run on SQLite over files with faults and
# duplicates, and rows made to reach the views' corners: times with
# offsets, nulls, a category of views only and one of purchases only,
# half cents, tied rules, no rules, a dead letter failing one rule twice.
V=$T/views
mkdir -p "$V/input"
"$SLUICE_BIN/schema-gen" -q ecommerce --rate 100000 --roll-rows 300 -n 900 --anomalies 0.05 --seed 11 \
    -d "$V/input" 2>/dev/null
DATA=$V RUN_SECONDS=0 SETTLE=0 "$S/ingest-pipeline" 2>"$T/err"
ok $? "views: the data from an ingest run on SQLite"
sqlite3 "$V/warehouse.db" >/dev/null <<'EOF'
INSERT INTO ecommerce_events (event_id, user_id, event_type, product_id, price, event_time,
    event_time_date, category, quantity, user_segment, total_amount, late_arrival, source_file) VALUES
 ('h1', 7, 'purchase', 'P1', 12.34, '2026-12-06T01:30:00+02:00', '2026-12-05', 'tz', 1, 'vip', 12.34, 0, 'hand'),
 ('h2', 8, 'view', 'P1', 12.35, '2026-12-05T23:59:59.5-01:00', '2026-12-06', 'tz', 1, 'vip', 12.35, 1, 'hand'),
 ('h3', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'hand'),
 ('h4', 9, 'view', 'P2', 0.01, '2026-12-06T10:00:00Z', '2026-12-06', 'views_only', 1, 'new', 0.01, 0, 'hand'),
 ('h5', 9, 'purchase', 'P2', 99999.99, '2026-12-06T10:00:00Z', '2026-12-06', 'buys_only', 3, 'new', 299999.97, 0, 'hand'),
 ('h6', 10, 'purchase', 'P3', 1.00, '2026-12-06T11:00:00Z', '2026-12-06', 'half', 1, 'half', 1.00, 0, 'hand'),
 ('h7', 11, 'view', 'P3', 1.01, '2026-12-06T11:00:00Z', '2026-12-06', 'half', 1, 'half', 1.01, 0, 'hand'),
 ('h8', 12, 'view', 'P3', 1.01, '2026-12-06T11:00:00Z', '2026-12-06', 'half', 1, 'half', 1.01, 0, 'hand');
INSERT INTO data_quality_metrics (time, program, schema, "in", out, rejected, duplicates, filtered,
    validity_pct, status, rules, alerts, batch_id, source_file, health, run) VALUES
 (NULL, 'cleanse', 'retail', 3, 3, 0, 0, 0, 100.0, 'HEALTHY', '{}', '[]', NULL, NULL, NULL, 'r1'),
 ('2026-12-06T00:00:00Z', 'cleanse', 'retail', 4, 1, 3, 0, 0, 25.0, 'DEGRADED', '{"zeta": 3, "alpha": 3, "Beta": 1}',
  '["validity 25% under 95%", "with \"quotes\" and é"]', NULL, NULL, NULL, 'r2'),
 ('2026-12-05T23:00:00Z', 'cleanse', 'retail', 1, 1, 0, 0, 0, 100.0, 'HEALTHY', NULL, NULL, NULL, NULL, NULL, 'r3');
INSERT INTO dead_letter_events (source, source_file, line, errors, record, raw, batch_id) VALUES
 ('hand:1', 'hand', 1, '[{"rule": "type", "field": "a"}, {"rule": "type", "field": "b"}, {"rule": "range"}]',
  '{"z": 1, "a": "x\ny"}', NULL, NULL),
 ('hand:2', 'hand', 2, '[]', NULL, 'a,"b', NULL),
 ('hand:3', 'hand', 3, '[{"field": "c"}]', '["a", "b"]', NULL, NULL);
EOF
# Copied as they are: the CSV sqlite3 writes, read by psql's \copy.
for t in ecommerce_events dead_letter_events duplicate_events data_quality_metrics; do
    sqlite3 -csv -header "$V/warehouse.db" "SELECT * FROM $t" >"$T/$t.csv"
    psql -X -q -v ON_ERROR_STOP=1 -c "\\copy $t FROM '$T/$t.csv' CSV HEADER" || echo "# \\copy $t failed" >&2
done
is "$(pq "SELECT count(*) FROM ecommerce_events") $(pq "SELECT count(*) FROM dead_letter_events")" \
    "$(sqlite3 "$V/warehouse.db" "SELECT (SELECT count(*) FROM ecommerce_events) || ' ' ||
        (SELECT count(*) FROM dead_letter_events)")" "  copied to PostgreSQL"
for v in v_hourly_event_summary v_category_performance v_user_segment_analysis \
    v_data_quality_dashboard v_dead_letters_by_rule; do
    same "  $v: the same rows in both" "$V/warehouse.db" "SELECT * FROM $v"
done
# The dashboard view's order too (nulls first, as SQLite's).
is "$(pq "SELECT string_agg(coalesce(batch_id::text, '-'), ' ') FROM v_data_quality_dashboard")" \
    "$(sqlite3 "$V/warehouse.db" "SELECT group_concat(coalesce(batch_id, '-'), ' ') FROM v_data_quality_dashboard")" \
    "  v_data_quality_dashboard: in the same order"
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1

# --- batch-pipeline ------------------------------------------------------------------
B=$T/batch
"$SLUICE_BIN/schema-gen" -q retail --per-day 300 --days 3 -d "$B/in" 2>/dev/null
"$SLUICE_BIN/schema-gen" -q retail --per-day 200 --days 2 --start 2025-02-01 -d "$B/in2" 2>/dev/null
for i in 1 2 3; do
    echo "X-$i,never,BOM-01,Mumbai,Masala Chai,1,20.00,20.00" >>"$B/in/retail_2025-01-15.csv"
done
head -n 3 "$B/in/retail_2025-01-16.csv" | tail -n 2 >>"$B/in/retail_2025-01-16.csv"
export WAIT_SECONDS=1 SCHEMA=retail	# deduplicated by order_id
DATA=$B/sqlite INPUT="$B/in/*" "$S/batch-pipeline" 2>"$T/err.sqlite"
ok $? "batch-pipeline on SQLite"
DATA=$B/pg INPUT="$B/in/*" WAREHOUSE=$PG "$S/batch-pipeline" 2>"$T/err"
rc=$?
is "$rc" 0 "batch-pipeline, WAREHOUSE=\$PG (a connection string): exit 0"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err" >&2
like "$(cat "$T/err")" "counts: the chain closes" "  the chain of counts closes"
is "$(grep -c 'sluice-test' "$T/err" "$B/pg/logs/batch-pipeline.log" | grep -vc ':0$')" 0 \
    "  no password in what it says"
DB=$B/sqlite/warehouse.db
bd="SELECT * FROM batch_daily"
same "  batch_daily: the same rows as on SQLite" "$DB" "$bd"
same "  batch_kpis: the same" "$DB" "SELECT * FROM batch_kpis"
dl="SELECT source, source_file, line, errors, record, raw, batch_id FROM dead_letter_events"
same "  dead_letter_events: the same" "$DB" "$dl"
same "  duplicate_events: the same" "$DB" "SELECT source, source_file, line, event_id, record, batch_id FROM duplicate_events"
qm="SELECT program, schema, inputs, \"in\", out, rejected, duplicates, filtered, validity_pct, status,
    min_valid_pct, rules, versions, late, alerts, batch_id, input_sha256 FROM data_quality_metrics"
same "  data_quality_metrics: the same (but for the time and run)" "$DB" "$qm"
is "$(pq "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'sluice_stage_%'")" 0 "  no stage schema left"
# Again, by a URI (its password from PGPASSFILE), over the same input:
# the same tables, a quality row for the input still.
DATA=$B/pg INPUT="$B/in/*" WAREHOUSE=$PGURI "$S/batch-pipeline" 2>"$T/err"
ok $? "batch-pipeline again, WAREHOUSE=\$PGURI (a URI): exit 0"
same "  batch_daily replaced, the same" "$DB" "$bd"
same "  dead_letter_events replaced, the same" "$DB" "$dl"
is "$(pq "SELECT count(*) FROM data_quality_metrics")" 1 "  one quality row for the input"
# A publish that fails: data_quality_metrics, moved last, held under a
# SHARE lock by another session, and lock_timeout short: the
# transaction fails after the other tables moved, and is rolled back.
pq "SELECT 1" >/dev/null
PGAPPNAME=sluice-lock psql -X -q -c "BEGIN; LOCK TABLE data_quality_metrics IN SHARE MODE;
    SELECT pg_sleep(30);" >/dev/null 2>&1 &
locker=$!
pids="${pids:-} $locker"
for i in $(seq 100); do
    [ "$(pq "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE a.application_name = 'sluice-lock' AND l.mode = 'ShareLock' AND l.granted")" = 1 ] && break
    sleep 0.05
done
cur=$(readlink "$B/pg/output/current")
DATA=$B/pg INPUT="$B/in2/*" WAREHOUSE=$PG PGOPTIONS="-c lock_timeout=300" "$S/batch-pipeline" 2>"$T/err"
rc=$?
pq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sluice-lock'" >/dev/null
wait $locker 2>/dev/null
is "$rc" 1 "a publish that fails (the last table locked): exit 1"
like "$(cat "$T/err")" "the outputs and the warehouse are as they were" "  said"
same "  batch_daily: the last run's still" "$DB" "$bd"
same "  dead_letter_events: the last run's still" "$DB" "$dl"
is "$(pq "SELECT count(*) FROM data_quality_metrics")" 1 "  data_quality_metrics: the last run's row alone"
is "$(readlink "$B/pg/output/current")" "$cur" "  the files: the last run's"
is "$(pq "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'sluice_stage_%'")" 0 "  no stage schema left"
DATA=$B/pg INPUT="$B/in2/*" WAREHOUSE=$PG "$S/batch-pipeline" 2>"$T/err"
ok $? "  then a run over the new input publishes"
csv=$B/pg/output/analysis_csv/part-00000.csv
is "$(pq "SELECT count(*) FROM batch_daily WHERE \"$(head -n 1 "$csv" | cut -d, -f1)\" >= '2025-02-01'") $(pq "SELECT count(*) FROM batch_daily")" \
    "$(sed 1d "$csv" | wc -l) $(sed 1d "$csv" | wc -l)" "  batch_daily: its rows alone, as its CSV"
is "$(WAREHOUSE=mysql://x "$S/batch-pipeline" 2>&1 >/dev/null; echo "exit $?")" \
    "batch-pipeline: WAREHOUSE must be a PostgreSQL connection string or URI (host=... dbname=..., postgresql://...); unset, the warehouse is $SLUICE_TOP/data/warehouse.db
exit 2" "WAREHOUSE neither: a usage error"
unset SCHEMA
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1

# --- ingest-pipeline -------------------------------------------------------------------
# The same files into SQLite and PostgreSQL; one file delivered again
# under a new name (its events duplicates).
I=$T/ingest
mkdir -p "$I/in"
"$SLUICE_BIN/schema-gen" -q ecommerce --rate 100000 --roll-rows 200 -n 800 --anomalies 0.05 --seed 5 \
    -d "$I/in" 2>/dev/null
cp "$(ls "$I"/in/* | head -n 1)" "$I/in/zz_again.csv"
export RUN_SECONDS=0 SETTLE=0
DATA=$I/sqlite INPUT=$I/in "$S/ingest-pipeline" 2>"$T/err.sqlite"
ok $? "ingest-pipeline on SQLite"
DATA=$I/pg INPUT=$I/in WAREHOUSE=$PGURI "$S/ingest-pipeline" 2>"$T/err"
rc=$?
is "$rc" 0 "ingest-pipeline, WAREHOUSE=\$PGURI: exit 0"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err" >&2
like "$(cat "$T/err")" "counts: the chain closes" "  the chain of counts closes"
like "$(cat "$T/err")" "files: 5 taken" "  five files taken"
DB=$I/sqlite/warehouse.db
same "  ecommerce_events: the same rows as on SQLite" "$DB" "SELECT * FROM ecommerce_events"
same "  dead_letter_events: the same" "$DB" "$dl"
same "  duplicate_events: the same" "$DB" "SELECT source, source_file, line, event_id, record, batch_id FROM duplicate_events"
same "  data_quality_metrics: the same (but for times)" "$DB" \
    "SELECT program, schema, inputs, \"in\", out, rejected, duplicates, filtered, validity_pct, status,
    min_valid_pct, rules, versions, late, batch_id, source_file, health FROM data_quality_metrics"
is "$(pq "SELECT count(*) FROM duplicate_events WHERE source_file LIKE '%zz_again.csv'")" \
    "$(pq "SELECT out + duplicates FROM data_quality_metrics WHERE batch_id = 1")" \
    "  the file again: each of its events not a dead letter a duplicate"
DATA=$I/pg INPUT=$I/in WAREHOUSE=$PGURI "$S/ingest-pipeline" 2>"$T/err"
ok $? "ingest-pipeline again"
like "$(cat "$T/err")" "files: 0 taken" "  takes no file twice"
is "$(pq "SELECT count(*) FROM data_quality_metrics") $(pq "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'sluice_stage_%'")" \
    "5 0" "  five quality rows, no stage schema left"
unset RUN_SECONDS SETTLE
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1

# --- stream-pipeline and realtime-pipeline, a few seconds each ------------------------------
DATA=$T/stream RUN_SECONDS=3 RATE=200 SIZE=2s SLIDE=2s WATERMARK=1s TRIGGER=300ms WAREHOUSE=$PG \
    "$S/stream-pipeline" 2>"$T/err"
rc=$?
is "$rc" 0 "stream-pipeline, WAREHOUSE=\$PG, 3 s: exit 0"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err" >&2
like "$(cat "$T/err")" "counts: the chain closes" "  the chain of counts closes"
up=$(sed -n 's/.*rows to PostgreSQL: .* = \([0-9]*\) upserted.*/\1/p' "$T/err")
fin=$(sed -n 's/.*rows to Parquet: [0-9]* = \([0-9]*\) final.*/\1/p' "$T/err")
is "$(pq "SELECT count(*) - count(DISTINCT (window_start, window_end, category)) FROM stream_windows")" 0 \
    "  stream_windows: one row a window and key ($up upserts)"
is "$(pq "SELECT count(*) FROM stream_windows WHERE final")" "$fin" "  its final rows: as many as went to Parquet"
is "$(pq "SELECT rows_in_sqlite, chain_closes FROM stream_metrics WHERE program = 'stream-pipeline'")" \
    "$up|t" "  stream_metrics: the run's row"

DATA=$T/realtime RUN_SECONDS=3 RATE=50 SIZE=2s WATERMARK=1s TRIGGER=300ms WAREHOUSE=$PG \
    "$S/realtime-pipeline" 2>"$T/err"
rc=$?
is "$rc" 0 "realtime-pipeline, WAREHOUSE=\$PG, 3 s: exit 0"
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err" >&2
like "$(cat "$T/err")" "counts: the chain closes" "  the chain of counts closes"
is "$(pq "SELECT count(*) > 0, count(*) = count(DISTINCT (window_start, store_id)),
    count(*) FILTER (WHERE avg_transaction_value <> round(total_revenue / total_transactions, 2)),
    count(*) FILTER (WHERE created_at IS NULL), max(id) >= count(*) FROM transactions_summary")" "t|t|0|0|t" \
    "  transactions_summary: a row a window and store, the average exact to the cent, ids and times made"
is "$(pq "SELECT (SELECT count(*) > 0 FROM customer_activity), (SELECT count(*) > 0 FROM inventory_activity)")" \
    "t|t" "  customer_activity, inventory_activity: rows"

done_testing
