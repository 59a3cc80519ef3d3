#!/bin/sh
# stream-window reading Kafka (kafka-mock, librdkafka's mock cluster):
# the windows of what kafka-replay produced equal those of the same
# events from stdin; a process killed with SIGKILL mid-stream and
# restarted from its checkpoint writes exactly the rows of an
# uninterrupted run (-o FILE is cut back to the checkpoint); two
# processes in one group share four partitions, and when one is killed
# the other takes its partitions up with their windows; bad messages,
# an unreachable broker, a checkpoint made with other options.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
RP=$(prog kafka-replay)

mock_up --create-topic events:4 --create-topic killed:4 --create-topic shared:4 --create-topic bad:1 --create-topic unkeyed:2
pids=""
# Rebalances in seconds, not the default 45 (a dead member is noticed
# after session.timeout.ms).
FAST="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"
WIN="--time event_time --size 1h --slide 15m --watermark 5m -g category -m count -m revenue=sum:price -m users=approx_distinct:user_id"

# in_of FILE: events_in of the last --health line.
in_of() {
    tail -n 1 "$1" 2>/dev/null | sed -n 's/.*"events_in":\([0-9]*\).*/\1/p'
}

# Three days of e-commerce events in time order, keyed by category so a
# category's events share a partition and keep their order.
ecommerce_events 2000 "$T/events.jsonl"
N=$(wc -l <"$T/events.jsonl" | tr -d ' ')
run stream-window $WIN -f jsonl "$T/events.jsonl"
sort "$T/out" >"$T/want"
like "$(err)" "$N in, $N out, 0 rejected, 0 duplicates, 0 filtered, $N aggregated, 0 late" "the reference: $N events from a file, none late"

# --- What kafka-replay produced -------------------------------------------------
"$RP" -q -b "$B" -t events --key category "$T/events.jsonl"
run stream-window $WIN -b "$B" -t events -G g-events $FAST --stop-at-end
is "$rc" 0 "Kafka: exit 0 at the end of the partitions (--stop-at-end)"
sort "$T/out" >"$T/got"
is_file "$T/got" "$T/want" "the windows from Kafka equal those from the file ($(wc -l <"$T/want") rows)"
like "$(err)" "reading events\[0\], events\[1\], events\[2\], events\[3\]" "  it read all four partitions"
like "$(err)" "$N in, $N out, 0 rejected, 0 duplicates, 0 filtered, $N aggregated, 0 late" "  every event accounted for"
run stream-window $WIN -b "$B" -t events -G g-events $FAST --stop-at-end
like "$(err)" "$N in" \
    "without --checkpoint nothing is committed: the group reads it all again..."
run stream-window $WIN -b "$B" -t events -G g-events $FAST --stop-at-end --from latest
is "$(out | wc -l | tr -d ' ')" 0 "  ...so --from latest reads nothing"

# Keyed by event, not by the groups: each partition writes parts of a
# window's rows.
"$RP" -q -b "$B" -t unkeyed --key event_id "$T/events.jsonl"
run stream-window $WIN -b "$B" -t unkeyed -G g-unkeyed $FAST --stop-at-end
like "$(err)" 'the key "[a-z]+" comes from unkeyed\[[01]\] and unkeyed\[[01]\]: each partition writes its own rows' \
    "messages not keyed by the -g fields: said, once"
is "$(grep -c 'comes from' "$T/err")" 1 "  once"

# --- SIGKILL mid-stream, then a restart from the checkpoint ----------------------
# The events go out at 750 a second while stream-window reads them; it is
# killed once it has written rows, and started again when all are out.
# Among them a bad one every 200 (a time that is not one), for --reject.
awk '{ print } NR % 200 == 0 { print "{\"event_time\":\"never\",\"category\":\"books\",\"price\":1,\"user_id\":" NR "}" }' \
    "$T/events.jsonl" >"$T/killed.jsonl"
nbad=$(( N / 200 ))
"$RP" -q -b "$B" -t killed --key category --rate 750 "$T/killed.jsonl" &
rp=$!
pids="$rp"
"$SW" $WIN -b "$B" -t killed -G g-killed $FAST --checkpoint "$T/ck" -o "$T/k.jsonl" \
    --reject "$T/k-rej.jsonl" --trigger 200ms --health "$T/k-m.jsonl" 2>"$T/k1.err" &
sw=$!
pids="$rp $sw"
for i in $(seq 300); do
    got=$(in_of "$T/k-m.jsonl")
    [ "${got:-0}" -gt $(( N / 4 )) ] && break
    sleep 0.1
done
# Half a second more: two checkpoints at least past the first events
# (the group join leaves a backlog read in one go).
sleep 0.5
kill -9 $sw
wait $sw 2>/dev/null
killed_at=$(in_of "$T/k-m.jsonl")
ok "$(( ${killed_at:-0} <= N / 4 || ${killed_at:-0} >= N ))" \
    "killed mid-stream: after $killed_at of $N events, $(wc -l <"$T/k.jsonl") rows written"
wait $rp
mkdir "$T/sub"
run stream-window $WIN -b "$B" -t killed -G g-killed $FAST --checkpoint "$T/ck" \
    -o "$T/sub/../k.jsonl" --reject "$T/k-rej.jsonl" --stop-at-end
