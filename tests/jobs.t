#!/bin/sh
# -j N: one thread's output from many.  Each program with -j gives the
# same output, rejects (with their line numbers), messages, --stats and
# --metrics with -j 2 and -j 4 (more threads than cores) as with -j 1:
# on the nasty CSV corpus, on JSON Lines, on gzip, on stdin, and on a
# large generated CSV with quoted line breaks, CRLF and lone CRs, blank
# lines and malformed quoting, cut into many chunks (SLUICE_CHUNK_BYTES
# makes them small) so that records of every kind fall across their
# boundaries.
. "$SLUICE_TOP/tests/lib.sh"

# A few hundred thousand records of every kind, in a fixed random order
# (a tenth of them under valgrind, which runs each program some fifty
# times slower: still many chunks of 64 KiB).
n=200000 per_day=20000
if [ -n "$SLUICE_WRAP" ]; then n=20000 per_day=3000; fi
awk -v n=$n 'BEGIN {
    srand(7)
    printf "\357\273\277order_id,order_date,product,quantity,unit_price,amount,note\r\n"
    for (i = 0; i < n; i++) {
        k = int(rand() * 20)
        e = int(rand() * 10) == 0 ? (rand() < 0.5 ? "\r\n" : "\r") : "\n"
        d = sprintf("2025-01-%02d", 1 + i % 28)
        if (k == 0) l = i "," d ",\"Masala\nDosa\",2,10.5,,\"multi\r\nline \"\"quoted\"\" note\""
        else if (k == 1) l = i "," d ",bad\"quote,1,2,,x"
        else if (k == 2) l = i "," d ",\"closed\"junk,1,2,,x"
        else if (k == 3) l = i "," d ",short"
        else if (k == 4) l = ""
        else if (k == 5) l = i ",not-a-date,Idli,1,2,,\"a,b\""
        else if (k == 6) l = i "," d ",caf\351,1,2,,bad utf8"
        else if (k == 7) l = i "," d ",\"x\"\",y\",1,2,3,\"\""
        else if (k == 8) l = i "," d ",a\"b,\"c\nd\",1,2,3"
        else if (k == 9) l = i "," d ",,,,,"
        else l = i "," d ",Product " k "," (k % 5 + 1) "," k "." (i % 90 + 10) ",,note " i
        printf "%s%s", l, e
    }
}' >"$T/big.csv"
gzip -c "$T/big.csv" >"$T/big.csv.gz"
"$SLUICE_BIN/schema-gen" -q ecommerce --per-day $per_day --days 2 >"$T/ec.csv"
"$SLUICE_BIN/schema-gen" -q ecommerce --per-day $per_day --days 2 -f jsonl >"$T/ec.jsonl"
gzip -c "$T/ec.jsonl" >"$T/ec.jsonl.gz"

# Everything a run says, its seconds left out.
said() {  # said TAG
    for f in out err rej stats metrics; do
        [ -f "$T/$f" ] || : >"$T/$f"
    done
    sed 's/, [0-9.]*s$//' "$T/err" >"$T/err.x"
    sed 's/"seconds":[0-9.e+-]*//; s/"time":"[^"]*"//' "$T/stats" "$T/metrics" >"$T/meta.x"
    cat "$T/out" "$T/err.x" "$T/rej" "$T/meta.x" >"$T/said.$1"
    echo "rc $rc" >>"$T/said.$1"
}

# same LABEL CHUNKS PROGRAM ARGS: -j 2 and -j 4 say what -j 1 says.
same() {
    _label=$1 _chunks=$2
    shift 2
    rm -f "$T/rej" "$T/stats" "$T/metrics"
    SLUICE_CHUNK_BYTES= run "$@" -j 1 --reject "$T/rej" --stats "$T/stats"
    said one
    for _j in 2 4; do
        for _c in $_chunks; do
            rm -f "$T/rej" "$T/stats" "$T/metrics"
            SLUICE_CHUNK_BYTES=$_c run "$@" -j $_j --reject "$T/rej" \
                --stats "$T/stats"
            said many
            _size="$_c bytes"
            [ "$_c" = default ] && _size="a MiB"
            is_file "$T/said.many" "$T/said.one" \
                "$_label: -j $_j, chunks of $_size: as -j 1"
        done
    done
}

