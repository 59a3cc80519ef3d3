#!/bin/sh
# kafka-mock and kafka-replay, checked with kcat (an independent Kafka
# client): counts, content, keys and partitions, routing to three topics,
# the pace, a broker that goes down and comes back, one that never does,
# an unreachable cluster, bad input, --stdout, --now, --speed, signals.
. "$SLUICE_TOP/tests/lib.sh"
RP=$(prog kafka-replay)
MOCK=$(prog kafka-mock)
SG=$(prog schema-gen)

# The mock, its commands through a FIFO on fd 3.
mkfifo "$T/ctl"
$SLUICE_WRAP "$MOCK" --create-topic orders:3 --create-topic other:2 --create-topic paced2000:8 \
    --create-topic paced20000:8 --port-file "$T/port" \
    <"$T/ctl" >"$T/mock.out" 2>"$T/mock.err" &
mock=$!
exec 3>"$T/ctl"
trap 'exec 3>&-; kill $mock 2>/dev/null; wait $mock 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 100); do [ -s "$T/mock.out" ] && break; sleep 0.1; done
B=$(head -n 1 "$T/mock.out")
like "$B" '^127\.0\.0\.1:[0-9]+$' "kafka-mock prints its bootstrap servers first"
is "$(cat "$T/port")" "$B" "  and writes them to --port-file"
# ctl CMD: a command to the mock, applied when it says so.
ctl() {
    n=$(grep -c '^kafka-mock: ' "$T/mock.err")
    echo "$1" >&3
    for i in $(seq 50); do
        [ "$(grep -c '^kafka-mock: ' "$T/mock.err")" -gt "$n" ] && break
        sleep 0.1
    done
}
# consume TOPIC FORMAT: every message of TOPIC, as kcat formats them.
consume() {
    kcat -b "$B" -C -t "$1" -o beginning -e -q -f "$2" 2>>"$T/kcat.err"
}

# --- Count, content, keys ---------------------------------------------------
$SG -q retail --per-day 1000 --days 2 >"$T/orders.csv"
$SLUICE_WRAP "$RP" -b "$B" -t orders --key store_id "$T/orders.csv" 2>"$T/err"
is "$?" 0 "kafka-replay: exit 0"
like "$(cat "$T/err")" "^kafka-replay: 2000 in, 2000 out, 0 rejected, 0 duplicates, 0 filtered, 2000 produced, 2000 delivered, 0 failed, 0 skipped" \
    "  and its summary accounts for every record"
consume orders '%p\t%k\t%s\n' >"$T/got"
is "$(wc -l <"$T/got" | tr -d ' ')" 2000 "kcat reads back 2000 messages"
# The events, independently: Miller turns the CSV into JSON and adds
# event_time = order_date; both sides parsed and compared as JSON.
mlr --icsv --ojsonl put '$event_time = $order_date' "$T/orders.csv" >"$T/want.jsonl"
cut -f 3 "$T/got" >"$T/got.jsonl"
node -e '
const fs = require("fs");
const read = f => fs.readFileSync(f, "utf8").trim().split("\n").map(l => JSON.stringify(JSON.parse(l))).sort();
const a = read(process.argv[1]), b = read(process.argv[2]);
console.log(a.length === b.length && a.every((x, i) => x === b[i]) ? "same" : "differ: " + a[0] + " / " + b[0]);
' "$T/got.jsonl" "$T/want.jsonl" >"$T/cmp"
is "$(cat "$T/cmp")" same "the messages are the records as JSON, numbers as numbers, with event_time"
is "$(cut -f 1,2 "$T/got" | sort -u | cut -f 2 | sort | uniq -d | wc -l | tr -d ' ')" 0 \
    "each key's messages are in one partition"
is "$(cut -f 1 "$T/got" | sort -u | wc -l | tr -d ' ')" 3 "  and the keys are spread over the 3 partitions"
# kcat, producing the same keys, puts each where kafka-replay did.
cut -f 2 "$T/got" | sort -u | awk '{ print $0 ":x" }' |
    kcat -b "$B" -P -t other -K: 2>>"$T/kcat.err"
