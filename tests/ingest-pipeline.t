#!/bin/sh
# scripts/ingest-pipeline: files of 100 e-commerce events written by
# schema-gen --rate --roll-rows while it runs, taken a file a batch; every
# table reconciled with awk's own reckoning of the input and schema-gen's
# --truth file (which records are invalid, which are duplicates, across
# files too); health, alerts and their log lines; the lock and a clean
# stop; and a pipeline killed (SIGKILL) and stopped (Ctrl-C) at random
# moments and restarted that takes every file exactly once.
. "$SLUICE_TOP/tests/lib.sh"
export LC_ALL=C	# file names sorted as the pipeline takes them
P=$SLUICE_TOP/scripts/ingest-pipeline
export SLUICE_BIN SLUICE_SCHEMAS
SG=$(prog schema-gen)
q() { sqlite3 "$1/warehouse.db" "$2"; }

# reckon DIR TRUTH: awk's account of DIR/input's files, in name order, to
# $T/want.*: each record invalid (its event_id has an injected anomaly
# other than a duplicate), a duplicate (its event_id was valid before,
# in its file or an earlier one), or valid.
reckon() {
    jq -r 'select(.kind != "duplicate") | .id' "$2" | sort -u >"$T/bad_ids"
    # shellcheck disable=SC2046
    awk -F, -v out="$T/want" -v badf="$T/bad_ids" '
        BEGIN { while ((getline l < badf) > 0) bad[l] = 1 }
        FNR == 1 { files++; f = FILENAME; next }
        { n[f]++; k = f ":" FNR
          if ($1 in bad) { d[f]++; print k > (out ".dead") }
          else if ($1 in seen) { u[f]++; print k > (out ".dup") }
          else { seen[$1] = 1; v[f]++; print f "\t" $1 > (out ".valid") } }
        END { for (f in n) printf "%s|%d|%d|%d|%d\n", f, n[f], v[f], d[f], u[f] > (out ".files") }' \
        $(ls "$1"/input/* | sort)
    for w in dead dup valid files; do touch "$T/want.$w"; sort -o "$T/want.$w" "$T/want.$w"; done
}

# --- A live run: schema-gen writing files while the pipeline follows them ---------------
D=$T/live
mkdir -p "$D/input"
DATA=$D POLL=0.2 SETTLE=0.3 "$P" >"$T/live.out" 2>"$T/live.err" &
pp=$!
pids=$pp
sleep 0.5
# Meanwhile a file written in place, a line every 0.05 s for 2.5 s: it is
# taken whole once it stops growing, never half-way.
"$SG" -q ecommerce -n 50 --days 1 --seed 5 --anomalies 0 >"$T/slow.csv"
(while IFS= read -r l; do printf '%s\n' "$l"; sleep 0.05; done <"$T/slow.csv" >"$D/input/slow_in_place.csv") &
pids="$pp $!"
"$SG" -q ecommerce --rate 300 --roll-rows 100 -n 1200 --anomalies 0.04 -d "$D/input" \
    --truth "$T/truth.jsonl" 2>"$T/gen.err"
# The first file delivered again under a new name, renamed in: every
# valid event in it is a duplicate of a batch committed before.
wait_for "$T/live.err" "ecommerce_.*_000012.csv: 100 in" 30
f1=$(ls "$D/input"/ecommerce_* | sort | head -n 1)
cp "$f1" "$D/input/.again.tmp" && mv "$D/input/.again.tmp" "$D/input/zz_again.csv"
wait_for "$T/live.err" "zz_again.csv: 100 in" 30
kill -TERM $pp
wait $pp
is "$?" 0 "SIGTERM once the files are taken: a clean stop, exit 0"
reckon "$D" "$T/truth.jsonl"
nfiles=$(ls "$D/input" | wc -l | tr -d ' ')
is "$nfiles" 14 "schema-gen rolled 12 files of 100; one written in place, one delivered again"
is "$(q "$D" "SELECT \"in\" FROM data_quality_metrics WHERE source_file LIKE '%slow_in_place.csv'")" 50 \
    "the file written in place taken whole (50 records), once"
