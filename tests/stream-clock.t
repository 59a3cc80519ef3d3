#!/bin/sh
# stream-window on the clock, whatever the rate: at 2 events a second over
# three partitions, each event's row is out within a trigger (it was
# written every 64 events, or when the producer stopped); a stop by
# SIGTERM first reads what the topic held (--drain), and says and counts
# what it leaves (--drain 0); --stats has the same figures.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
RP=$(prog kafka-replay)
bound=1000
[ -n "$SLUICE_WRAP" ] && bound=3000

mock_up -q --create-topic slow:3 --create-topic backlog:2 --create-topic stopnow:2
pids=""
FAST="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"

# --- 2 events a second over 3 partitions ------------------------------------------
# A steady stream (lat-emit: an event every 500 ms, whatever comes out),
# each event its own key, through kafka-replay with no message key: each
# event is a batch of its own, to the next partition in turn.  With the
# default trigger of 1 s, stream-window used to write only when a poll
# came back empty for half a trigger, which a message every 500 ms never
# let happen, or every 64th message: nothing for 30 s, then everything.
# Now each event's row is out within a trigger and the transport: 1.5 s
# at most (the trigger alone can be a whole second).
mkfifo "$T/ev" "$T/rows"
"$(prog lat-emit)" -w -r 2 -n 12 -k 12 -l "$T/sent" >"$T/ev" 2>"$T/emit.err" &
emit=$!
$SLUICE_WRAP "$RP" -q -b "$B" -t slow <"$T/ev" 2>"$T/rp.err" &
rp=$!
"$(prog lat-tap)" -k k -v last -l "$T/seen" <"$T/rows" >/dev/null 2>"$T/tap.err" &
tap=$!
$SLUICE_WRAP "$SW" -b "$B" -t slow -G g-slow $FAST --time event_time --size 1h -g k \
    -m count -m last=max:sent_us --mode update -f csv >"$T/rows" 2>"$T/slow.err" &
sw=$!
pids="$sw $emit $rp $tap"
wait_for "$T/slow.err" "reading slow" 60
ok $? "stream-window reads the three partitions"
sleep 0.2
kill -USR1 $emit
wait $emit
wait $rp
sleep 1.6
kill -TERM $sw
wait $sw
is "$?" 0 "stream-window stops on SIGTERM, exit 0"
wait $tap
got=$("$(prog lat-stats)" "$T/sent" "$T/seen" 2>"$T/stats.err")
set -- $got
is "${1:-}:${2:-}" "12:12" "every one of the 12 events came out as a row ($(cat "$T/stats.err"))"
ok "$(awk -v m="${5:-9999}" -v b=$((bound + 500)) 'BEGIN { print !(m < b) }')" \
    "each within $((bound + 500)) ms of being written (p50 ${3:-?} ms, the slowest ${5:-?} ms)"
parts=$(grep -o 'slow\[[0-2]\]' "$T/slow.err" | sort -u | wc -l | tr -d ' ')
is "$parts" 3 "  read from all three partitions"

# --- A stop reads what the topic held --------------------------------------------------
# 20000 events wait in the topic; the broker answers 300 ms late, so the
# stop, as soon as stream-window has its partitions, comes long before it
# could have read them.
"$(prog schema-gen)" -q ecommerce --per-day 7000 --anomalies 0 -f jsonl | head -n 20000 >"$T/backlog.jsonl"
"$RP" -q -b "$B" -t backlog --key category "$T/backlog.jsonl"
"$RP" -q -b "$B" -t stopnow --key category "$T/backlog.jsonl"
echo "rtt 1 300" >&3
# (--drain 20s: room for valgrind; it ends as soon as it has read them.)
# In update mode: what the drain read reaches the output before it ends.
$SLUICE_WRAP "$SW" -b "$B" -t backlog -G g-backlog $FAST --time now --size 1h \
    -g category -m count --mode update --drain 20s --stats "$T/drain.json" \
    --checkpoint "$T/drain.ck" -o "$T/drain.out" 2>"$T/drain.err" &
