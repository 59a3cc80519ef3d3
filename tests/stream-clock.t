#!/bin/sh
# stream-window on the clock, whatever the rate: at 2 events a second over
# three partitions, each event's row is out within a second (it was
# written every 64 events, or when the producer stopped); a stop by
# SIGTERM first reads what the topic held (--drain), and says and counts
# what it leaves (--drain 0); --stats has the same figures.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
RP=$(prog kafka-replay)
trickle=$(prog trickle)
bound=1000
[ -n "$SLUICE_WRAP" ] && bound=3000

$SLUICE_WRAP "$(prog kafka-mock)" -q --topic slow:3 --topic backlog:2 --topic stopnow:2 \
    --port-file "$T/port" </dev/null >/dev/null 2>"$T/mock.err" &
mock=$!
pids=""
trap 'kill $mock $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
B=$(cat "$T/port")
FAST="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"
wait_for() {  # wait_for FILE PATTERN [SECONDS]
    for i in $(seq $(( ${3:-30} * 10 ))); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- 2 events a second over 3 partitions ------------------------------------------
# Twelve events, each its own key (so they spread over the partitions),
# through kafka-replay as they come; stream-window writes a changed
# window's row every trigger.
for i in $(seq 12); do echo "{\"k\":\"key-$i\",\"v\":$i}"; done >"$T/slow.jsonl"
: >"$T/rows.jsonl"
$SLUICE_WRAP "$SW" -b "$B" -t slow -G g-slow $FAST --time now --size 1h -g k -m count \
    --mode update --trigger 1s -f jsonl -o "$T/rows.jsonl" 2>"$T/slow.err" &
sw=$!
pids="$sw"
wait_for "$T/slow.err" "reading slow" 60
ok $? "stream-window reads the three partitions"
# trickle: a line into kafka-replay every half second (2 a second), timed
# until a row comes out of stream-window.
# shellcheck disable=SC2086
"$trickle" -p 500 -t 3000 -w "$T/rows.jsonl" "$T/slow.jsonl" -- \
    $SLUICE_WRAP "$RP" -q -b "$B" -t slow --key k >"$T/lat" 2>"$T/lat.err"
kill -TERM $sw
wait $sw
is "$?" 0 "stream-window stops on SIGTERM, exit 0"
is "$(grep -c timeout "$T/lat"):$(tail -n 1 "$T/lat")" "0:exit 0" \
    "every one of the 12 events came out as a row"
max=$(grep '^[0-9]' "$T/lat" | sort -g | tail -n 1)
ok "$(awk -v m="${max:-9999}" -v b="$bound" 'BEGIN { print !(m < b) }')" \
    "each within ${bound} ms of being handed to kafka-replay (the slowest: $max ms)"
is "$(sed -n 's/.*"k":"\(key-[0-9]*\)".*/\1/p' "$T/rows.jsonl" | sort -u | wc -l | tr -d ' ')" 12 \
    "  a row for each of the 12 keys"
parts=$(grep -o 'slow\[[0-2]\]' "$T/slow.err" | sort -u | wc -l | tr -d ' ')
is "$parts" 3 "  read from all three partitions"

# --- A stop reads what the topic held --------------------------------------------------
# 20000 events wait in the topic; stream-window is stopped as soon as it
# has its partitions, before it could have read them all.
"$(prog schema-gen)" -q ecommerce -n 7000 --anomalies 0 -f jsonl | head -n 20000 >"$T/backlog.jsonl"
"$RP" -q -b "$B" -t backlog --key category "$T/backlog.jsonl"
$SLUICE_WRAP "$SW" -b "$B" -t backlog -G g-backlog $FAST --time now --size 1h \
    -g category -m count --stats "$T/drain.json" -o "$T/drain.out" 2>"$T/drain.err" &
sw=$!
pids="$sw"
wait_for "$T/drain.err" "reading backlog" 60
kill -TERM $sw
wait $sw
is "$?" 0 "SIGTERM with a backlog: exit 0"
like "$(cat "$T/drain.err")" "^stream-window: 20000 in, 20000 aggregated" \
    "before stopping it read the 20000 events the topic held"
is "$(jq -c '[.in, .left_in_topic, .gone_unread]' "$T/drain.json")" "[20000,0,0]" \
    "--stats: 20000 in, none left in the topic, none gone"

# --drain 0: it stops at once, and says what it leaves.
"$RP" -q -b "$B" -t stopnow --key category "$T/backlog.jsonl"
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
if [ "$left" -gt 0 ]; then
    like "$(cat "$T/now.err")" "left in the topic, not read: stopnow\[[01]\] [0-9]+" \
        "  what it leaves is said, by partition"
else
    ok 0 "  (it had read them all already: nothing to say)"
fi
run stream-window --time t --size 1m --drain 2s
is "$rc" 2 "--drain without Kafka: a usage error"
done_testing
