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
like "$(cat "$LOG")" "stream-window: [0-9]+ in, [0-9]+ aggregated" "  stream-window's summary in the log"
like "$(cat "$LOG")" "kafka-replay: ([0-9]+) in, \1 produced, \1 delivered, 0 failed" "  kafka-replay's: all it produced delivered"
# The final windows, in SQLite (upserted) and in Parquet (appended, final
# only), are the same windows with the same counts.
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
pq=$("$DUCK" "SELECT count(*)::VARCHAR AS n, sum(record_count)::VARCHAR AS s FROM read_parquet('$DATA/output/streaming_windows/*.parquet')")
is "$pq" "$(sqlite3 "$DB" 'SELECT "{""n"":""" || count(*) || """,""s"":""" || sum(record_count) || """}" FROM stream_windows WHERE final')" \
    "the Parquet files hold the final windows SQLite holds ($pq)"
is "$(sqlite3 "$DB" 'SELECT count(*) > 0 FROM stream_metrics')" 1 "the stream's health in stream_metrics"

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
