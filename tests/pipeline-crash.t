#!/bin/sh
# Crash consistency: scripts/batch-pipeline, stream-window over a file and
# scripts/stream-pipeline are killed with SIGKILL, their whole process
# group, at random moments (seeded: CRASH_SEED, else a new seed, printed
# so a failure can be run again).
#
# batch-pipeline runs over two inputs in turn, A then B then A ...; after
# each kill, what readers see through output/NAME must be all four outputs
# of the last run or all four of the killed one (checksums, the Parquet
# files' names without their run's id), the warehouse the last run's
# tables or the killed one's (PRAGMA integrity_check, rows), never newer
# files than tables; then a rerun must equal an uninterrupted run over the
# same input, files and warehouse, with nothing of the killed run left.
# stream-window over a file has no checkpoint (--checkpoint is refused
# without Kafka; a file is read again from its start): after a kill its
# -o and --late files hold a prefix of an uninterrupted run's, and a
# rerun writes exactly that run's rows to -o.
# (--late appends, so the rerun's follow the killed run's; a kill can
# cut its last line, which the rerun drops before it appends.)
# stream-pipeline (its own kafka-mock; a first whole run, then 12 kills,
# running beside the others as it mostly waits): after each kill every
# process of it ends (in order, by its watcher), the lock is freed, the
# warehouse is whole, every JSON Lines line and the checkpoint parse,
# and a rerun (its live source cannot be run again alike) closes its
# chain of counts, taking up the checkpoint.
. "$SLUICE_TOP/tests/lib.sh"
seed=${CRASH_SEED:-$(( $(date +%s) % 100000 ))}
KILLS=${CRASH_KILLS:-20}
SKILLS=${CRASH_STREAM_KILLS:-12}
echo "# seed $seed (CRASH_SEED=$seed runs these kill points again)"
# points N MAX SALT: N random whole numbers in [0, MAX), one a line.
points() {
    awk -v s="$((seed + $3))" -v n="$1" -v m="$2" \
        'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%d\n", rand() * m }'
}
# killed MS CMD...: run CMD in a process group of its own and SIGKILL the
# group after MS milliseconds.
killed() {
    _ms=$1
    shift
    setsid "$@" >/dev/null 2>>"$T/killed.err" &
    _p=$!
    sleep "$(awk -v m="$_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -KILL "-$_p" 2>/dev/null	# dash's kill takes no --
    wait "$_p" 2>/dev/null
}
ms() { date +%s%3N; }