cut -f 2 "$T/got" | sort -u | awk '{ print $0 ":x" }' |
    kcat -b "$B" -P -t orders -K: 2>>"$T/kcat.err"
consume orders '%p\t%k\t%s\n' | awk -F '\t' '$3 == "x" { print $1 "\t" $2 }' | sort >"$T/kcat-placed"
cut -f 1,2 "$T/got" | sort -u >"$T/ours-placed"
is_file "$T/kcat-placed" "$T/ours-placed" "kcat -K places every key in the partition kafka-replay did"
# Without keys, a batch of up to 1000 at a time to each partition in turn
# (sticky partitioning): 5000 messages reach all 5 partitions of a new
# topic, each partition's in the order they were read.
ctl "topic keyless 5"
$SG -q retail -n 5000 --days 1 -f jsonl >"$T/keyless.jsonl"
$SLUICE_WRAP "$RP" -q -b "$B" -t keyless "$T/keyless.jsonl" 2>"$T/err"
consume keyless '%p\t%s\n' >"$T/got-keyless"
is "$(wc -l <"$T/got-keyless" | tr -d ' '):$(cut -f 1 "$T/got-keyless" | sort -u | tr -d '\n')" "5000:01234" \
    "keyless messages: all 5000, in all 5 partitions"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => l.split("\t"));
const at = new Map(require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map((l, i) => [JSON.parse(l).order_id, i]));
const last = {}, part = []; let bad = 0, runs = 0;
for (const [p, m] of rows) { const i = at.get(JSON.parse(m).order_id); if (i === undefined || i < (last[p] ?? -1)) bad++; last[p] = i; part[i] = p; }
for (let i = 0; i < part.length; i++) if (i === 0 || part[i] !== part[i - 1]) runs++;
console.log(bad, runs <= 10 ? "in runs" : runs + " runs");' "$T/got-keyless" "$T/keyless.jsonl" >"$T/n"
is "$(cat "$T/n")" "0 in runs" "  each partition's in the order read, in runs of a batch (not one partition a message)"

# --- Routing: three event types to three topics ----------------------------
$SG -q ecommerce --per-day 600 --anomalies 0 -f jsonl >"$T/events.jsonl"
$SLUICE_WRAP "$RP" -q -b "$B" --topic-field event_type --route purchase=purchases \
    --route add_to_cart=carts -t views "$T/events.jsonl"