is "$(q "$D" "SELECT count(*) || ' ' || count(DISTINCT source_file) FROM data_quality_metrics WHERE batch_id IS NOT NULL")" \
    "$nfiles $nfiles" "one data_quality_metrics row per file taken"
q "$D" "SELECT source_file || '|' || \"in\" || '|' || out || '|' || rejected || '|' || duplicates
    FROM data_quality_metrics" | sort >"$T/got.files"
is_file "$T/got.files" "$T/want.files" "each file's in, valid, dead letters and duplicates as awk counts them"
tot=$(awk -F'|' '{ n += $2; v += $3; d += $4; u += $5 } END { print n, v, d, u }' "$T/want.files")
echo "# in, valid, dead letters, duplicates: $tot"
set -- $tot
ok "$(( !($3 > 10 && $4 > 90) ))" "the input has dead letters ($3) and duplicates ($4: injected, and the file again)"
q "$D" "SELECT source_file || char(9) || event_id FROM ecommerce_events" | sort >"$T/got.valid"
is_file "$T/got.valid" "$T/want.valid" "ecommerce_events: the valid events, each once, with their file"
q "$D" "SELECT source FROM dead_letter_events" | sort >"$T/got.dead"
is_file "$T/got.dead" "$T/want.dead" "dead_letter_events: the invalid records, by file and line"
q "$D" "SELECT source FROM duplicate_events" | sort >"$T/got.dup"
is_file "$T/got.dup" "$T/want.dup" "duplicate_events: the duplicates, across files too"
is "$(q "$D" "SELECT count(*) FROM dead_letter_events WHERE source != source_file || ':' || line")" 0 \
    "dead letters: source is source_file:line"
# Every reason: the injected fault's rule among the errors, each error a
# rule and a message.
jq -r 'select(.kind != "duplicate") | [.id, ({"null:user_id": "user_id_required",
    "null:product_id": "product_id_required", "null:event_time": "event_time_required",
    "negative:price": "price_non_negative", "negative:quantity": "quantity_non_negative",
    "bad_timestamp:event_time": "type", "unknown_category:category": "category_known"}
    [.kind + ":" + .field] // "?")] | @tsv' "$T/truth.jsonl" | sort -u >"$T/want.rules"
q "$D" "SELECT json_extract(record, '$.event_id') || char(9) || json_extract(e.value, '$.rule')
    FROM dead_letter_events, json_each(errors) e" | sort -u >"$T/all.rules"
is "$(join -t "$(printf '\t')" -j 1 "$T/want.rules" "$T/all.rules" -o 1.1,1.2,2.2 | awk -F'\t' '$2 == $3' | cut -f1 | sort -u | wc -l | tr -d ' ')" \
    "$(cut -f1 "$T/want.rules" | sort -u | wc -l | tr -d ' ')" "each dead letter's errors include its injected fault's rule"
is "$(q "$D" "SELECT count(*) FROM dead_letter_events, json_each(errors) e
    WHERE json_extract(e.value, '$.rule') IS NULL OR json_extract(e.value, '$.message') IS NULL")" 0 \
    "every error has a rule and a message"
# The record as it came: its cells against the file's line, by awk.
q "$D" "SELECT source_file || char(9) || line || char(9) || record FROM dead_letter_events" |
    while IFS="$(printf '\t')" read -r f l r; do
        printf '%s\t%s\t%s\n' "$f" "$l" "$(printf '%s' "$r" | jq -r '[.[] | if . == null then "" else tostring end] | join(",")')"
    done >"$T/records"
is "$(awk -F'\t' '{ cmd = "sed -n " $2 "p " $1; cmd | getline line; close(cmd)
        n = split(line, a, ","); m = split($3, b, ",")
        bad = n != m; for (i = 1; i <= n && !bad; i++) if (a[i] != b[i] && a[i] + 0 != b[i] + 0) bad = 1
        if (bad) { print "differs: " $1 ":" $2; wrong++ } }
    END { print wrong + 0 }' "$T/records")" 0 "dead letters carry the record as it came (each cell)"