# --- stream-pipeline, in the background ----------------------------------------------
# Its results as lines "0|1 label" in $T/stream.tap, said at the end.
SD=$T/stream
(
    export DATA=$SD RATE=300 SIZE=2s SLIDE=2s WATERMARK=1s TRIGGER=300ms
    P=$SLUICE_TOP/scripts/stream-pipeline
    r() { echo "$1 $2" >>"$T/stream.tap"; }
    # A first run to its end leaves a checkpoint, so the rerun after the
    # kills has one to take up however early each kill came (under
    # AddressSanitizer the group is seldom joined within 4 seconds).
    RUN_SECONDS=3 "$P" 2>"$T/stream.err"
    rc=$?
    ls "$SD"/checkpoints/stream-window/*.ckpt >/dev/null 2>&1
    r $((rc + $?)) "stream-pipeline: a first run (RUN_SECONDS=3) exits 0 and leaves a checkpoint (exit $rc)"
    [ $rc = 0 ] || sed 's/^/#   /' "$T/stream.err" >&2
    i=0
    for at in $(points "$SKILLS" 3500 7); do
        i=$((i + 1))
        at=$((at + 500))
        killed "$at" "$P"
        t0=$(ms)
        flock -w 60 "$SD/.stream-pipeline.lock" true
        r $? "stream-pipeline killed at $at ms ($i of $SKILLS): its processes stopped, the lock free after $(( $(ms) - t0 )) ms"
        left=$(pgrep -f "$SD" | wc -l)
        r "$left" "  no process of it left"
        [ ! -e "$SD/.stream-pipeline.run" ]
        r $? "  its run folder removed"
        ic=$(sqlite3 "$SD/warehouse.db" 'PRAGMA integrity_check' 2>&1)
        [ "$ic" = ok ]
        r $? "  the warehouse is whole ($ic)"
        bad=0
        for f in "$SD"/output/*.jsonl "$SD"/checkpoints/stream-window/*; do
            [ -e "$f" ] || continue
            jq -e . "$f" >/dev/null 2>&1 || { bad=1; echo "# does not parse: $f" >&2; }
        done
        r $bad "  every JSON Lines line and the checkpoint parse"
    done
    logged=$(wc -c <"$SD/logs/stream-pipeline.log")
    RUN_SECONDS=4 "$P" 2>"$T/stream.err"
    rc=$?
    r $rc "stream-pipeline after $SKILLS kills: a rerun (RUN_SECONDS=4) exits 0"
    [ $rc = 0 ] || { cat "$T/stream.err"; tail -n 30 "$SD/logs/stream-pipeline.log"; } | sed 's/^/#   /' >&2
    grep -q "counts: the chain closes" "$T/stream.err"
    r $? "  its chain of counts closes"
    tail -c +"$((logged + 1))" "$SD/logs/stream-pipeline.log" | grep -q "from the checkpoint"
    r $? "  stream-window took up the checkpoint"
    n=$(sqlite3 "$SD/warehouse.db" "SELECT count(*) - count(DISTINCT window_start || window_end || category) FROM stream_windows")
    r "$n" "  stream_windows: one row a window and key, however often rows were written again"
    ls -a "$SD/output/streaming_windows" | grep -q '\.tmp-'
    r $((1 - $?)) "  no Parquet temporary left"
) &
stream=$!

# --- batch-pipeline ---------------------------------------------------------------
D=$T/batch
export DATA=$D SLUICE_BIN WAIT_SECONDS=1
P=$SLUICE_TOP/scripts/batch-pipeline
"$SLUICE_BIN/schema-gen" -q retail --per-day 300 --days 3 -d "$T/A"
"$SLUICE_BIN/schema-gen" -q retail --per-day 200 --days 4 --start 2025-02-01 -d "$T/B"
# Orders without a date: B has dead letters, A none (its rows of
# dead_letter_events emptied).
for i in 1 2 3; do
    echo "X-$i,never,BOM-01,Mumbai,Masala Chai,1,20.00,20.00" >>"$T/B/retail_2025-02-01.csv"
done

# files: what readers see through output/NAME, as checksums; a metrics
# line without what differs from run to run (its time, seconds, run).
files() {
    for n in analysis_csv analysis_csv_kpis analysis_parquet quality; do
        if [ ! -d "$D/output/$n" ]; then
            echo "$n missing"
            continue
        fi
        (cd "$D/output/$n/" && find . -type f | LC_ALL=C sort | while read -r f; do
            case $f in
            */metrics.jsonl) s=$(jq -c 'del(.time, .seconds, .run)' "$f" | cksum) ;;
            *) s=$(cksum <"$f") ;;
            esac
            echo "$n/$(echo "$f" | sed 's/-[0-9a-f]*\.parquet$/.parquet/') $s"
        done)
    done | cksum
}
# tables: the warehouse's batch tables and quality rows, in order, as a
# checksum; the rows themselves in $T/tables.
tables() {
    sqlite3 "$D/warehouse.db" 'SELECT * FROM batch_daily ORDER BY 1, 2, 3;
        SELECT * FROM batch_kpis; SELECT count(*) FROM dead_letter_events;
        SELECT inputs, "in", out, rejected FROM data_quality_metrics ORDER BY rowid' >"$T/tables" 2>&1
    sqlite3 "$D/warehouse.db" "SELECT rowid, run, input_sha256 FROM data_quality_metrics" >"$T/runs" 2>&1
    cksum <"$T/tables"
}
# differ WANT: what in the tables differs from $T/tables.WANT (a failure's
# diagnostics).
differ() { { diff "$T/tables.$1" "$T/tables" | head -n 10; cat "$T/runs"; } | sed "s/^/#   /" >&2; }
whole() { sqlite3 "$D/warehouse.db" 'PRAGMA integrity_check' 2>&1; }
leftovers() {
    (cd "$D/output" && ls -d .batch-pipeline.* .link-* 2>/dev/null)
    [ "$(ls "$D/output/runs" 2>/dev/null | wc -l)" -le 3 ] || echo "more than 3 runs kept"
}

