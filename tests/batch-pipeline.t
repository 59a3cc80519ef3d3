#!/bin/sh
# scripts/batch-pipeline: a week of retail data through cleanse, batch-agg,
# parquet-sink and sqlite-sink, the outputs reconciled with the input
# (totals to the cent, Parquet read back by DuckDB); the published layout
# (output/current, a link to the run's folder; output/NAME, links into
# it); a rerun over the same input replaces its data_quality_metrics row;
# a run without dead letters empties its rows of dead_letter_events;
# with the ecommerce schema, records deduplicated by event_id (the
# injected duplicates, by schema-gen's truth) and the ingest job's rows
# left alone; KEEP_RUNS; the cron
# lock; a stage that fails ends the run with exit 1 and leaves the
# outputs as they were; an output folder from before runs/ (and what an
# older run killed while publishing had moved aside) becomes the first
# run; no input within WAIT_SECONDS is an error.  (Kills at random
# moments: tests/pipeline-crash.t.)
. "$SLUICE_TOP/tests/lib.sh"
P=$SLUICE_TOP/scripts/batch-pipeline
D=$T/data
export DATA=$D SLUICE_BIN WAIT_SECONDS=1
"$SLUICE_BIN/schema-gen" -q retail --per-day 500 --days 7 -d "$D/input"
# Three orders without a date, for cleanse to divert.
for i in 1 2 3; do
    echo "X-$i,never,BOM-01,Mumbai,Masala Chai,1,20.00,20.00" >>"$D/input/retail_2025-01-15.csv"
done
"$P" 2>"$T/err"
is "$?" 0 "a week of retail: exit 0"
like "$(cat "$T/err")" "cleanse: 3503 in, [0-9]+ out, [0-9]+ rejected" "  a line for cleanse, with its counts"
like "$(cat "$T/err")" "parquet-sink: ([0-9]+) in, \1 out, 0 rejected, 0 duplicates, 0 filtered, \1 written, 7 files" "  and for parquet-sink: a file a day"
like "$(cat "$D/logs/batch-pipeline.log")" "^20[0-9-]*T[0-9:]*Z batch-pipeline: done" "  the log, stamped"
clean=$(sed -n 's/.*cleanse: 3503 in, \([0-9]*\) out.*/\1/p' "$T/err")
rejected=$(wc -l <"$D/output/quality/dead_letter.jsonl" | tr -d ' ')
is "$rejected" 3 "the three orders without a date in the dead letters"
is "$(( clean + rejected ))" 3503 "in = out + rejected ($clean + $rejected)"
is "$(sqlite3 "$D/warehouse.db" "SELECT group_concat(source_file || ':' || line || ' ' || json_extract(errors, '$[0].rule')
    || ' ' || json_extract(record, '$.order_id'), ',') || ' ' || count(batch_id) FROM dead_letter_events")" \
    "$D/input/retail_2025-01-15.csv:502 order_date X-1,$D/input/retail_2025-01-15.csv:503 order_date X-2,$D/input/retail_2025-01-15.csv:504 order_date X-3 0" \
    "  and in dead_letter_events: file, line, reason, record (no batch_id: the batch job's)"
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
run_id() { basename "$(readlink "$D/output/current")"; }
like "$(readlink "$D/output/current")" '^runs/[0-9]{8}T[0-9]{9}Z$' "output/current: a link to the run's folder"
l=""
for n in analysis_csv analysis_csv_kpis analysis_parquet quality; do l="$l $(readlink "$D/output/$n")"; done
is "$l" " current/analysis_csv current/analysis_csv_kpis current/analysis_parquet current/quality" \
    "  output/NAME: links into current/"
is "$(jq -r .run "$D/output/quality/metrics.jsonl")" "$(run_id)" "  the metrics name their run"
first=$(run_id)

# Again over the same input: its quality row replaced, not another added.
"$P" 2>"$T/err"
is "$?" 0 "a rerun over the same input: exit 0"
[ "$(run_id)" != "$first" ]
ok $? "  a new run folder published ($(run_id))"
is "$(sqlite3 "$D/warehouse.db" 'SELECT count(*) || " " || max(run) FROM data_quality_metrics')" "1 $(run_id)" \
    "  data_quality_metrics: still one row for this input, the new run's"
is "$(ls "$D/output/runs" | tr '\n' ' ')" "$first $(run_id) " "  both runs kept"

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
is "$(sqlite3 "$D/warehouse.db" 'SELECT count(*) FROM data_quality_metrics')" 1 "  nor a row in the warehouse"

