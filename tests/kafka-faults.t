#!/bin/sh
# Kafka programs under faults (kafka-mock's down/up commands): a broker
# that dies is waited for --timeout at most, then stream-window and
# kafka-replay exit 1 saying what was read, saved and delivered; a brief
# outage is ridden out at little more than its own length; SIGTERM ends
# promptly with the broker dead.
. "$SLUICE_TOP/tests/lib.sh"
SW=$(prog stream-window)
RP=$(prog kafka-replay)

mock_up --create-topic live:2 --create-topic join:2 --create-topic term:2 --create-topic rp:2
pids=""
FAST="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"

ecommerce_events 400 "$T/events.jsonl"
N=$(wc -l <"$T/events.jsonl" | tr -d ' ')

# secs_since T0: seconds (one decimal) since T0, from date +%s.%N.
secs_since() { echo "$(date +%s.%N) $1" | awk '{ printf "%.1f", $1 - $2 }'; }
# in_of FILE: events_in of the last --health line.
in_of() { tail -n 1 "$1" 2>/dev/null | sed -n 's/.*"events_in":\([0-9]*\).*/\1/p'; }
# gone PID SECS: whether PID ends within SECS (else it is killed): 0 if so.
gone() {
    for _i in $(seq $(( $2 * 10 ))); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$1" 2>/dev/null
    return 1
}
# brokers_down: every broker stops answering, from t0 on.
brokers_down() {
    echo "down all" >&3
    t0=$(date +%s.%N)
}
# ends_after PID LO HI LABEL: PID ends by itself (killed after 20 s), LO
# to HI seconds after $t0, with exit 1.
ends_after() {
    gone "$1" 20
    ok $? "$4"
    wait "$1"
    is "$?" 1 "  exit 1"
    took=$(secs_since "$t0")
    ok "$(awk -v t="$took" -v lo="$2" -v hi="$3" 'BEGIN { print !(t >= lo && t < hi) }')" \
        "  ${took}s after (from ${2}s to ${3}s)"
}
# reading NAME ARGS...: stream-window in the background ($sw) reading
# topic NAME (given the first half) as group g-NAME, with a checkpoint
# in ck-NAME, until it has read the first half.
reading() {
    _n=$1
    shift
    "$RP" -q -b "$B" -t "$_n" --key category "$T/first.jsonl"
    "$SW" $W2 -b "$B" -t "$_n" -G "g-$_n" $FAST --checkpoint "$T/ck-$_n" \
        -o "$T/$_n.jsonl" --trigger 200ms --health "$T/$_n-m.jsonl" "$@" 2>"$T/$_n.err" &
    sw=$!
    pids=$sw
    for _i in $(seq 200); do [ "$(in_of "$T/$_n-m.jsonl")" = "$half" ] && break; sleep 0.1; done
}
half=$(( N / 2 ))
head -n $half "$T/events.jsonl" >"$T/first.jsonl"
tail -n +$(( half + 1 )) "$T/events.jsonl" >"$T/second.jsonl"
W2="--time event_time --size 1h -g category -m count -m users=distinct:user_id"
run stream-window $W2 -f jsonl "$T/events.jsonl"
sort "$T/out" >"$T/want"

# --- Every broker dead mid-read --------------------------------------------------
# stream-window has read the first half when the brokers die: after
# --timeout it exits 1 saying what it read, saved and wrote; the restart
# from that checkpoint, once they are back, ends with the rows of an
# uninterrupted run.
reading live --timeout 3
brokers_down
ends_after $sw 2.5 6 "every broker down mid-read: stream-window ends by itself, after --timeout 3"
like "$(cat "$T/live.err")" "no broker of $B has answered for 3s \(--timeout 3s\)" "  said why"
like "$(cat "$T/live.err")" "without the brokers: read $half messages \(live\[[01]\] up to offset [0-9]+, live\[[01]\] up to offset [0-9]+\); all saved in the checkpoint, where the next run goes on; [0-9]+ rows of final windows written to $T/live.jsonl, [0-9]+ windows open not written" \
    "  and what it read, saved and wrote"
echo "up all" >&3
"$RP" -q -b "$B" -t live --key category "$T/second.jsonl"
run stream-window $W2 -b "$B" -t live -G g-live $FAST --checkpoint "$T/ck-live" \
    -o "$T/live.jsonl" --stop-at-end
is "$rc" 0 "the brokers back: the restart from that checkpoint ends, exit 0"
sort "$T/live.jsonl" >"$T/got"
is_file "$T/got" "$T/want" "  with the rows of an uninterrupted run"