# Uninterrupted runs: A, B, then A and B again as the states to expect
# (data_quality_metrics: a row an input, the last run's last).
longest=0
for x in A B A B; do
    t0=$(ms)
    INPUT="$T/$x/*" "$P" 2>"$T/err" || { echo "Bail out! an uninterrupted run over $x failed"; cat "$T/err" >&2; exit 1; }
    t=$(( $(ms) - t0 ))
    [ "$t" -gt "$longest" ] && longest=$t
    eval "F$x=\$(files) W$x=\$(tables)"
    cp "$T/tables" "$T/tables.$x"
done
is "$(whole)" ok "uninterrupted runs over inputs A and B in turn (the longest $longest ms): the warehouse whole"
[ "$FA" != "$FB" ] && [ "$WA" != "$WB" ]
ok $? "  A's outputs and tables are not B's"

cur=B i=0 saw_old=0 saw_new=0 saw_tables=0
for at in $(points "$KILLS" "$longest" 0); do
    i=$((i + 1))
    if [ $cur = A ]; then next=B; else next=A; fi
    killed "$at" env INPUT="$T/$next/*" "$P"
    flock -w 10 "$D/.batch-pipeline.lock" true
    eval "fo=\$F$cur fn=\$F$next wo=\$W$cur wn=\$W$next"
    f=$(files) w=$(tables)
    if [ "$f" = "$fo" ]; then sf=old; saw_old=$((saw_old + 1))
    elif [ "$f" = "$fn" ]; then sf=new; saw_new=$((saw_new + 1))
    else sf=neither; fi
    if [ "$w" = "$wo" ]; then sw=old
    elif [ "$w" = "$wn" ]; then sw=new
    else sw=neither; fi
    [ $sf = old ] && [ $sw = new ] && saw_tables=$((saw_tables + 1))
    [ $sf != neither ] && [ $sw != neither ] && [ "$sf$sw" != newold ] && [ "$(whole)" = ok ]
    st=$?
    ok $st "batch-pipeline $cur -> $next killed at $at ms ($i of $KILLS): outputs $sf, warehouse $sw ($(whole))"
    [ $st = 0 ] || differ $next
    INPUT="$T/$next/*" "$P" 2>"$T/err"
    rc=$?
    [ $rc = 0 ] && [ "$(files)" = "$fn" ] && [ "$(tables)" = "$wn" ] && [ -z "$(leftovers)" ]
    st=$?
    ok $st "  the rerun (exit $rc) equals an uninterrupted run over $next; nothing of the killed run left $(leftovers | tr '\n' ' ')"
    [ $st = 0 ] || differ $next
    cur=$next
done
echo "# batch-pipeline: after the kills readers saw the old outputs $saw_old times, the new $saw_new; the new tables with the old files $saw_tables"
ls -la "$D/output" | sed 's/^/# /'