is "$(q "$D" "SELECT count(*) FROM ecommerce_events WHERE event_time_date IS NULL OR schema_version != 3
    OR total_amount IS NULL OR abs(total_amount - price * quantity) > 0.005 OR late_arrival IS NULL")" 0 \
    "valid events are migrated and enriched (event_time_date, total_amount = price * quantity, late_arrival)"
q "$D" "SELECT source_file || '|' || health FROM data_quality_metrics ORDER BY batch_id" >"$T/got.health"
awk -F'|' 'NR == FNR { bad[$1] = ($2 - $4) * 100 < 95 * $2; next }
    { fails = bad[$1] ? fails + 1 : 0
      print $1 "|" (fails >= 3 ? "ERROR" : bad[$1] ? "DEGRADED" : "HEALTHY") }' \
    "$T/want.files" "$T/got.health" >"$T/want.health"
is_file "$T/got.health" "$T/want.health" \
    "health a batch: DEGRADED when under 95% valid, as awk reckons ($(grep -c DEGRADED "$T/want.health") of them)"
is "$(q "$D" "SELECT count(*) FROM data_quality_metrics WHERE latency_ms IS NULL OR latency_ms < 0
    OR latency_ms > 10000")" 0 "every batch's latency, from arrival to commit, under 10 s"
is "$(q "$D" "SELECT group_concat(batch_id) FROM (SELECT batch_id FROM data_quality_metrics ORDER BY batch_id)")" \
    "$(seq -s, 1 "$nfiles")" "batches numbered 1 to $nfiles"
like "$(cat "$T/live.err")" "\| INFO \| ingest-pipeline:   records: $1 in = $2 valid \+ $3 dead letters \+ $4 duplicates" \
    "the chain of counts at the end"
like "$(cat "$T/live.err")" "the chain closes" "  which closes"
is "$(grep -c '^20[0-9-]* [0-9:]* | INFO | ingest-pipeline: batch [0-9]*: ' "$D/logs/ingest-pipeline.log")" "$nfiles" \
    "a log line a batch, with time and level"
for v in v_hourly_event_summary v_category_performance v_user_segment_analysis; do
    is "$(q "$D" "SELECT sum(events) FROM $v")" "$2" "$v covers every valid event"
done
is "$(q "$D" "SELECT count(*) || ' ' || sum(\"in\") FROM v_data_quality_dashboard")" "$nfiles $1" \
    "v_data_quality_dashboard: a row a batch"

# Restarted over the same folder: nothing new, nothing taken again.
DATA=$D RUN_SECONDS=1 "$P" 2>"$T/again.err"
is "$?" 0 "a rerun over files all done: RUN_SECONDS=1, it stops by itself, exit 0"
like "$(cat "$T/again.err")" "files: 0 taken" "  takes none"
is "$(q "$D" "SELECT count(*) FROM data_quality_metrics")" "$nfiles" "  adds no quality row (none for idle time)"

# --- Health and alerts: three batches in a row mostly bad ------------------------------------
D=$T/bad
mkdir -p "$D/input"
# Every fourth event's price made negative: 25% rejected, by one rule.
for i in 1 2 3; do
    "$SG" -q ecommerce -n 100 --days 1 --seed "$i" --anomalies 0 |
        awk -F, -v OFS=, 'NR > 1 && NR % 4 == 1 { $5 = "-" $5 } 1' >"$D/input/bad_$i.csv"
done
"$SG" -q ecommerce -n 100 --days 1 --seed 9 --anomalies 0 >"$D/input/good_4.csv"
sleep 1.1
DATA=$D RUN_SECONDS=0 MAX_LATENCY=0 SETTLE=1 "$P" 2>"$T/bad.err"
is "$?" 0 "a run over bad batches: exit 0 (a bad batch is not a failure of the run)"
is "$(q "$D" "SELECT group_concat(health) FROM (SELECT health FROM data_quality_metrics ORDER BY batch_id)")" \
    "DEGRADED,DEGRADED,ERROR,HEALTHY" "health: DEGRADED under 95% valid, ERROR at the third failed batch in a row, then HEALTHY"