# Without the orders that have no date: no dead letters, and none left
# in dead_letter; KEEP_RUNS=2 keeps the published run and one more.
grep -v '^X-' "$D/input/retail_2025-01-15.csv" >"$T/day" && mv "$T/day" "$D/input/retail_2025-01-15.csv"
KEEP_RUNS=2 "$P" 2>"$T/err"
is "$?" 0 "input without dead letters: exit 0"
is "$(sqlite3 "$D/warehouse.db" 'SELECT count(*) FROM dead_letter_events')" 0 "  dead_letter_events emptied"
is "$(sqlite3 "$D/warehouse.db" 'SELECT count(*) FROM data_quality_metrics')" 2 "  a quality row for each input"
is "$(ls "$D/output/runs" | wc -l | tr -d ' ')" 2 "  KEEP_RUNS=2: two run folders left"
KEEP_RUNS=0 "$P" 2>"$T/err"
is "$?" 2 "KEEP_RUNS=0: a usage error"

# The ecommerce schema: deduplicated by its id, event_id; the ingest
# job's rows (with a batch_id) stay through the batch job's runs.
E=$T/ec
"$SLUICE_BIN/schema-gen" -q ecommerce --per-day 1000 --days 2 -d "$E/input" --truth "$T/ec-truth.jsonl"
mkdir -p "$E/logs"
sqlite3 "$E/warehouse.db" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
sqlite3 "$E/warehouse.db" "INSERT INTO dead_letter_events (source, batch_id) VALUES ('ingested:1', 7);
    CREATE TABLE dead_letter (x); INSERT INTO dead_letter VALUES (1)"
for i in 1 2; do
    DATA=$E SCHEMA=ecommerce "$P" 2>"$T/err"
    is "$?" 0 "SCHEMA=ecommerce, run $i: exit 0"
done
dups=$(jq -s 'map(select(.kind == "duplicate")) | length' "$T/ec-truth.jsonl")
is "$(sqlite3 "$E/warehouse.db" 'SELECT duplicates FROM data_quality_metrics')" "$dups" \
    "  --dedup event_id: the $dups duplicates schema-gen injected"
is "$(sqlite3 "$E/warehouse.db" 'SELECT count(*) || " " || count(DISTINCT event_id) FROM duplicate_events')" "$dups $dups" \
    "  in duplicate_events, once each after two runs"
jq -r 'select(.kind == "duplicate") | .id' "$T/ec-truth.jsonl" | sort >"$T/ec-dups"
sqlite3 "$E/warehouse.db" 'SELECT event_id FROM duplicate_events' | sort >"$T/ec-got"
is_file "$T/ec-got" "$T/ec-dups" "  the event_ids the truth names"
is "$(sqlite3 "$E/warehouse.db" 'SELECT count(*) FROM dead_letter_events WHERE batch_id IS NULL') $(sqlite3 "$E/warehouse.db" 'SELECT rejected FROM data_quality_metrics')" \
    "$(sqlite3 "$E/warehouse.db" 'SELECT rejected FROM data_quality_metrics') $(grep -vc '"rule":"duplicate"' "$E/output/quality/dead_letter.jsonl")" \
    "  dead_letter_events: the run's rejected records, duplicates apart"
is "$(sqlite3 "$E/warehouse.db" "SELECT count(*) FROM dead_letter_events WHERE source = 'ingested:1'")" 1 \
    "  the ingest job's dead letter kept"
is "$(sqlite3 "$E/warehouse.db" "SELECT count(*) FROM sqlite_master WHERE name = 'dead_letter'")" 0 \
    "  the old dead_letter table dropped"

# An output folder from before runs/: its folders become the first run,
# and one an older run killed while publishing had moved aside comes back.
M=$T/old
mkdir -p "$M/output/analysis_csv" "$M/output/analysis_csv_kpis" "$M/output/quality" \
    "$M/output/.batch-pipeline.AbC123/old-analysis_parquet" "$M/input"
for n in analysis_csv analysis_csv_kpis quality; do echo "old $n" >"$M/output/$n/old.txt"; done
echo "old analysis_parquet" >"$M/output/.batch-pipeline.AbC123/old-analysis_parquet/old.txt"
"$SLUICE_BIN/schema-gen" -q retail -n 50 --days 1 -d "$M/input"
DATA=$M "$P" 2>"$T/err"
is "$?" 0 "an output folder from before runs/: exit 0"
cat "$M"/output/runs/*/*/old.txt 2>/dev/null | sort >"$T/old.txt"
is "$(tr '\n' , <"$T/old.txt")" "old analysis_csv,old analysis_csv_kpis,old analysis_parquet,old quality," \
    "  its four outputs kept as the first run, the one moved aside among them"
is "$(ls "$M/output/runs" | wc -l | tr -d ' ')" 2 "  and the new run published beside it"
is "$(readlink "$M/output/analysis_parquet")" current/analysis_parquet "  output/NAME now links into current/"
ls -a "$M/output" >"$T/listing"
is "$(grep -c '^\.batch' "$T/listing")" 0 "  the old work folder removed"

# No input within WAIT_SECONDS.
DATA=$T/empty "$P" 2>"$T/err"
is "$?" 1 "no input within WAIT_SECONDS: exit 1"
like "$(cat "$T/err")" "no input matching" "  said so"
done_testing
