#!/bin/sh
# Crash consistency of stream-window reading Kafka with --checkpoint:
# while kafka-replay feeds a topic, stream-window is killed with SIGKILL
# at 20 random moments (seeded: SEED=N replays a run; the seed is in the
# TAP output), each time started again from its checkpoint folder; at
# the end -o FILE holds exactly the rows of an uninterrupted run, each
# once, as stream-window(1) promises for a file (cut back to the
# checkpoint at every restart).  The moments fall anywhere: while the
# group is joined, between checkpoints, while one is written.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
RP=$(prog kafka-replay)
SEED=${SEED:-$(date +%s)}
KILLS=20
echo "# seed $SEED (SEED=$SEED prove tests/kafka-crash.t runs these kill points again)"

mock_up --create-topic crash:3
pids=""
WIN="--time event_time --size 1h --slide 30m --watermark 5m -g category -m count -m revenue=sum:price -m users=distinct:user_id"

ecommerce_events 600 "$T/events.jsonl"
N=$(wc -l <"$T/events.jsonl" | tr -d ' ')
run stream-window $WIN -f jsonl "$T/events.jsonl"
sort "$T/out" >"$T/want"
like "$(err)" "$N in, $N out, 0 rejected, 0 duplicates, 0 filtered, $N aggregated, 0 late" "the reference: $N events from a file, none late"

# The kill points: seconds after each start, 2 to 5 (a group's first
# join in kafka-mock takes about 3).
awk -v seed="$SEED" -v n=$KILLS 'BEGIN { srand(seed); for (i = 0; i < n; i++) printf "%.2f\n", 2 + 3 * rand() }' >"$T/points"
# The events go out over about as long as the kills take.
secs=$(awk '{ s += $1 + 0.3 } END { printf "%d", s }' "$T/points")
"$RP" -q -b "$B" -t crash --key category --rate $(( N / (secs - 5) + 1 )) "$T/events.jsonl" &
rp=$!
pids=$rp
# Each run in a group of its own: a member killed stays in its group
# until its session times out, and a new member's join would wait for
# it; where a partition starts is the checkpoint's to say, not the
# group's.
i=0
bad=0
grew=0
size=0
while read -r at; do
    i=$(( i + 1 ))
    "$SW" $WIN -b "$B" -t crash -G "g-crash-$i" --checkpoint "$T/ck" -o "$T/out.jsonl" \
        --trigger 100ms -q 2>"$T/run-$i.err" &
    sw=$!
    pids="$rp $sw"
    sleep "$at"
    kill -9 $sw 2>/dev/null
    wait $sw 2>/dev/null
    now=$(wc -c <"$T/out.jsonl" 2>/dev/null || echo 0)
    [ "$now" -gt "$size" ] && grew=$(( grew + 1 ))
    size=$now
    # A run may not fail before it is killed (a damaged checkpoint, say).
    grep -v '^stream-window: kafka: ' "$T/run-$i.err" | grep -q . && bad=$(( bad + 1 )) &&
        sed "s/^/# run $i: /" "$T/run-$i.err" | head -5 >&2
done <"$T/points"
is "$i $bad" "$KILLS 0" "$KILLS runs killed with SIGKILL at random moments, none said a word of trouble"
ok "$(( grew < 5 ))" "  $grew of them killed after writing rows (mid-stream), at least 5"
wait $rp
is "$?" 0 "the events all produced meanwhile"
run stream-window $WIN -b "$B" -t crash -G g-crash-end --checkpoint "$T/ck" -o "$T/out.jsonl" \
    --stop-at-end
is "$rc" 0 "the last restart, to the end: exit 0"
like "$(err)" "out.jsonl: going on from the checkpoint, at byte [1-9]" "  from the checkpoint the killed runs left"
sort "$T/out.jsonl" >"$T/got"
is_file "$T/got" "$T/want" "killed $KILLS times and restarted: exactly the rows of an uninterrupted run ($(wc -l <"$T/want" | tr -d ' ')), none twice, none missing"
done_testing
