#!/bin/sh
# make demo from a clean checkout (DEMO_SERVE=0): it builds, runs the
# batch pipeline on a week of retail data, then the stream, realtime and
# ingest jobs side by side, and what it leaves reconciles with what was
# generated: the input's total revenue (by DuckDB, from the generated
# CSV files) is the KPI file's, the summary CSV's, the Parquet
# partitions' and the warehouse's; every record is accounted for; the
# stream tables hold windows; each job's chain of counts closes, is
# printed, with nothing left in the topics; the ingest job's tables
# hold its files' events.
. "$SLUICE_TOP/tests/lib.sh"
git -C "$SLUICE_TOP" rev-parse HEAD >/dev/null 2>&1 || { echo "1..0 # SKIP not a git checkout"; exit 0; }
git clone -q "$SLUICE_TOP" "$T/clone"
cd "$T/clone"
t0=$(date +%s)
make demo DEMO_SERVE=0 DEMO_SECONDS=14 >"$T/out" 2>"$T/err"
rc=$?
is "$rc" 0 "make demo DEMO_SERVE=0: exit 0 ($(( $(date +%s) - t0 )) s with the build)"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/err" | tail -20
D=$T/clone/data
like "$(cat "$T/out")" "== The batch pipeline" "it says what it does, stage by stage"
b=$(sed -n 's/^(batch pipeline: \([0-9]*\) s)$/\1/p' "$T/out")
ok "$(( ${b:-99} >= 30 ))" "  the batch part took ${b:-?} s (under 30)"
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
q() { "$DUCK" "$1" | sed 's/^{"[a-z]*":"\(.*\)"}$/\1/'; }
total=$(q "SELECT sum(amount::DECIMAL(18,2))::VARCHAR AS t FROM read_csv('$D/input/*.csv', all_varchar = true)")
n=$(q "SELECT count(*)::VARCHAR AS n FROM read_csv('$D/input/*.csv', all_varchar = true)")
is "$n" 14000 "the input: a week of 2000 orders a day"
is "$(sqlite3 "$D/warehouse.db" 'SELECT "in" || " " || out || " " || rejected FROM data_quality_metrics WHERE batch_id IS NULL')" "14000 14000 0" \
    "cleanse: every order in and out (retail injects no anomalies)"
is "$(sqlite3 "$D/warehouse.db" 'SELECT total_revenue || " " || records FROM batch_kpis')" "$total 14000" \
    "the warehouse's KPIs: the input's total revenue, $total, and its orders"
is "$(q "SELECT sum(total_amount::DECIMAL(18,2))::VARCHAR AS t FROM read_csv('$D/output/analysis_csv/part-00000.csv', all_varchar = true)")" \
    "$total" "  the summary CSV's total"
is "$(q "SELECT printf('%.2f', sum(total_amount)) || ' ' || count(DISTINCT order_date)::VARCHAR AS t FROM read_parquet('$D/output/analysis_parquet/*/*.parquet', hive_partitioning = true)")" \
    "$total 7" "  the Parquet partitions' (DuckDB), over 7 dates"
is "$(sqlite3 "$D/warehouse.db" 'SELECT printf("%.2f", sum(total_amount)) FROM batch_daily')" "$total" "  batch_daily's"
finals=$(sqlite3 "$D/warehouse.db" 'SELECT count(*) FROM stream_windows WHERE final')
ok "$(( finals < 1 ))" "the stream's final windows in the warehouse ($finals rows)"
in=$(sed -n 's/^stream-window: \([0-9]*\) in, .*/\1/p' "$D/logs/stream-pipeline.log" | tail -n 1)
is "$(sqlite3 "$D/warehouse.db" 'SELECT max(events_in) FROM stream_metrics')" "$in" \
    "stream_metrics: the events stream-window read ($in)"
like "$(cat "$T/out")" "Parquet: 7 batch files by date, [1-9][0-9]* stream files" "the files it made, counted"

# Each pipeline's chain of counts, source to warehouse, closes.
BLOG=$D/logs/batch-pipeline.log SLOG=$D/logs/stream-pipeline.log
like "$(cat "$BLOG")" "batch-pipeline:   cleanse: 14000 records in = 14000 out \+ 0 rejected \+ 0 duplicates .* \+ 0 filtered" \
    "the batch chain: cleanse's counts"
like "$(cat "$BLOG")" "batch-pipeline: counts: the chain closes" "the batch chain closes"
like "$(cat "$SLOG")" "stream-pipeline: counts: the chain closes" "the stream chain closes"
RLOG=$D/logs/demo-realtime.out ILOG=$D/logs/demo-ingest.out
like "$(cat "$RLOG")" "realtime-pipeline: counts: the chain closes" "the realtime chain closes"
like "$(cat "$ILOG")" "ingest-pipeline: counts: the chain closes" "the ingest chain closes"
for job in stream realtime ingest; do
    like "$(sed -n "/^== The $job job's chain of counts/,/^==/p" "$T/out")" "$job-pipeline: counts: the chain closes" \
        "  the $job job's chain printed by the demo"
done
! grep -q "DOES NOT CLOSE" "$BLOG" "$SLOG" "$RLOG" "$ILOG"
ok $? "  no step of any has a difference it cannot name"
# The realtime job: every transaction it read in transactions_summary.
rin=$(sed -n '/ retail_transactions:$/,/ customer_events:$/s/^.*  stream-window: \([0-9]*\) in = .*/\1/p' "$RLOG")
is "$(sqlite3 "$D/warehouse.db" 'SELECT sum(total_transactions) FROM transactions_summary')" "${rin:-?}" \
    "transactions_summary: the $rin transactions stream-window read"
# The ingest job: each file it was given, taken once; its records all there.
nf=$(ls "$D/ingest" | wc -l | tr -d ' ')
nrec=$(cat "$D"/ingest/* | grep -vc '^event_id,')
is "$(sqlite3 "$D/warehouse.db" 'SELECT count(*) || " " || sum("in") FROM data_quality_metrics WHERE batch_id IS NOT NULL')" "$nf $nrec" \
    "ingest: a quality row for each of the $nf files, their $nrec records in"
is "$(sqlite3 "$D/warehouse.db" 'SELECT (SELECT count(*) FROM ecommerce_events) + (SELECT count(*) FROM dead_letter_events WHERE batch_id IS NOT NULL) + (SELECT count(*) FROM duplicate_events WHERE batch_id IS NOT NULL)')" "$nrec" \
    "  valid + dead letters + duplicates = the records in the files"
# What kafka-replay delivered, stream-window read, all of it: the stop
# lets it read what was in the topic (nothing left, nothing dropped).
del=$(sed -n 's/^.*kafka-replay: [0-9]* in, .* \([0-9]*\) delivered, .*/\1/p' "$SLOG" | tail -n 1)
like "$(cat "$SLOG")" "stream-pipeline:   Kafka: $del delivered = $del read by stream-window \+ 0 left in the topic \+ 0 gone" \
    "every event delivered to Kafka ($del) read by stream-window, none left in the topic"
is "$in" "$del" "  stream-window's own summary: $in in"
is "$(sqlite3 "$D/warehouse.db" "SELECT generated > 0 AND delivered = events_in AND chain_closes FROM stream_metrics WHERE program = 'stream-pipeline'")" 1 \
    "stream_metrics: the chain's figures for the dashboard, closing" ||
    { sqlite3 -line "$D/warehouse.db" "SELECT * FROM stream_metrics WHERE program = 'stream-pipeline'" | sed 's/^/# /'
      grep -n "counts\|stream_metrics\|sqlite-sink" "$SLOG" | sed 's/^/# /' | tail -30; }
done_testing