is "$(q "$D" "SELECT count(*) FROM data_quality_metrics WHERE source_file LIKE '%bad_%' AND validity_pct < 95
    AND EXISTS (SELECT 1 FROM json_each(alerts) WHERE value LIKE 'validity %under 95%')
    AND EXISTS (SELECT 1 FROM json_each(alerts) WHERE value LIKE 'rule % rejected %')")" 3 \
    "the bad batches' rows carry the validity alert and a rule's over 10%"
is "$(q "$D" "SELECT count(*) FROM data_quality_metrics, json_each(alerts) WHERE value LIKE 'latency %'")" 4 \
    "the latency alert (MAX_LATENCY=0) in every row"
is "$(q "$D" "SELECT json_array_length(alerts) FROM data_quality_metrics WHERE source_file LIKE '%good_4.csv'")" 1 \
    "a good batch: the latency alert alone"
like "$(q "$D" "SELECT alerts FROM data_quality_metrics WHERE batch_id = 3")" '"3 failed batches in a row"' \
    "the ERROR row says why"
log=$D/logs/ingest-pipeline.log
is "$(grep -c '^20[0-9-]* [0-9:]* | WARNING | ingest-pipeline: batch [0-9]*: .*: validity [0-9.]*% under 95' "$log")" 3 \
    "a WARNING line a DEGRADED batch in DATA/logs/"
is "$(grep -c '| ERROR | ingest-pipeline: batch 3: .*: 3 failed batches in a row' "$log")" 1 "an ERROR line for the third"
is "$(grep -c '| WARNING | .*validity' "$T/bad.err")" 3 "the alerts on stderr too"
is "$(q "$D" "SELECT count(*) FROM dead_letter_events") $(q "$D" "SELECT sum(rejected) FROM data_quality_metrics")" \
    "$(cat "$D"/input/bad_*.csv | grep -c '^[^,]*,[^,]*,[^,]*,[^,]*,-') 75" \
    "dead letters: the negative prices (75), as the batches' rows count them"
is "$(q "$D" "SELECT count(*) FROM dead_letter_events, json_each(errors) e
    WHERE json_extract(e.value, '$.rule') = 'price_non_negative'")" 75 "  each for price_non_negative"

# --- The lock, a clean stop, a failing file -------------------------------------------------
printf 'not,a\n"broken\n' | gzip -c | head -c 20 >"$D/input/trunc.csv.gz"
sleep 1.1
DATA=$D POLL=0.2 "$P" 2>"$T/stop.err" &
pp=$!
pids=$pp
wait_for "$T/stop.err" "following" 10
DATA=$D RUN_SECONDS=0 "$P" 2>"$T/second.err"
is "$?" 75 "a second pipeline on the same DATA: exit 75"
wait_for "$T/stop.err" "trunc.csv.gz: failed in cleanse" 10
kill -TERM $pp
wait $pp
is "$?" 0 "SIGTERM: a clean stop, exit 0"
like "$(cat "$T/stop.err")" "\| ERROR \| ingest-pipeline: batch 5: .*trunc.csv.gz: failed in cleanse" \
    "a file cleanse cannot read: an ERROR line, not committed"
is "$(q "$D" "SELECT count(*) FROM data_quality_metrics WHERE source_file LIKE '%trunc%'")" 0 "  and no quality row for it"
like "$(cat "$T/stop.err")" "stopped" "the chain of counts, then stopped"
rm "$D/input/trunc.csv.gz"