sw=$!
pids="$sw"
wait_for "$T/drain.err" "reading backlog" 60
kill -TERM $sw
wait $sw
is "$?" 0 "SIGTERM with a backlog: exit 0"
like "$(cat "$T/drain.err")" "^stream-window: 20000 in, 20000 out, 0 rejected, 0 duplicates, 0 filtered, 20000 aggregated" \
    "before stopping it read the 20000 events the topic held"
is "$(jq -c '[.in, .left_in_topic, .gone_unread]' "$T/drain.json")" "[20000,0,0]" \
    "--stats: 20000 in, none left in the topic, none gone"
is "$(jq -s 'group_by([.window_start, .category]) | map(last.record_count) | add' "$T/drain.out")" 20000 \
    "  and the rows written say so: each group's latest counts add up to the 20000"
# Those rows were written before the checkpoint was saved: a restart
# goes on from the end of the file, cutting nothing back.
size=$(wc -c <"$T/drain.out" | tr -d ' ')
$SLUICE_WRAP "$SW" -b "$B" -t backlog -G g-backlog $FAST --time now --size 1h \
    -g category -m count --mode update --drain 0 --checkpoint "$T/drain.ck" \
    -o "$T/drain.out" 2>"$T/drain2.err" &
sw=$!
pids="$sw"
wait_for "$T/drain2.err" "reading backlog" 60
kill -TERM $sw
wait $sw
like "$(cat "$T/drain2.err")" "drain.out: going on from the checkpoint, at byte $size\$" \
    "  the checkpoint was saved after them (a restart goes on at byte $size, the file's end)"

# --drain 0: it stops at once, and says what it leaves.
$SLUICE_WRAP "$SW" -b "$B" -t stopnow -G g-stopnow $FAST --time now --size 1h \
    -g category -m count --drain 0 --stats "$T/now.json" -o "$T/now.out" 2>"$T/now.err" &
sw=$!
pids="$sw"
wait_for "$T/now.err" "reading stopnow" 60
kill -TERM $sw
wait $sw
is "$?" 0 "--drain 0: exit 0"
in=$(jq .in "$T/now.json")
left=$(jq .left_in_topic "$T/now.json")
is "$((in + left))" 20000 "  what it read ($in) and what it left in the topic ($left) make the 20000"
ok "$(( left == 0 ))" "  it stopped before reading them all"
like "$(cat "$T/now.err")" "left in the topic, not read: stopnow\[[01]\] [0-9]+" \
    "  what it leaves is said, by partition"
echo "rtt 1 0" >&3
# A stop while the brokers are gone: the drain asks where the partitions
# end, for --drain at most, and gives up; the process ends within it and
# a little more (librdkafka 2.0's watermark query could wait forever).
"$(prog kafka-mock)" -q --create-topic gone:2 --port-file "$T/port2" </dev/null >/dev/null 2>&1 &
mock2=$!
for i in $(seq 100); do [ -s "$T/port2" ] && break; sleep 0.1; done
$SLUICE_WRAP "$SW" -b "$(cat "$T/port2")" -t gone -G g-gone $FAST --time now --size 1h \
    -m count --drain 2s -o "$T/gone.out" 2>"$T/gone.err" &
sw=$!
pids="$sw $mock2"
wait_for "$T/gone.err" "reading gone" 60
kill -9 $mock2
kill -TERM $sw
t0=$(date +%s)
for i in $(seq 300); do kill -0 $sw 2>/dev/null || break; sleep 0.1; done
took=$(( $(date +%s) - t0 ))
kill -0 $sw 2>/dev/null && kill -9 $sw
wait $sw
ok "$(( took > 15 ))" "brokers gone at the stop: it still ends, in ${took} s (--drain 2s)"
like "$(cat "$T/gone.err")" "left in the topic, not read: gone\[[01]\] \?" "  and says what it cannot know"

run stream-window --time t --size 1m --drain 2s
is "$rc" 2 "--drain without Kafka: a usage error"
done_testing