for f in "$DATA"/*.csv "$DATA"/*.jsonl; do
    same "cleanse $(basename "$f")" "1 7 default" cleanse "$f"
done
same "cleanse, CSV to JSON Lines" "1 default" cleanse -f jsonl "$DATA/nasty.csv" "$DATA/bad.csv"
same "cleanse, JSON Lines to CSV" "1 default" cleanse -f csv "$DATA/mixed.jsonl" "$DATA/canonical.jsonl"
same "cleanse, $n nasty CSV records" "65536 default" cleanse "$T/big.csv"
same "cleanse, the same gzip, to JSON Lines, --where" "65536 default" \
    cleanse -f jsonl --where "quantity > 1" "$T/big.csv.gz"
same "cleanse --schema --dedup --metrics, CSV" "65536 default" \
    cleanse --schema ecommerce --dedup event_id --metrics "$T/metrics" "$T/ec.csv"
same "cleanse --schema --dedup --late-after, JSON Lines gzip to CSV" "65536 default" \
    cleanse --schema ecommerce --dedup event_id --late-after 10m -f csv "$T/ec.jsonl.gz"
same "cleanse --schema --where, two inputs" "65536 default" \
    cleanse --schema ecommerce --where "event_type == 'purchase'" "$T/ec.jsonl" "$T/ec.csv"
same "cleanse, stdin" "65536 default" --stdin "$T/big.csv" cleanse -q

# -j 3 runs 3 threads beside the one that reads (the outputs above would
# match if -j were ignored): counted in /proc while the input, a FIFO,
# is held open.
for prog in cleanse batch-agg "stream-window --time b --size 1h" \
    "parquet-sink -o $T/threads.parquet"; do
    rm -f "$T/fifo"
    mkfifo "$T/fifo"
    "$SLUICE_BIN/"$prog -q -j 3 "$T/fifo" >/dev/null 2>&1 &
    pid=$!
    exec 5>"$T/fifo"
    printf 'a,b\n' >&5
    threads=0
    for _i in $(seq 100); do
        threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        [ "${threads:-0}" -ge 4 ] && break
        sleep 0.05
    done
    exec 5>&-
    wait "$pid"
    is "$threads" 4 "${prog%% *} -j 3: three threads read beside the first"
done

# Without a dead-letter file the threads keep only a diverted record's
# place (for the messages): the same messages and counts.
for j in 1 2 4; do
    SLUICE_CHUNK_BYTES=65536 run cleanse -j $j --schema ecommerce \
        --dedup event_id --stats "$T/stats" "$T/ec.csv"
    rm -f "$T/rej" "$T/metrics"
    said "norej.$j"
done
is_file "$T/said.norej.2" "$T/said.norej.1" "cleanse --dedup, no --reject, -j 2: as -j 1"
is_file "$T/said.norej.4" "$T/said.norej.1" "cleanse --dedup, no --reject, -j 4: as -j 1"

# A pipe: read as it comes, cut where it pauses too.
for j in 1 2; do
    cat "$T/big.csv" | SLUICE_CHUNK_BYTES=65536 "$SLUICE_BIN/cleanse" -q -j $j \
        -f jsonl >"$T/pipe.$j" 2>"$T/pipe-err.$j"
done
is_file "$T/pipe.2" "$T/pipe.1" "cleanse -j 2 from a pipe: as -j 1"
is_file "$T/pipe-err.2" "$T/pipe-err.1" "  and says the same"

# batch-agg: each thread its own groups, merged at the end; the rejects
# replayed in input order.  Sums are exact and a min's or max's tie
# goes to the value with more decimals, so the groups are the same.
for f in "$DATA"/*.csv "$DATA"/*.jsonl; do
    same "batch-agg $(basename "$f")" "1 default" batch-agg "$f"
done
same "batch-agg, $n nasty CSV records, --kpis" "65536 default" \
    batch-agg --kpis "$T/metrics" "$T/big.csv"
same "batch-agg, the same gzip, by quantity, min, max, distinct, --where" \
    "65536 default" batch-agg --where "quantity > 1" -g quantity --date none \
    -m count -m min:unit_price -m max:unit_price -m distinct:product \
    -m approx_distinct:note -m "big=count where unit_price > 15" "$T/big.csv.gz"
same "batch-agg --schema, its analysis, --kpis, JSON Lines gzip" "65536 default" \
    batch-agg --schema ecommerce --kpis "$T/metrics" "$T/ec.jsonl.gz"
same "batch-agg --schema --partial, two inputs" "65536 default" \
    batch-agg --schema ecommerce --partial "$T/ec.jsonl" "$T/ec.csv"
same "batch-agg, stdin" "65536 default" --stdin "$T/ec.csv" batch-agg -q \
    --schema ecommerce -g event_type --date none -m n=count \
    -m "purchases=count_true:is_purchase"
# A tie, a record a chunk: the value with more decimals, whichever
# thread reads it first.
printf 'k,x\na,1.5\na,1.50\na,2\na,2.000\nb,1.50\nb,1.5\n' >"$T/ties.csv"
for j in 1 2 4; do
    SLUICE_CHUNK_BYTES=1 run batch-agg -q -j $j -g k --date none \
        -m min:x -m max:x "$T/ties.csv"
    is "$(cat "$T/out")" "$(printf 'k,min_x,max_x\na,1.50,2.000\nb,1.50,1.500')" \
        "batch-agg -j $j: min and max of equal values, the more decimals"
done

# stream-window over files: threads read the records, one puts them into
# the windows in input order, so the watermark, the late events (the
# generated events are out of order within a day), the rows and the
# rejects are one thread's.
same "stream-window, sliding windows, --late, out of order" "65536 default" \
    stream-window --time event_time --size 1h --slide 15m --watermark 5m \
    -g event_type -m count -m sum:price -m distinct:product_id \
    -m "buys=count where event_type == 'purchase'" --late "$T/metrics" "$T/ec.csv"
same "stream-window, sessions, --schema, JSON Lines gzip" "65536 default" \
    stream-window --schema ecommerce --session-gap 20m -g user_id \
    -m count -m max:price -m approx_distinct:category "$T/ec.jsonl.gz"
same "stream-window, $n nasty records, days, rejects" "65536 default" \
    stream-window --time order_date --size 1d -g product -m count \
    -m max:unit_price --where "quantity > 1" "$T/big.csv"
same "stream-window, stdin, to JSON Lines" "65536 default" --stdin "$T/ec.csv" \
    stream-window -f jsonl --time event_time --size 30m -g category -m count

# A quote opened by a bad record that never closes, far into the input:
# the lines the record took are said as the input's, not its chunk's.
{ printf 'a,b\n'; seq 1 20000 | sed 's/$/,1/'; printf 'x"y,"z\n'
  seq 1 20000 | sed 's/$/,1/'; } >"$T/open.csv"
same "cleanse, a quote that never closes after 20000 lines" "65536 default" \
    cleanse "$T/open.csv"

# parquet-sink: records read and converted by the threads, each chunk's
# rows gathered into columns of its own and appended here in order
# (without -p), full row groups encoded and compressed by other threads
# while one reads on.  The files are those of -j 1 byte for byte (part
# files compared by partition and number: their names end in the run's
# id), and so are the rejects and counts.
pq_files() {  # pq_files OUT: each file's name (less its run id) and digest
    if [ -f "$1" ]; then
        cksum <"$1"
    else
        (cd "$1" && find . -name '*.parquet' | sort | while read -r f; do
            printf '%s %s\n' "${f%-*.parquet}" "$(cksum <"$f")"
        done)
    fi
}
pq_same() {  # pq_same LABEL OUT ARGS: -j 2 and -j 4 write what -j 1 writes
    _label=$1 _o=$2
    shift 2
    for _j in 1 2 4; do
        rm -rf "$T/$_o" "$T/rej" "$T/stats" "$T/metrics"
        run parquet-sink -j $_j --reject "$T/rej" --stats "$T/stats" "$@"
        pq_files "$T/$_o" >"$T/out"
        said "pq.$_j"
    done
    ok "$(grep -c . "$T/said.pq.1" | awk '{ print ($1 < 4) }')" "$_label: files written"
    is_file "$T/said.pq.2" "$T/said.pq.1" "$_label: -j 2: as -j 1"
    is_file "$T/said.pq.4" "$T/said.pq.1" "$_label: -j 4: as -j 1"
}
pq_same "parquet-sink -o, zstd, rows typed by the first, $n nasty records" \
    one.parquet -c zstd --row-group-rows 1000 -o "$T/one.parquet" "$T/big.csv"
# Chunks of 64 KiB: many a chunk's rows fall across a row group's end,
# or a file's; the note column's dictionary is given up in each row
# group of 20000 (mostly distinct values), by the thread encoding it.
SLUICE_CHUNK_BYTES=65536
export SLUICE_CHUNK_BYTES
pq_same "parquet-sink -o, snappy, row groups of 20000, chunks of 64 KiB" \
    one.parquet --row-group-rows 20000 -o "$T/one.parquet" "$T/big.csv"
pq_same "parquet-sink -d, --mode append --roll-rows, chunks of 64 KiB" lake3 \
    --mode append --roll-rows 1500 --row-group-rows 400 -d "$T/lake3" "$T/big.csv"
unset SLUICE_CHUNK_BYTES
pq_same "parquet-sink -o, --schema, JSON Lines gzip" one.parquet \
    --row-group-rows 700 --schema ecommerce -o "$T/one.parquet" "$T/ec.jsonl.gz"
pq_same "parquet-sink -d -p, gzip, --schema, JSON Lines gzip" lake -c gzip \
    --row-group-rows 500 --schema ecommerce -d "$T/lake" -p event_type "$T/ec.jsonl.gz"
pq_same "parquet-sink --mode append --roll-rows, 2 files open at most" lake2 \
    --mode append --roll-rows 1500 --row-group-rows 400 --max-open-files 2 \
    -d "$T/lake2" -p order_date "$T/big.csv"
# A write that fails (the file too large for the limit) while threads
# encode row groups fails the run as it does with one: exit 1, no file,
# said.
for j in 1 2 4; do
    (trap '' XFSZ; ulimit -f 200
     run parquet-sink -q -j $j -c zstd --row-group-rows 1000 -o "$T/full.parquet" "$T/big.csv"
     echo "$rc" >"$T/rc")
    is "$(cat "$T/rc"):$(ls "$T" | grep -c 'full\.parquet')" 1:0 \
        "parquet-sink -j $j, a write refused: exit 1, no file left"
    like "$(err)" "full.parquet: File too large" "  and says why"
done

# schema-gen: each day's records made by threads, written in order.
jq 'del(.sessions) | .name = "no_sessions"' "$SLUICE_SCHEMAS/ecommerce.json" \
    >"$T/no_sessions.json"
gen_same() {  # gen_same LABEL ARGS: -j 2 and -j 4 make what -j 1 makes
    _label=$1
    shift
    run schema-gen -j 1 --stats "$T/stats" "$@"
    rm -f "$T/rej" "$T/metrics"
    said one
    for _j in 2 4; do
        run schema-gen -j $_j --stats "$T/stats" "$@"
        said many
        is_file "$T/said.many" "$T/said.one" "$_label: -j $_j: as -j 1"
    done
}
gen_same "schema-gen retail, 3 days" retail -n 100001 --days 3
gen_same "schema-gen, --per-day, JSON Lines" card_transactions --per-day 30000 --days 2 -f jsonl
gen_same "schema-gen, anomalies and their copies" "$T/no_sessions.json" -n 70001 --days 2 --anomalies 0.5
gen_same "schema-gen, every record an anomaly, a day ending on a copy" \
    "$T/no_sessions.json" -n 3073 --days 1 --anomalies 1
gen_same "schema-gen, sessions (one thread)" ecommerce -n 20000 --days 1
gen_same "schema-gen, gzip" customer_events -n 40001 -c gzip
done_testing