# --- Killed at random moments, restarted: every file exactly once ---------------------------
D=$T/kill
mkdir -p "$D/input"
"$SG" -q ecommerce --rate 5000 --roll-rows 100 -n 3000 --anomalies 0.05 -d "$D/input" --truth "$T/ktruth.jsonl"
sleep 0.3
# Eight runs, each stopped a random moment (up to 0.3 s) after it
# committed a batch: by SIGKILL, or by Ctrl-C (SIGINT to the pipeline's
# process group, its programs too; perl, as a background job of sh starts
# with SIGINT ignored).
log=$D/logs/ingest-pipeline.log
batches() { c=$(grep -c '| INFO | ingest-pipeline: batch [0-9]*: .*: [0-9]* in' "$log" 2>/dev/null); echo "${c:-0}"; }
kills=0 ints=0
for i in 1 2 3 4 5 6 7 8; do
    n=$(batches)
    DATA=$D POLL=0.1 SETTLE=0.2 setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$P" 2>"$T/run.err" &
    pp=$!
    pids=$pp
    for j in $(seq 150); do
        [ "$(batches)" -gt "$n" ] && break
        sleep 0.05
    done
    sleep "$(awk -v s="$$$i" 'BEGIN { srand(s); printf "%.2f", rand() * 0.3 }')"
    if [ $((i % 2)) = 1 ]; then
        kill -KILL $pp 2>/dev/null && kills=$((kills + 1))
        wait $pp 2>/dev/null
    else
        env kill -INT -- "-$pp"	# (dash's kill takes no process group)
        for j in $(seq 150); do kill -0 $pp 2>/dev/null || break; sleep 0.1; done
        kill -KILL $pp 2>/dev/null && echo "# Ctrl-C did not stop it in 15 s"
        wait $pp && grep -q "the chain closes" "$T/run.err" && ints=$((ints + 1))
        grep abandoned "$T/run.err" | sed 's/^.*| INFO | /# /'
    fi
    # Its programs still running hold the lock a moment: a rerun waits.
    for j in $(seq 50); do
        flock -n "$D/.ingest-pipeline.lock" true && break
        sleep 0.1
    done
done
is "$kills" 4 "killed four times (SIGKILL)"
is "$ints" 4 "Ctrl-C four times: each run stops cleanly (exit 0, its chain closing)"
done_before=$(q "$D" "SELECT count(*) FROM data_quality_metrics")
echo "# files done after the kills and stops: $done_before of 30"
ok "$(( !(done_before > 0 && done_before < 30) ))" "the kills came while files remained"
DATA=$D POLL=0.1 SETTLE=0.2 RUN_SECONDS=0 "$P" 2>"$T/final.err"
is "$?" 0 "the last run takes the rest, exit 0"
reckon "$D" "$T/ktruth.jsonl"
is "$(q "$D" "SELECT count(*) || ' ' || count(DISTINCT source_file) FROM data_quality_metrics")" "30 30" \
    "every file taken, each once"
q "$D" "SELECT source_file || '|' || \"in\" || '|' || out || '|' || rejected || '|' || duplicates
    FROM data_quality_metrics" | sort >"$T/got.files"
is_file "$T/got.files" "$T/want.files" "each file's counts as awk reckons them (nothing lost, nothing twice)"
q "$D" "SELECT source_file || char(9) || event_id FROM ecommerce_events" | sort >"$T/got.valid"
is_file "$T/got.valid" "$T/want.valid" "ecommerce_events: each valid event once"
q "$D" "SELECT source FROM dead_letter_events" | sort >"$T/got.dead"
is_file "$T/got.dead" "$T/want.dead" "dead_letter_events: each once"
q "$D" "SELECT source FROM duplicate_events" | sort >"$T/got.dup"
is_file "$T/got.dup" "$T/want.dup" "duplicate_events: each once, across the restarts too"
is "$(q "$D" "SELECT group_concat(batch_id) FROM (SELECT batch_id FROM data_quality_metrics ORDER BY batch_id)")" \
    "$(seq -s, 1 30)" "batch numbers without gaps or repeats"
is "$(ls -A "$D" | grep -c '^\.ingest-pipeline\.run$')" 0 "no work folder left"

done_testing