is "$?" 0 "routed by event_type"
for pair in purchases:purchase carts:add_to_cart; do
    topic=${pair%%:*} type=${pair#*:}
    want=$(grep -c "\"event_type\":\"$type\"" "$T/events.jsonl")
    got=$(consume "$topic" '%s\n' | grep -c "\"event_type\":\"$type\"")
    all=$(consume "$topic" '%s\n' | wc -l | tr -d ' ')
    is "$got:$all" "$want:$want" "topic $topic has the $want $type events and nothing else"
done
want=$(grep -vc -e '"event_type":"purchase"' -e '"event_type":"add_to_cart"' "$T/events.jsonl")
is "$(consume views '%s\n' | wc -l | tr -d ' ')" "$want" "the rest ($want) go to -t views"
$SLUICE_WRAP "$RP" -q -b "$B" --topic-field event_type --route purchase=purchases "$T/events.jsonl" 2>"$T/err"
is "$?" 0 "unrouted values and no -t: skipped, not failed"
like "$(cat "$T/err")" 'events\.jsonl:[0-9]+: event_type "[a-z_]+" has no --route, and no -t topic' \
    "  each skip named with its place"

# --topic-field alone: each value its own topic.
printf '{"id":1,"t":"tf_a"}\n{"id":2,"t":"tf_b"}\n{"id":3,"t":"tf_b"}\n{"id":4,"t":"tf_a"}\n' >"$T/tf.jsonl"
$SLUICE_WRAP "$RP" -q -b "$B" --topic-field t "$T/tf.jsonl"
is "$(consume tf_a '%s\n' | wc -l | tr -d ' '):$(consume tf_b '%s\n' | wc -l | tr -d ' ')" "2:2" \
    "--topic-field with no --route: topic tf_a has its 2, tf_b its 2"
# A topic name Kafka refuses, and a message too big for the queue:
# failed and counted, exit 1, no crash and no hang.
long=$(printf 'x%.0s' $(seq 600))
printf '{"id":1,"t":"%s"}\n{"id":2,"t":"tf_a"}\n' "$long" >"$T/long.jsonl"
$SLUICE_WRAP "$RP" -b "$B" --topic-field t "$T/long.jsonl" 2>"$T/err"
is "$?" 1 "a topic name Kafka refuses: exit 1"
like "$(cat "$T/err")" "2 in, 2 out, 0 rejected, 0 duplicates, 0 filtered, 2 produced, 1 delivered, 1 failed" "  that message failed, the other delivered"
printf '{"id":1,"s":"%s"}\n' "$(printf 'y%.0s' $(seq 3000))" >"$T/big.jsonl"
timeout 30 $SLUICE_WRAP "$RP" -b "$B" -t big -X queue.buffering.max.kbytes=1 "$T/big.jsonl" 2>"$T/err"
is "$?" 1 "a message larger than the producer's queue: exit 1, not a hang"
like "$(cat "$T/err")" "the first: larger than the producer's queue" "  and why"

# --- Bad input ----------------------------------------------------------------
printf '{"order_id":"A","order_date":"2025-01-15","amount":1.5}\n{"order_id":"B",\n[1,2]\n{"order_id":"C","amount":2}\n' >"$T/bad.jsonl"
$SLUICE_WRAP "$RP" -b "$B" -t bad --key order_id --reject "$T/rej.jsonl" "$T/bad.jsonl" 2>"$T/err"
is "$?" 0 "bad lines do not stop the run"
like "$(cat "$T/err")" "4 in, 2 out, 2 rejected, 0 duplicates, 0 filtered, 2 produced, 2 delivered, 0 failed, 2 skipped" "  in = produced + skipped"
like "$(cat "$T/err")" 'bad\.jsonl:2: ' "  the bad line named by its place"
is "$(node -e 'require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").forEach(l => { const j = JSON.parse(l); console.log(j.source + " " + j.errors[0].rule) })' "$T/rej.jsonl" | tr '\n' ' ')" \
    "$T/bad.jsonl:2 parse $T/bad.jsonl:3 parse " "  and in the --reject file"
consume bad '%k %s\n' >"$T/got"
like "$(cat "$T/got")" '^A \{"order_id":"A","order_date":"2025-01-15","amount":1.5,"event_time":"2025-01-15"\}' \
    "a JSON line is sent as it came, event_time added"
like "$(sed -n 2p "$T/got")" '^C \{"order_id":"C","amount":2,"event_time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"\}$' \
    "  with no time field, event_time is now"

# --- --stdout: the same events, no broker --------------------------------------
$SLUICE_WRAP "$RP" -q --stdout "$T/orders.csv" >"$T/stdout.jsonl"
consume orders '%s\n' | grep -v '^x$' >"$T/kafka.jsonl"
is "$(sort "$T/stdout.jsonl" | md5sum)" "$(sort "$T/kafka.jsonl" | md5sum)" \
    "--stdout writes exactly what went to Kafka"

# A topic field holding \u0000 is a bad record: its name cut at the NUL
# would be another topic's ("a").
printf '%s\n' '{"k":"a\u0000b","v":1}' '{"k":"a","v":2}' >"$T/nul.jsonl"
run kafka-replay --stdout --topic-field k "$T/nul.jsonl"
is "$(jq -c '[.k, .v]' "$T/out")" '["a",2]' "--topic-field with a NUL in its value: not sent to a cut name"
like "$(err)" 'nul.jsonl:1: k holds a NUL byte' "  a bad record with its place"