is "$rc" 0 "the restart (-o the same file, written another way): exit 0"
like "$(err)" "k.jsonl: going on from the checkpoint, at byte [1-9]" "  the output cut back to the checkpoint"
like "$(err)" "killed\[[0-3]\]: from the checkpoint, at offset [1-9]" "  the partitions from the checkpoint"
sort "$T/k.jsonl" >"$T/got"
is_file "$T/got" "$T/want" "killed and restarted: exactly the rows of an uninterrupted run, none twice"
is "$(sed -n 's/.*"user_id":\([0-9]*\)}}$/\1/p' "$T/k-rej.jsonl" | sort -n | uniq | wc -l | tr -d ' ') $(wc -l <"$T/k-rej.jsonl" | tr -d ' ')" \
    "$nbad $nbad" "  and --reject holds each bad event exactly once (cut back too)"

# A checkpoint of other windows is refused, before anything is read.
run stream-window --time event_time --size 2h -g category -b "$B" -t killed \
    -G g-killed $FAST --checkpoint "$T/ck" -o "$T/k2.jsonl" --stop-at-end
is "$rc" 1 "other window options than the checkpoint's: exit 1"
like "$(err)" "made with other window options" "  said so"

# --- Two processes in a group, one killed -----------------------------------------
half=$(( N / 2 ))
head -n $half "$T/events.jsonl" >"$T/first.jsonl"
tail -n +$(( half + 1 )) "$T/events.jsonl" >"$T/second.jsonl"
"$RP" -q -b "$B" -t shared --key category "$T/first.jsonl"
start() {	# start NAME: a member of g-shared writing NAME.jsonl
    "$SW" $WIN -b "$B" -t shared -G g-shared $FAST --checkpoint "$T/ck2" \
        -o "$T/$1.jsonl" --trigger 200ms --health "$T/$1-m.jsonl" 2>"$T/$1.err" &
}
start a
a=$!
# A reads the whole first half before B comes, so that each partition
# it hands over has windows to hand.
for i in $(seq 600); do
    [ "$(in_of "$T/a-m.jsonl")" = "$half" ] && break
    sleep 0.1
done
start b
b=$!
pids="$a $b"
# B is given two partitions, with their windows from A's checkpoint (A
# saves them as they go); both read all of the first half.
for i in $(seq 600); do
    [ "$(grep -c 'from the checkpoint' "$T/b.err")" -ge 2 ] && break
    sleep 0.1
done
b_parts=$(sed -n 's/^stream-window: \(shared\[[0-3]\]\): from the checkpoint.*/\1/p' "$T/b.err" | sort -u)
a_parts=$(printf 'shared[%s]\n' 0 1 2 3 | grep -vxF "$b_parts")
is "$(echo $b_parts | wc -w) $(echo $a_parts | wc -w)" "2 2" \
    "the second member joins: two partitions move to it, with their windows from A's checkpoint"
sleep 0.5
kill -9 $a
wait $a 2>/dev/null
seen=$(wc -l <"$T/b.err")
"$RP" -q -b "$B" -t shared --key category "$T/second.jsonl"
# B takes A's two partitions (after A's session times out), from A's
# checkpoint.
took() {
    n=0
    for p in $a_parts; do
        tail -n +$(( seen + 1 )) "$T/b.err" | grep -qF "$p: from the checkpoint" && n=$(( n + 1 ))
    done
    echo $n
}
for i in $(seq 300); do
    [ "$(took)" = 2 ] && break
    sleep 0.1
done
is "$(took)" 2 "A killed: B takes A's two partitions up from A's checkpoint"
# Until B has read everything, then stops (SIGTERM: saved, not written).
prev=-1
for i in $(seq 100); do
    cur=$(in_of "$T/b-m.jsonl")
    [ "$cur" = "$prev" ] && break
    prev=$cur
    sleep 0.5
done
kill -TERM $b
wait $b
is "$?" 0 "SIGTERM: B saves its checkpoint and exits 0"
run stream-window $WIN -b "$B" -t shared -G g-shared $FAST --checkpoint "$T/ck2" \
    -o "$T/b.jsonl" --stop-at-end
like "$(err)" "shared\[3\]: from the checkpoint" "B again, alone: all four partitions from the checkpoints"
# A's file may end with rows B wrote again after taking over (A never came
# back to cut it): the same rows, so the union, once each, is the result.
sort -u "$T/a.jsonl" "$T/b.jsonl" >"$T/got"
is_file "$T/got" "$T/want" "A and B together: the windows of an uninterrupted run"

# --- Bad messages, an unreachable broker ---------------------------------------------
printf '{"event_time":"2025-02-03T00:00:00Z","category":"x","price":1,"user_id":1}\nnot json\n{"event_time":"yesterday","category":"x","price":1,"user_id":1}\n' |
    kcat -q -b "$B" -P -t bad 2>/dev/null
run stream-window $WIN -b "$B" -t bad -G g-bad $FAST --stop-at-end --reject "$T/rej.jsonl"
is "$(out | wc -l | tr -d ' ')" 4 "a good message among bad ones: its four windows"
like "$(err)" "3 in, 1 out, 2 rejected, 0 duplicates, 0 filtered, 1 aggregated, 0 late" "  the bad counted"
is "$(sed 's/.*"source":"\([^"]*\)".*"rule":"\([a-z]*\)".*/\1 \2/' "$T/rej.jsonl" | tr '\n' ' ')" \
    "bad[0]:1 parse bad[0]:2 time " "  and written to --reject with topic, partition and offset"
t0=$(date +%s)
run stream-window $WIN -b 127.0.0.1:1 -t x -G g --timeout 2
is "$rc" 1 "an unreachable broker: exit 1"
like "$(err)" "cannot reach the brokers 127.0.0.1:1 within 2s" "  said"
ok "$(( $(date +%s) - t0 > 5 ))" "  within --timeout"
done_testing
