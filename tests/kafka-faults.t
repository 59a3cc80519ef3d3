#!/bin/sh
# Kafka programs under faults (kafka-mock's down/up commands): a broker
# that dies is waited for --timeout at most, then stream-window and
# kafka-replay exit 1 saying what was read, saved and delivered; a brief
# outage is ridden out at little more than its own length; SIGTERM ends
# promptly with the broker dead.  A checkpoint whose offsets lie past a
# topic's end (the topic made again) is refused, naming the partition,
# unless --reset-past-end; a checkpoint that lists a key twice in one
# window is refused with its place.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
RP=$(prog kafka-replay)

mock_up --topic dup:1
pids=""
trap 'exec 3>&-; kill $mock $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
FAST="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"
WIN="--time event_time --size 1h -g category -m count -m users=distinct:user_id -m u=approx_distinct:user_id"

$SLUICE_WRAP "$(prog schema-gen)" -q ecommerce -n 400 --anomalies 0 -f jsonl |
    mlr --ijsonl --ojsonl sort -f event_time >"$T/events.jsonl"
N=$(wc -l <"$T/events.jsonl" | tr -d ' ')

# --- A key twice in one window of a checkpoint ----------------------------------
"$RP" -q -b "$B" -t dup --key category "$T/events.jsonl"
run stream-window $WIN -b "$B" -t dup -G g-dup $FAST --checkpoint "$T/ck" \
    -o "$T/dup.jsonl" --stop-at-end
is "$rc" 0 "a checkpoint with open windows, saved at the end"
ck=$(ls "$T"/ck/*.ckpt)
cp "$ck" "$T/good.ckpt"
key=$(jq -c '.parts[0].panes[0].groups[0].k' "$ck")
# The same group twice (a valid state both times), then with another
# state (another user among its distinct values).
jq -c '.parts[0].panes[0].groups += [.parts[0].panes[0].groups[0]]' \
    "$T/good.ckpt" >"$ck"
run stream-window $WIN -b "$B" -t dup -G g-dup $FAST --checkpoint "$T/ck" \
    -o "$T/dup.jsonl" --stop-at-end
is "$rc" 1 "a checkpoint listing a key twice in a window: exit 1"
like "$(err)" "^stream-window: $ck: a damaged checkpoint of dup\[0\]: pane 1 \(window start [0-9T:-]+Z\), group [0-9]+: the key \\$key a second time in the window" \
    "  said with its place: the file, the partition, the pane and the key"
jq -c '.parts[0].panes[0].groups += [.parts[0].panes[0].groups[0] | .s[1] += ["someone else"] | .n += 1]' \
    "$T/good.ckpt" >"$ck"
run stream-window $WIN -b "$B" -t dup -G g-dup $FAST --checkpoint "$T/ck" \
    -o "$T/dup.jsonl" --stop-at-end
is "$rc" 1 "the same key again with other values: refused too (not read over the first)"
like "$(err)" "the key \\$key a second time" "  said"
cp "$T/good.ckpt" "$ck"
run stream-window $WIN -b "$B" -t dup -G g-dup $FAST --checkpoint "$T/ck" \
    -o "$T/dup.jsonl" --stop-at-end
is "$rc" 0 "the checkpoint as saved: read, exit 0"
done_testing
