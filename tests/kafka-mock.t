#!/bin/sh
# kafka-mock says what it drops.  A partition keeps its newest 5 MiB of
# record batches: a one-partition topic given twice that loses its oldest
# messages, and kafka-mock's stderr says how many, with the counts kcat
# reads back (gone = produced - read), even with -q, without flooding,
# and at its end once more with the total.  A topic made on the fly by a
# producer is watched too; one that stayed under the bound gets no word.
# Errors queued for the requests the watch makes are left to the clients.
. "$SLUICE_TOP/tests/lib.sh"
RP=$(prog kafka-replay)
SG=$(prog schema-gen)

mock_up -q --create-topic big:1 --create-topic small:1
# left TOPIC: what kcat reads back from the beginning, "count first last"
# (offsets, all partitions together).
left() {
    kcat -b "$B" -C -t "$1" -o beginning -e -q -f '%o\n' 2>>"$T/kcat.err" |
        sort -n | awk 'NR == 1 { f = $1 } { n++; l = $1 } END { print n + 0, (n ? f : -1), (n ? l : -1) }'
}

# 60000 retail orders as JSON, some 190 bytes each: 11 MB, twice what a
# partition keeps.  (kafka-replay itself is checked in kafka.t; here it
# runs bare, so that valgrind's time goes to kafka-mock.)
N=60000
$SG -q retail -n $N --days 1 >"$T/orders.csv"
"$RP" -q -b "$B" -t big "$T/orders.csv"
is "$?" 0 "$N messages into big, a one-partition topic"
head -n 2001 "$T/orders.csv" >"$T/small.csv"
"$RP" -q -b "$B" -t small "$T/small.csv"
# A topic no --topic made, its messages all in one partition (one key).
"$RP" -q -b "$B" -t fresh --key order_date "$T/orders.csv"

set -- $(left big)
kept=$1 first=$2 last=$3
gone=$((N - kept))
ok "$(( !(gone > 0 && kept > 10000) ))" "big keeps some of them: kcat reads $kept, $gone gone"
is "$first:$last" "$gone:$((N - 1))" "  the oldest are the ones gone: offsets $gone to $((N - 1)) are left"
wait_for "$T/mock.err" "^kafka-mock: big\[0\]: the oldest $gone of $N messages are gone, the newest $kept kept \(a partition keeps its newest 5 MiB of record batches\)"
ok $? "kafka-mock says so on stderr with the counts, even with -q"
like "$(grep 'big\[0\]' "$T/mock.err" | tail -n 1)" ": a consumer that had not read them never will$" \
    "  and what it means"
n=$(grep -c 'big\[0\]: the oldest' "$T/mock.err")
ok "$(( !(n >= 1 && n <= 3) ))" "  not a flood: $n line(s) for $N messages"

set -- $(left fresh)
fkept=$1
fgone=$((N - fkept))
wait_for "$T/mock.err" "^kafka-mock: fresh\[[0-9]+\]: the oldest $fgone of $N messages are gone, the newest $fkept kept "
ok $? "a topic made on the fly by a producer is watched too: $fgone of $N gone"
t_fresh=$(date +%s.%N)

set -- $(left small)
is "$1:$2" "2000:0" "small, under the bound, keeps all 2000"
sleep 1.2	# a check after the last message
is "$(grep -c 'small' "$T/mock.err")" 0 "  and kafka-mock says nothing of it"
is "$(grep -v -e 'big\[0\]: the oldest' -e 'fresh\[[0-9]*\]: the oldest' "$T/mock.err")" "" \
    "  nor anything else, with -q"

# Errors queued for list_offsets: the watch stands aside (they are for
# the clients), its last check still counts what went meanwhile.
echo "error list_offsets NOT_LEADER_FOR_PARTITION 5" >&3
wait_for "$T/mock.err" "dropped messages are said only at the end from now on" 5
ok $? "errors queued for list_offsets: the watch stands aside, and says so"
said=$(grep -c 'fresh\[' "$T/mock.err")
"$RP" -q -b "$B" -t fresh --key order_date "$T/orders.csv"
# Two checks' time, and past when fresh's growth would be said again.
sleep "$(echo "$t_fresh $(date +%s.%N)" | awk '{ w = $1 + 6.2 - $2; print (w > 2.2 ? w : 2.2) }')"
is "$(grep -c 'fresh\[' "$T/mock.err")" "$said" "  nothing said meanwhile of $N more in fresh"

exec 3>&-
kill -TERM $mock
wait $mock
is "$?" 0 "SIGTERM: exit 0"
is "$(grep -c 'dropped in all' "$T/mock.err")" 2 \
    "  one closing line for each partition that dropped (big and fresh), none for small"
like "$(cat "$T/mock.err")" "^kafka-mock: big\[0\]: $gone of its $N messages were dropped in all, the newest $kept kept$" \
    "  big's the same total as its warning: $gone of $N"
line=$(grep -E '^kafka-mock: fresh\[[0-9]+\]: [0-9]+ of its [0-9]+ messages were dropped in all' "$T/mock.err")
echo "$line" | sed -E 's/.*: ([0-9]+) of its ([0-9]+) messages were dropped in all, the newest ([0-9]+) kept$/\1 \2 \3/' >"$T/n"
read g2 n2 k2 <"$T/n"
ok "$(( !(n2 == 2 * N && g2 + k2 == n2 && g2 > fgone) ))" \
    "  fresh's counts what went while the watch stood aside: $g2 of $n2 (more than $fgone)"
is "$(grep -c 'stopped' "$T/mock.err")" 0 "  and -q leaves out the closing summary"

# SIGTERM as soon as it serves, five times: it ends each time.  (Under
# valgrind the signal could reach the mock cluster's own thread, whose
# poll() it cut short: the cluster stopped serving, and kafka-mock's
# end, which waits for it, waited forever, six times in ten.)
ended_n=0
for i in 1 2 3 4 5; do
    rm -f "$T/port"
    $SLUICE_WRAP "$(prog kafka-mock)" -q --create-topic t:1 --port-file "$T/port" \
        </dev/null >/dev/null 2>"$T/early.err" &
    early=$!
    for j in $(seq 300); do [ -s "$T/port" ] && break; sleep 0.1; done
    stop_jobs 60 $early || break
    ended_n=$((ended_n + 1))
done
is "$ended_n:$(cat "$T/early.err")" "5:" "SIGTERM at once: it ends, five times in five, and says nothing (-q)"
done_testing