# --- Dead while the group is joined, with --stop-at-end ----------------------------
"$RP" -q -b "$B" -t join --key category "$T/events.jsonl"
"$SW" $W2 -b "$B" -t join -G g-join $FAST --timeout 3 --stop-at-end \
    -o "$T/join.jsonl" 2>"$T/join.err" &
sw=$!
pids=$sw
sleep 0.5
brokers_down
ends_after $sw 2.5 6 "--stop-at-end, every broker down before the end: it ends after --timeout 3 (it waited forever)"
like "$(cat "$T/join.err")" "without the brokers: read 0 messages; nothing saved \(no --checkpoint\): the next run reads them again" \
    "  said: nothing read, nothing saved"
echo "up all" >&3

# --- Down for 3s, then for good and SIGTERM -----------------------------------------
# An outage shorter than --timeout is ridden out: once the brokers are
# back, the second half is read within a second or two.
reading term --timeout 5
echo "down all" >&3
sleep 3
echo "up all" >&3
t0=$(date +%s.%N)
"$RP" -q -b "$B" -t term --key category "$T/second.jsonl"
for i in $(seq 200); do [ "$(in_of "$T/term-m.jsonl")" = "$N" ] && break; sleep 0.1; done
took=$(secs_since "$t0")
is "$(in_of "$T/term-m.jsonl")" "$N" "the brokers down for 3s (--timeout 5): stream-window goes on, and reads the rest"
ok "$(awk -v t="$took" 'BEGIN { print !(t < 3) }')" "  ${took}s after they are back"
echo "down all" >&3
sleep 1
t0=$(date +%s.%N)
kill -TERM $sw
ends_after $sw 0 2 "SIGTERM with the brokers down: it ends at once (it took 46s) with exit 1 (what the topic held could not be read)"
like "$(cat "$T/term.err")" "stopped with the brokers down for [0-9]+s: what the topic holds is not read \(--drain\)" "  said"
like "$(cat "$T/term.err")" "read $N messages .*all saved in the checkpoint" "  with what it read and saved"
echo "up all" >&3

# --- kafka-replay ---------------------------------------------------------------------
# Down for good while it sends at 100 a second: it stops after --timeout
# and says what was delivered.
"$RP" -b "$B" -t rp --key category --rate 100 --timeout 3 "$T/events.jsonl" 2>"$T/rp.err" &
rp=$!
pids=$rp
sleep 1
brokers_down
ends_after $rp 2.5 5 "kafka-replay, every broker down: it ends after --timeout 3"
like "$(cat "$T/rp.err")" "no broker has answered for 3s \(--timeout 3s\): stopping" "  said why"
like "$(cat "$T/rp.err")" "without the brokers: read [0-9]+ records, [1-9][0-9]* delivered, [0-9]+ not acknowledged \(they may be in Kafka or not\), 0 skipped" \
    "  and what it read and delivered"
# SIGTERM while they are down: at once, exit 1.
echo "up all" >&3
"$RP" -b "$B" -t rp --key category --rate 100 "$T/events.jsonl" 2>"$T/rp2.err" &
rp=$!
pids=$rp
sleep 1
echo "down all" >&3
sleep 0.5
t0=$(date +%s.%N)
kill -TERM $rp
ends_after $rp 0 2 "kafka-replay stopped by SIGTERM with the brokers down: at once (it waited --timeout)"
like "$(cat "$T/rp2.err")" "[1-9][0-9]* delivered, [1-9][0-9]* failed" "  what was delivered and what not, said"
# Down for 3 s while it sends: ridden out, everything delivered, in
# about the time it takes plus the outage.
t0=$(date +%s.%N)
"$RP" -b "$B" -t rp --key category --rate 200 --timeout 5 "$T/first.jsonl" 2>"$T/rp3.err" &
rp=$!
pids=$rp
echo "up all" >&3
sleep 1
echo "down all" >&3
sleep 3
echo "up all" >&3
wait $rp
is "$?" 0 "kafka-replay, the brokers down for 3s: exit 0"
like "$(cat "$T/rp3.err")" "$half in, $half out, 0 rejected, 0 duplicates, 0 filtered, $half produced, $half delivered, 0 failed" "  every message delivered"
took=$(secs_since "$t0")
ok "$(awk -v t="$took" -v n=$half 'BEGIN { print !(t < n / 200 + 3 + 2) }')" "  in ${took}s: its $(( half / 200 ))s, the outage's 3s, and less than 2s more"
done_testing
