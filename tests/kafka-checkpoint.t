#!/bin/sh
# stream-window's checkpoints that cannot be right: one that lists a key
# twice in one window (edited by hand, or damaged) is refused with its
# place; one whose offsets lie past its partition's end (the topic
# made again, kafka-mock restarted) is refused naming the partition,
# unless --reset-past-end.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
RP=$(prog kafka-replay)

mock_up --create-topic dup:1
pids=""
FAST="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"
WIN="--time event_time --size 1h -g category -m count -m users=distinct:user_id -m u=approx_distinct:user_id"

ecommerce_events 400 "$T/events.jsonl"
N=$(wc -l <"$T/events.jsonl" | tr -d ' ')

# --- A key twice in one window of a checkpoint ----------------------------------
"$RP" -q -b "$B" -t dup --key category "$T/events.jsonl"
# A run over the checkpoint folder, to its end.
run_ckpt() {
    run stream-window $WIN -b "$B" -t dup -G g-dup $FAST --checkpoint "$T/ck" \
        -o "$T/dup.jsonl" --stop-at-end "$@"
}
run_ckpt
is "$rc" 0 "a checkpoint with open windows, saved at the end"
ck=$(ls "$T"/ck/*.ckpt)
cp "$ck" "$T/good.ckpt"
key=$(jq -c '.parts[0].slices[0].groups[0].k' "$ck")
# The same group twice (a valid state both times), then with another
# state (another user among its distinct values).
jq -c '.parts[0].slices[0].groups += [.parts[0].slices[0].groups[0]]' \
    "$T/good.ckpt" >"$ck"
run_ckpt
is "$rc" 1 "a checkpoint listing a key twice in a window: exit 1"
like "$(err)" "^stream-window: $ck: a damaged checkpoint of dup\[0\]: slice 1 \(starting [0-9T:-]+Z\), group [0-9]+: the key \\$key a second time in the slice" \
    "  said with its place: the file, the partition, the slice and the key"
jq -c '.parts[0].slices[0].groups += [.parts[0].slices[0].groups[0] | .s[1] += ["someone else"] | .n += 1]' \
    "$T/good.ckpt" >"$ck"
run_ckpt
is "$rc" 1 "the same key again with other values: refused too (not read over the first)"
like "$(err)" "the key \\$key a second time" "  said"
# A NUL byte after a number: jansson alone took it for the end of the text.
jq -c . "$T/good.ckpt" | sed 's/"sluice_checkpoint":2/&@NUL@/' |
    perl -pe 's/\@NUL\@/\0/' >"$ck"
run_ckpt
is "$rc" 1 "a checkpoint with a NUL byte after a number: refused"
like "$(err)" "$ck: a damaged checkpoint: .*control character 0x00" "  said"
# A slice starting near the largest integer (fuzz/checkpoint found one): its
# window's end overflowed.  A time past 9999-12-31 is damage.
jq -c '.parts[0].slices[0].start = 9000000000000000000' "$T/good.ckpt" >"$ck"
run_ckpt
is "$rc" 1 "a slice starting past the times sluice reads: refused"
like "$(err)" "$ck: a damaged checkpoint of dup\[0\]" "  said, with the partition"
jq -c '.parts[0].slices[0].groups[0].n = -5' "$T/good.ckpt" >"$ck"
run_ckpt
is "$rc" 1 "a negative count of records: refused"
jq -c '.parts[0].slices[0].start += 1' "$T/good.ckpt" >"$ck"
run_ckpt
is "$rc" 1 "a slice starting off the windows' grid: refused"
like "$(err)" "a damaged checkpoint of dup\[0\]: slice 1: its start is not on the slices' grid" "  said"
# One 0.1.0 wrote, its windows whole ("panes"): of tumbling windows (a
# window a slice), read as they are, the same rows written; of sliding
# ones, refused, saying so.
cp "$T/good.ckpt" "$ck"
run_ckpt
cp "$T/dup.jsonl" "$T/dup-want.jsonl"
jq -c '.sluice_checkpoint = 1 | .parts[0].panes = .parts[0].slices | del(.parts[0].slices)' \
    "$T/good.ckpt" >"$ck"
run_ckpt
is "$rc" 0 "a checkpoint of 0.1.0 of tumbling windows: read"
is_file "$T/dup.jsonl" "$T/dup-want.jsonl" "  the rows written as from this one's"
SLIDE="--time event_time --size 1h --slide 30m -g category -m count"
run stream-window $SLIDE -b "$B" -t dup -G g-slide $FAST --checkpoint "$T/ck2" \
    -o "$T/slide.jsonl" --stop-at-end
ck2=$(ls "$T"/ck2/*.ckpt)
jq -c '.sluice_checkpoint = 1 | .parts[0].panes = .parts[0].slices | del(.parts[0].slices)' \
    "$ck2" >"$T/old2.ckpt"
cp "$T/old2.ckpt" "$ck2"
run stream-window $SLIDE -b "$B" -t dup -G g-slide $FAST --checkpoint "$T/ck2" \
    -o "$T/slide.jsonl" --stop-at-end
is "$rc" 1 "a checkpoint of 0.1.0 of sliding windows: refused"
like "$(err)" "$ck2: a checkpoint of dup\[0\] by an older stream-window, which kept each sliding window whole \(this one keeps slices of them\): empty the folder to start afresh" \
    "  said, with what to do"
cp "$T/good.ckpt" "$ck"

# --- A checkpoint past the topic's end -----------------------------------------------
# kafka-mock started again, empty: the topic "dup" holds 10 messages,
# the checkpoint says offsets past them.  Refused, naming the partition
# (before, the partition silently started over with the old windows);
# with --reset-past-end, read afresh.
exec 3>&-
kill $mock
wait $mock 2>/dev/null
rm -f "$T/ctl" "$T/port"
mock_up --create-topic dup:1
head -n 10 "$T/events.jsonl" >"$T/ten.jsonl"
"$RP" -q -b "$B" -t dup --key category "$T/ten.jsonl"
saved=$(jq '.parts[] | select(.topic == "dup" and .partition == 0) | .next_offset' "$ck")
run_ckpt
is "$rc" 1 "a checkpoint past the partition's end (kafka-mock restarted): exit 1"
like "$(err)" "dup\[0\]: the checkpoint is at offset $saved, past the partition's end, 10: the topic was made again since \(or kafka-mock restarted\)" \
    "  said, with the partition, the checkpoint's offset and the end"
run stream-window $WIN -b "$B" -t dup -G g-dup $FAST --checkpoint "$T/ck" \
    -o "$T/fresh.jsonl" --stop-at-end --reset-past-end
is "$rc" 0 "--reset-past-end: read afresh, exit 0"
run stream-window $WIN -f jsonl "$T/ten.jsonl"
sort "$T/out" >"$T/want10"
sort "$T/fresh.jsonl" >"$T/got"
is_file "$T/got" "$T/want10" "  the windows of the 10 messages only"
done_testing
