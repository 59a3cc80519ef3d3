#!/bin/sh
# scripts/batch-pipeline: a week of retail data through cleanse, batch-agg,
# parquet-sink and sqlite-sink, the outputs reconciled with the input
# (totals to the cent, Parquet read back by DuckDB); the cron lock; a
# stage that fails ends the run with exit 1 and leaves the outputs as
# they were; no input within WAIT_SECONDS is an error.
. "$SLUICE_TOP/tests/lib.sh"
P=$SLUICE_TOP/scripts/batch-pipeline
D=$T/data
export DATA=$D SLUICE_BIN WAIT_SECONDS=1
"$SLUICE_BIN/schema-gen" -q retail -n 500 --days 7 -d "$D/input"
# Three orders without a date, for cleanse to divert.
for i in 1 2 3; do
    echo "X-$i,never,BOM-01,Mumbai,Masala Chai,1,20.00,20.00" >>"$D/input/retail_2025-01-15.csv"
done
"$P" 2>"$T/err"
is "$?" 0 "a week of retail: exit 0"
like "$(cat "$T/err")" "cleanse: 3503 in, [0-9]+ out, [0-9]+ rejected" "  a line for cleanse, with its counts"
like "$(cat "$T/err")" "parquet-sink: [0-9]+ in, [0-9]+ written, 0 rejected, 0 filtered, 7 files" "  and for parquet-sink: a file a day"
like "$(cat "$D/logs/batch-pipeline.log")" "^20[0-9-]*T[0-9:]*Z batch-pipeline: done" "  the log, stamped"
clean=$(sed -n 's/.*cleanse: 3503 in, \([0-9]*\) out.*/\1/p' "$T/err")
rejected=$(wc -l <"$D/output/quality/dead_letter.jsonl" | tr -d ' ')
is "$rejected" 3 "the three orders without a date in the dead letters"
is "$(( clean + rejected ))" 3503 "in = out + rejected ($clean + $rejected)"
# The clean records' total, by DuckDB from the published CSV, against the
# warehouse and the KPI file.
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
csv_total=$("$DUCK" "SELECT sum(total_amount::DECIMAL(18,2))::VARCHAR AS t FROM read_csv('$D/output/analysis_csv/part-00000.csv', all_varchar = true)" | sed 's/.*"t":"\([^"]*\)".*/\1/')
pq_total=$("$DUCK" "SELECT printf('%.2f', sum(total_amount)) AS t, count(DISTINCT order_date)::VARCHAR AS d FROM read_parquet('$D/output/analysis_parquet/*/*.parquet', hive_partitioning = true)")
is "$pq_total" "{\"t\":\"$csv_total\",\"d\":\"7\"}" "the Parquet partitions (DuckDB) hold the summary's total, $csv_total, over 7 days"
is "$(sqlite3 "$D/warehouse.db" 'SELECT printf("%.2f", sum(total_amount)) FROM batch_daily')" "$csv_total" \
    "  as does the warehouse's batch_daily"
is "$(cut -d, -f1 "$D/output/analysis_csv_kpis/part-00000.csv" | tail -n 1)" "$csv_total" "  and the KPI file's total revenue"
is "$(cut -d, -f3 "$D/output/analysis_csv_kpis/part-00000.csv" | tail -n 1)" "$clean" "  whose record count is cleanse's out"
is "$(sqlite3 "$D/warehouse.db" 'SELECT "in", out, rejected FROM data_quality_metrics')" "3503|$clean|$rejected" \
    "the warehouse's quality metrics reconcile"
ls -a "$D/output" >"$T/listing"
is "$(grep -c '^\.batch' "$T/listing")" 0 "no work folder left behind"

# The cron lock: while a run holds it, another does not start.
flock "$D/.batch-pipeline.lock" sleep 3 &
holder=$!
sleep 0.5
"$P" 2>"$T/err"
is "$?" 75 "another run holds the lock: exit 75, nothing done"
like "$(cat "$T/err")" "another run holds" "  said so"
wait $holder

# A failing stage: exit 1, the outputs and warehouse as they were.
mkdir "$T/bin"
for p in "$SLUICE_BIN"/*; do ln -s "$p" "$T/bin/"; done
rm "$T/bin/parquet-sink"
printf '#!/bin/sh\necho "parquet-sink: no room left" >&2\nexit 1\n' >"$T/bin/parquet-sink"
chmod +x "$T/bin/parquet-sink"
"$SLUICE_BIN/schema-gen" -q retail -n 500 --days 1 --start 2025-02-01 -d "$D/input"
before=$(cat "$D/output/analysis_csv/part-00000.csv" | cksum)
SLUICE_BIN=$T/bin "$P" 2>"$T/err"
is "$?" 1 "parquet-sink fails: exit 1"
like "$(cat "$T/err")" "FAILED in parquet-sink" "  the stage named"
is "$(cat "$D/output/analysis_csv/part-00000.csv" | cksum)" "$before" "  the published summary as it was"
is "$(ls "$D/output/analysis_parquet" | wc -l | tr -d ' ')" 7 "  the Parquet partitions as they were"
ls -a "$D/output" >"$T/listing"
is "$(grep -c '^\.batch' "$T/listing")" 0 "  no work folder left"

# No input within WAIT_SECONDS.
DATA=$T/empty "$P" 2>"$T/err"
is "$?" 1 "no input within WAIT_SECONDS: exit 1"
like "$(cat "$T/err")" "no input matching" "  said so"
done_testing