# --- --now and --speed -----------------------------------------------------------
printf 'id,ts\n1,2025-01-15T10:00:00Z\n2,2025-01-15T10:00:01Z\n3,2025-01-15T10:00:02Z\n' >"$T/times.csv"
t0=$(date +%s.%N)
$SLUICE_WRAP "$RP" -q --stdout --now --time ts "$T/times.csv" >"$T/now.jsonl"
t1=$(date +%s.%N)
# Now: between the run's start and its end (a start under valgrind on a
# busy machine can take seconds), to the millisecond the times are spelt.
node -e '
const l = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const t = l.map(e => Date.parse(e.event_time) / 1000);
const now = t[0] >= Number(process.argv[2]) - 0.001 && t[0] <= Number(process.argv[3]) + 0.001;
console.log(now ? "now" : "not now: " + t[0] + " not within " + process.argv[2] + ".." + process.argv[3],
    (t[1] - t[0]).toFixed(3), (t[2] - t[0]).toFixed(3), l[0].ts);
' "$T/now.jsonl" "$t0" "$t1" >"$T/got"
is "$(cat "$T/got")" "now 1.000 2.000 2025-01-15T10:00:00Z" \
    "--now: event times moved to now, a second apart as they were; the field itself kept"
# --speed 2: sent half a second apart, as kcat's timestamps say.
$SLUICE_WRAP "$RP" -q -b "$B" -t speed --speed 2 --time ts "$T/times.csv"
gaps=$(consume speed '%T\n' | sort -n | awk 'NR == 1 { a = $1 } NR > 1 { printf "%s%d", (NR > 2 ? " " : ""), ($1 - a + 50) / 100 }')
if [ -z "$SLUICE_WRAP" ]; then
    is "$gaps" "5 10" "--speed 2: events 1 s apart sent 0.5 s apart (tenths of a second after the first: $gaps)"
else
    echo "# --speed is not timed under valgrind"
fi
printf 'id,ts\n1,2025-01-15T10:00:00Z\n2,\n3,2025-01-15T10:00:01Z\n' >"$T/notime.csv"
timeout 20 $SLUICE_WRAP "$RP" -q --stdout --speed 1 --time ts "$T/notime.csv" >"$T/got"
is "$?:$(wc -l <"$T/got" | tr -d ' ')" "0:3" "--speed: a record with no time goes at once, not after years"
printf 'id,ts\n1,yesterday\n2,2025-01-15T10:00:01Z\n' >"$T/badtime.csv"
$SLUICE_WRAP "$RP" --stdout --speed 10 --time ts "$T/badtime.csv" >/dev/null 2>"$T/err"
like "$(cat "$T/err")" 'badtime\.csv:2: event time "yesterday" is not a time' \
    "--speed: a time that is not one is skipped, with its place"