# --- stream-window over a file ---------------------------------------------------------
# Sorted by time, the events make windows; then events out of order,
# most of them late, enough for --late to be written in several buffers.
"$SLUICE_BIN/schema-gen" -q ecommerce --per-day 12000 -f jsonl >"$T/un.jsonl"
jq -c -s 'sort_by(.event_time | tostring) | .[]' "$T/un.jsonl" >"$T/ev.jsonl"
head -n 6000 "$T/un.jsonl" >>"$T/ev.jsonl"
SW="$SLUICE_BIN/stream-window --time event_time --size 1h --slide 15m --watermark 15m -g category -m count -m revenue=sum:price"
t0=$(ms)
# shellcheck disable=SC2086
$SW -q -o "$T/ref.jsonl" --late "$T/ref-late.jsonl" "$T/ev.jsonl" 2>/dev/null
rc=$?
t=$(( $(ms) - t0 ))
is "$rc" 0 "stream-window over $(wc -l <"$T/ev.jsonl" | tr -d ' ') events: $(wc -l <"$T/ref.jsonl" | tr -d ' ') rows, $(wc -l <"$T/ref-late.jsonl" | tr -d ' ') late ($t ms)"
# prefix GOT WANT: GOT is WANT's first bytes.
prefix() { [ ! -e "$1" ] || cmp -s -n "$(wc -c <"$1")" "$1" "$2"; }
# whole FILE: FILE is absent, empty or ends with a whole line.
whole_lines() { [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]; }
i=0 torn=0 glued=0
for at in $(points "$KILLS" $((t + t / 4 + 1)) 3); do
    i=$((i + 1))
    rm -f "$T/w.jsonl" "$T/late.jsonl"
    # shellcheck disable=SC2086
    killed "$at" $SW -q -o "$T/w.jsonl" --late "$T/late.jsonl" "$T/ev.jsonl"
    got=$(wc -c 2>/dev/null <"$T/w.jsonl" || echo 0)
    prefix "$T/w.jsonl" "$T/ref.jsonl" && prefix "$T/late.jsonl" "$T/ref-late.jsonl"
    ok $? "stream-window killed at $at ms ($i of $KILLS): -o and --late hold a prefix of an uninterrupted run's ($got of $(wc -c <"$T/ref.jsonl" | tr -d ' ') bytes)"
    whole_lines "$T/late.jsonl" || torn=$((torn + 1))
    # --late appends: the rerun's late events follow the killed run's.
    # A kill can cut its last line: the rerun drops that part line first.
    k=0
    if [ -f "$T/late.jsonl" ]; then
        k=$(wc -c <"$T/late.jsonl")
        [ -n "$(tail -c 1 "$T/late.jsonl")" ] && k=$((k - $(tail -n 1 "$T/late.jsonl" | wc -c)))
    fi
    # shellcheck disable=SC2086
    $SW -q -o "$T/w.jsonl" --late "$T/late.jsonl" "$T/ev.jsonl" 2>/dev/null
    cmp -s "$T/w.jsonl" "$T/ref.jsonl" && tail -c +$((k + 1)) "$T/late.jsonl" | cmp -s - "$T/ref-late.jsonl"
    ok $? "  the rerun writes exactly an uninterrupted run's rows to -o, and appends its late events after the killed run's $k bytes of whole lines"
    jq -c . "$T/late.jsonl" >/dev/null 2>&1 || glued=$((glued + 1))
done
# A kill between two writes of a buffer cuts a line; the rerun cuts the
# file back to its last whole line before it appends (out_open).
is "$glued" 0 "after every rerun each --late line is whole JSON ($torn of $KILLS kills had cut one)"

# --- stream-pipeline's results ----------------------------------------------------
wait $stream
while read -r s label; do
    if [ "$s" = 0 ]; then _tap 1 "$label"; else _tap 0 "$label"; fi
done <"$T/stream.tap"
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
pq=$("$DUCK" "SELECT count(*)::VARCHAR AS n FROM read_parquet('$SD/output/streaming_windows/*.parquet')")
like "$pq" '^\{"n":"[0-9]+"\}$' "  every Parquet file it wrote reads (DuckDB: $pq rows)"
done_testing
