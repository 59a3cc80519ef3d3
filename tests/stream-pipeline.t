#!/bin/sh
# scripts/stream-pipeline: events stream through kafka-mock, stream-window
# and both sinks; SIGTERM stops every process of it in order (none left,
# the checkpoint saved, the sinks' rows agreeing); a rerun goes on from
# the checkpoint.
. "$SLUICE_TOP/tests/lib.sh"
P=$SLUICE_TOP/scripts/stream-pipeline
export DATA=$T/data SLUICE_BIN RATE=400 SIZE=2s SLIDE=2s WATERMARK=1s TRIGGER=300ms
DB=$DATA/warehouse.db
finals() { sqlite3 "$DB" 'SELECT count(*) FROM stream_windows WHERE final' 2>/dev/null || echo 0; }

"$P" 2>"$T/err" &
pid=$!
for i in $(seq 300); do
    [ "$(finals)" -ge 8 ] && break
    sleep 0.1
done
ok "$(( $(finals) < 8 ))" "windows reach SQLite while it runs ($(finals) final rows)"
children=$(pgrep -P $pid | tr '\n' ' ')
ok "$(( $(echo $children | wc -w) < 8 ))" "  its processes: $(echo $children | wc -w)"
kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM: exit 0"
sleep 0.2
left=0
for c in $children; do kill -0 "$c" 2>/dev/null && left=$((left + 1)); done
is "$left" 0 "  no process of it left"
like "$(cat "$T/err")" "stopped" "  said"
ls "$DATA/checkpoints/stream-window" >"$T/ck"
like "$(cat "$T/ck")" '^stdout-0\.ckpt$' "  the checkpoint saved"
LOG=$DATA/logs/stream-pipeline.log
like "$(cat "$LOG")" "stream-window: [0-9]+ in, [0-9]+ out, [0-9]+ rejected, 0 duplicates, [0-9]+ filtered, [0-9]+ aggregated" "  stream-window's summary in the log"
like "$(cat "$LOG")" "kafka-replay: ([0-9]+) in, \1 out, 0 rejected, 0 duplicates, 0 filtered, \1 produced, \1 delivered, 0 failed" "  kafka-replay's: all it produced delivered"
like "$(cat "$T/err")" "stream-pipeline: counts: the chain closes" "  the chain of counts, source to warehouse, closes"
gen=$(sed -n 's/.*  generated: \([0-9]*\) events made.*/\1/p' "$T/err")
cl=$(sed -n 's/.*  cleanse: \([0-9]*\) in = \([0-9]*\) out + \([0-9]*\) rejected.*/\1 \2 \3/p' "$T/err")
dl=$(sed -n 's/.*  Kafka: \([0-9]*\) delivered = \([0-9]*\) read by stream-window + \([0-9]*\) left.*/\1 \2 \3/p' "$T/err")
ok "$(( ${gen:-0} < 1 ))" "  $gen events generated"
is "${cl%% *}" "$gen" "  cleanse read what was generated"
# Each dead letter is a line of the file the chain names.
is "$(wc -l <"$DATA/output/stream_dead_letter.jsonl" | tr -d ' ')" "$(echo "$cl" | cut -d' ' -f3)" \
    "  the dead letters the chain counts are in output/stream_dead_letter.jsonl"
set -- $dl
is "$1 $3" "$2 0" "  what was delivered was read: nothing left in the topic at the stop"
is "$(sqlite3 "$DB" "SELECT generated || ' ' || events_in || ' ' || chain_closes FROM stream_metrics WHERE program = 'stream-pipeline'")" \
    "$gen $2 1" "  the same figures in stream_metrics, for the dashboard"
# The final windows, in SQLite (upserted) and in Parquet (appended, final
# only), are the same windows with the same counts.
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
pq=$("$DUCK" "SELECT count(*)::VARCHAR AS n, sum(record_count)::VARCHAR AS s FROM read_parquet('$DATA/output/streaming_windows/*.parquet')")
is "$pq" "$(sqlite3 "$DB" 'SELECT "{""n"":""" || count(*) || """,""s"":""" || sum(record_count) || """}" FROM stream_windows WHERE final')" \
    "the Parquet files hold the final windows SQLite holds ($pq)"
is "$(sqlite3 "$DB" "SELECT count(*) > 0 FROM stream_metrics WHERE name = 'stream_windows'") $(sqlite3 "$DB" 'SELECT count(*) FROM stream_metrics WHERE name IS NULL')" "1 0" \
    "the stream's health in stream_metrics, every line named stream_windows"

# A rerun goes on from the checkpoint.
RUN_SECONDS=6 "$P" 2>"$T/err2"
is "$?" 0 "a rerun (RUN_SECONDS=6): exit 0, stopping by itself"
like "$(cat "$LOG")" "events\[[0-3]\]: from the checkpoint" "  its partitions from the checkpoint"
like "$(cat "$T/err2")" "stopped after 6s" "  said"

# One at a time on a data folder.
"$P" 2>"$T/err3" &
first=$!
for i in $(seq 50); do grep -q running "$T/err3" && break; sleep 0.1; done
RUN_SECONDS=1 "$P" 2>"$T/err4"
is "$?" 75 "a second pipeline on the same data folder: exit 75"
kill -TERM $first
wait $first
done_testing