# --- The pace: --rate ----------------------------------------------------------
if [ -z "$SLUICE_WRAP" ]; then
    # The rate as kcat sees it: messages over the span of their
    # timestamps (each stamped when it was sent), start-up left out.
    for rate in 2000 20000; do
        n=$((rate * 5))     # 5 s of messages
        $SG -q retail -n "$n" --days 1 >"$T/paced.csv"
        "$RP" -q -b "$B" -t "paced$rate" --rate "$rate" "$T/paced.csv"
        got=$(consume "paced$rate" '%T\n' | sort -n | awk 'NR == 1 { a = $1 } { b = $1; n++ }
            END { printf "%.0f", (n - 1) / ((b - a) / 1000) }')
        ok "$(echo "$got < $rate * 0.95 || $got > $rate * 1.05" | bc -l)" \
            "--rate $rate: $got messages a second over 5 s, as kcat's timestamps say (within 5%)"
    done
else
    echo "# the pace is not timed under valgrind"
fi

# --- A broker down, then up: nothing lost, nothing twice ---------------------------
$SG -q retail -n 4000 --days 1 >"$T/r4k.csv"
$SLUICE_WRAP "$RP" -b "$B" -t flaky --rate 2000 "$T/r4k.csv" 2>"$T/err" &
rp=$!
sleep 0.7
ctl "down all"
sleep 1.5
ctl "up all"
wait $rp
is "$?" 0 "a broker down for 1.5 s mid-run: exit 0 once it is back"
like "$(cat "$T/err")" "4000 in, 4000 out, 0 rejected, 0 duplicates, 0 filtered, 4000 produced, 4000 delivered, 0 failed" "  every message delivered"
consume flaky '%s\n' >"$T/got"
is "$(wc -l <"$T/got" | tr -d ' '):$(sort "$T/got" | uniq -d | wc -l | tr -d ' ')" "4000:0" \
    "  kcat reads each of the 4000 once: none lost, none twice (an idempotent producer)"
ctl "error produce NOT_LEADER_FOR_PARTITION 5"
$SLUICE_WRAP "$RP" -q -b "$B" -t errs "$T/orders.csv"
is "$?:$(consume errs '%s\n' | sort | uniq | wc -l | tr -d ' ')" "0:2000" \
    "produce requests answered with errors are retried: all 2000, once each"

# --- A broker that never comes back ---------------------------------------------------------
$SLUICE_WRAP "$RP" -b "$B" -t lost --rate 2000 --timeout 2 "$T/r4k.csv" 2>"$T/err" &
rp=$!
# Down once messages arrive (valgrind starts slowly).
for i in $(seq 200); do
    [ "$(consume lost '%s\n' | wc -l)" -gt 100 ] && break
    sleep 0.1
done
ctl "down all"
wait $rp
rc=$?
ctl "up all"
sum=$(grep -o '[0-9]* produced, [0-9]* delivered, [0-9]* failed' "$T/err")
delivered=$(echo "$sum" | awk '{ print $3 }')
failed=$(echo "$sum" | awk '{ print $5 }')
is "$rc" 1 "a broker that never comes back: exit 1"
ok "$(( !(delivered + failed == 4000 && failed > 0) ))" "  produced = delivered + failed ($sum)"
like "$(cat "$T/err")" "$failed messages not delivered; the first: " "  the undelivered count said"
sleep 0.5
# Every delivered message is in the topic; one failed for want of an
# acknowledgement may be there too (the broker can write it and go
# down before answering: Kafka cannot tell).
intopic=$(consume lost '%s\n' | wc -l | tr -d ' ')
ok "$(( !(intopic >= delivered && intopic <= 4000) ))" \
    "  every delivered message is in the topic ($intopic there, $delivered delivered)"

# --- No cluster at all ----------------------------------------------------------------------------
t0=$(date +%s)
$SLUICE_WRAP "$RP" -b 127.0.0.1:1 -t x --timeout 2 "$T/orders.csv" 2>"$T/err"
rc=$?
t1=$(date +%s)
is "$rc" 1 "an unreachable broker: exit 1"
like "$(cat "$T/err")" "cannot reach the brokers 127\.0\.0\.1:1 within 2s" "  naming the brokers and the timeout"
ok "$(( t1 - t0 > 8 ))" "  within the timeout, not a hang ($((t1 - t0)) s)"
KAFKA_BROKERS= $SLUICE_WRAP "$RP" -t x "$T/orders.csv" 2>"$T/err"
is "$?" 2 "no brokers at all: a usage error"
$SLUICE_WRAP "$RP" -b "$B" -t x -X no.such.property=1 "$T/orders.csv" 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "1:kafka-replay: -X no.such.property=1: No such configuration property: \"no.such.property\"" \
    "-X with a property librdkafka does not know: said, exit 1"
KAFKA_BROKERS=$B $SLUICE_WRAP "$RP" -q -t env "$T/bad.jsonl" 2>/dev/null
is "$(consume env '%s\n' | wc -l | tr -d ' ')" 2 "brokers from KAFKA_BROKERS"

# --- SIGTERM: stop reading, deliver what is in flight, report ------------------------------------
$SLUICE_WRAP "$RP" -b "$B" -t stopped --rate 1000 --loop "$T/orders.csv" 2>"$T/err" &
rp=$!
# Stopped once messages arrive (under valgrind, on a busy machine, a
# start can take longer than the 1.5 s a plain run is given).
sleep 1.5
for i in $(seq 200); do
    [ "$(consume stopped '%s\n' | wc -l)" -gt 100 ] && break
    sleep 0.1
done
kill -TERM $rp
wait $rp
rc=$?
sum=$(grep -o '[0-9]* produced, [0-9]* delivered, [0-9]* failed' "$T/err")
delivered=$(echo "$sum" | awk '{ print $3 }')
is "$rc:$(echo "$sum" | awk '{ print $1 == $3 && $5 == 0 }')" "0:1" "SIGTERM: exit 0, all it produced delivered ($sum)"
is "$(consume stopped '%s\n' | wc -l | tr -d ' ')" "$delivered" "  and in the topic"
like "$(cat "$T/err")" "kafka-replay: [0-9]+ in, " "  the summary printed"

# --- A slow input (tail -f): each record goes as it comes, not a batch later ------------------------
mkfifo "$T/slow"
$SLUICE_WRAP "$RP" -q -b "$B" -t slow <"$T/slow" 2>"$T/err" &
rp=$!
exec 5>"$T/slow"
printf '{"id":1,"event_time":"2025-01-15T10:00:00Z"}\n' >&5
for i in $(seq 30); do
    [ "$(consume slow '%s\n' | wc -l | tr -d ' ')" = 1 ] && break
    sleep 0.1
done
is "$(consume slow '%s\n')" '{"id":1,"event_time":"2025-01-15T10:00:00Z"}' \
    "a record from a quiet pipe is sent at once (the input still open)"
exec 5>&-
wait $rp

# --- --shuffle, --loop -------------------------------------------------------------------------------
$SLUICE_WRAP "$RP" -q --stdout --shuffle --seed 7 "$T/orders.csv" >"$T/sh1"
$SLUICE_WRAP "$RP" -q --stdout --shuffle --seed 7 "$T/orders.csv" >"$T/sh2"
is "$(sort "$T/sh1" | md5sum)" "$(sort "$T/stdout.jsonl" | md5sum)" "--shuffle: the same events"
ok "$(cmp -s "$T/sh1" "$T/stdout.jsonl"; [ $? -ne 0 ]; echo $?)" "  in another order"
is_file "$T/sh2" "$T/sh1" "  the same order for the same --seed"
$SLUICE_WRAP "$RP" --stdout --loop "$T/orders.csv" 2>"$T/err" | head -n 5000 >"$T/loop"
is "$(wc -l <"$T/loop" | tr -d ' '):$(sed -n 2001p "$T/loop" | md5sum)" "5000:$(head -n 1 "$T/stdout.jsonl" | md5sum)" \
    "--loop: the input again and again (ended by its reader going away)"
"$RP" --loop -t x --stdout <"$T/orders.csv" >/dev/null 2>&1
is "$?" 2 "--loop of stdin: a usage error"
printf 'a\n' >"$T/empty.csv"
timeout 10 $SLUICE_WRAP "$RP" --stdout --loop "$T/empty.csv" 2>"$T/err"
is "$?" 0 "--loop over nothing to send: stops, not a spin"
like "$(cat "$T/err")" "a pass sent nothing; stopping" "  and says so"
"$RP" --loop --shuffle --now --stdout "$T/orders.csv" >/dev/null 2>&1
is "$?" 2 "--loop --shuffle --now: a usage error (held events keep their first times)"

# --- kafka-mock's commands, and its end ----------------------------------------------------------
ctl "rtt 9 10"
like "$(tail -n 1 "$T/mock.err")" "not a command: rtt 9" "kafka-mock: a bad command is said, and it serves on"
ctl "topic made 5"
kcat -b "$B" -L -t made 2>/dev/null | grep -c 'partition [0-9]' >"$T/n"
is "$(cat "$T/n")" 5 "  topic NAME P makes a topic of P partitions"
exec 3>&-
sleep 0.3
kill -TERM $mock
wait $mock
is "$?" 0 "SIGTERM ends kafka-mock, exit 0"
ok "$([ ! -e "$T/port" ]; echo $?)" "  and removes its --port-file"
done_testing
