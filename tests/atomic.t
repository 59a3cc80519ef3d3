#!/bin/sh
# Atomic outputs (lib/out.c): a symbolic link is written through to the
# file it leads to and stays a link; a device, a FIFO, a folder or
# /dev/stdout is written in place (or refused), never renamed over.
# Devices are ones made in the test's folder where we may (root); the
# real /dev/full and /dev/null are written only once those pass, and are
# checked to be the same devices at the end.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)

$SLUICE_WRAP "$SG" -q retail --per-day 300 --days 2 >"$T/in.csv"

# write_with W PATH: writer W with PATH as its output (kpis: batch-agg
# --kpis, truth: schema-gen --truth, pq: parquet-sink -o).
write_with() {
    case $1 in
    kpis) run batch-agg --kpis "$2" "$T/in.csv" ;;
    truth) run schema-gen ecommerce --per-day 200 --days 1 -f jsonl --truth "$2" ;;
    pq) run parquet-sink -o "$2" "$T/in.csv" ;;
    esac
}

# What each makes given a plain name, to compare with.
for w in kpis truth pq; do
    write_with $w "$T/want.$w"
    is "$rc" 0 "$w: to a plain file"
done

# no_temps DIR LABEL: no temporary left behind.
no_temps() {
    is "$(find "$1" -name '.*.tmp-*' | wc -l | tr -d ' ')" 0 "$2"
}

# --- Symbolic links: written through, left links -----------------------------
mkdir "$T/sub" "$T/other"
for w in kpis truth pq; do
    echo old >"$T/sub/$w.real"
    ln -s "../sub/$w.real" "$T/other/$w.link"   # relative, from another folder
    ln -s "other/$w.link" "$T/$w.chain"         # a chain of two
done
for w in kpis truth pq; do
    write_with $w "$T/$w.chain"
    is "$rc" 0 "$w: through a chain of links"
    is_file "$T/sub/$w.real" "$T/want.$w" "the file at the chain's end has it"
    [ -L "$T/$w.chain" ] && [ -L "$T/other/$w.link" ] && [ -f "$T/sub/$w.real" ]
    ok $? "$w: both links are still links, the target a regular file"
done
no_temps "$T" "no temporary left beside the links or the targets"

# A dangling link: the file it names is made.
ln -s "sub/new.csv" "$T/dangling"
run batch-agg --kpis "$T/dangling" "$T/in.csv"
is "$rc" 0 "batch-agg --kpis to a dangling link"
[ -L "$T/dangling" ]
ok $? "the dangling link is still a link"
is_file "$T/sub/new.csv" "$T/want.kpis" "and the file it names is made"

# A link to a folder that does not exist: an error naming the output.
ln -s "nowhere/k.csv" "$T/lost"
run batch-agg --kpis "$T/lost" "$T/in.csv"
is "$rc" 1 "a link into a missing folder: exit 1"
like "$(err)" "$T/lost: No such file or directory" "naming the file"

# A folder is not replaced.
mkdir "$T/adir"
run batch-agg --kpis "$T/adir" "$T/in.csv"
is "$rc" 1 "--kpis to a folder: exit 1"
like "$(err)" "$T/adir: Is a directory" "naming it"
[ -d "$T/adir" ]
ok $? "the folder is still a folder"

# A link loop.
ln -s loop2 "$T/loop1"; ln -s loop1 "$T/loop2"
run parquet-sink -o "$T/loop1" "$T/in.csv"
is "$rc" 1 "a loop of links: exit 1"
like "$(err)" "loop1: Too many (levels of )?symbolic links" "saying so"

# --- FIFOs: written in place, live --------------------------------------------
mkfifo "$T/fifo"
# (The readers give up after a while: an old build replaces the FIFO, and
# no writer would ever open it.)
timeout 20 cat "$T/fifo" >"$T/fifo.out" &
reader=$!
run batch-agg --kpis "$T/fifo" "$T/in.csv"
wait "$reader"
is "$rc" 0 "batch-agg --kpis to a FIFO"
is_file "$T/fifo.out" "$T/want.kpis" "the reader got the KPIs"
[ -p "$T/fifo" ]
ok $? "the FIFO is still a FIFO"
fifo_ok=$([ "$rc" = 0 ] && [ -p "$T/fifo" ] && echo 1)

# Live: the truth comes as the records are made (20 a second for 2 s), not
# all at the end.
rm -f "$T/fifo"; mkfifo "$T/fifo"
timeout 20 sh -c 'while IFS= read -r l; do date +%s%N; done <"$1"' sh "$T/fifo" \
    >"$T/times" &
reader=$!
run schema-gen ecommerce --rate 20 -n 40 --anomalies 0.5 --truth "$T/fifo"
wait "$reader"
is "$rc" 0 "schema-gen --rate --truth to a FIFO"
first=$(head -1 "$T/times"); last=$(tail -1 "$T/times")
ok "$(( ${last:-0} - ${first:-0} < 800000000 ))" \
    "the reader saw the truth as it was made ($(( (${last:-0} - ${first:-0}) / 1000000 )) ms from first to last line)"

# --- Devices -------------------------------------------------------------------
# full_case DEV LABEL: every writer fails on a full device, naming it, and
# leaves it a character device.
full_case() {
    for w in kpis truth pq; do
        write_with $w "$1"
        is "$rc" 1 "$w: to $2: exit 1"
        like "$(err)" "$1: No space left on device" "naming the file and the reason"
    done
    [ -c "$1" ]
    ok $? "$2 is still a character device"
}
dev_ok=
if mknod "$T/full" c 1 7 2>/dev/null && mknod "$T/null" c 1 3 2>/dev/null; then
    full_case "$T/full" "a full device made here"
    run parquet-sink -o "$T/null" "$T/in.csv"
    is "$rc" 0 "parquet-sink -o a null device made here"
    [ -c "$T/null" ]
    ok $? "it is still a character device"
    [ -c "$T/full" ] && [ -c "$T/null" ] && dev_ok=1
else
    dev_ok=$fifo_ok   # not root: FIFOs showed devices are written in place
fi
no_temps "$T" "no temporary left"
# The real devices only when the test's own showed they are written in
# place: an old build must not replace them.
if [ -n "$dev_ok" ]; then
    full_case /dev/full "/dev/full"
    for w in kpis truth pq; do
        write_with $w /dev/null
        is "$rc" 0 "$w: to /dev/null: exit 0"
    done
    is "$(find /dev -maxdepth 1 -name '.*.tmp-*' | wc -l | tr -d ' ')" 0 \
        "no temporary left in /dev"
else
    echo "ok $((tap_n += 1)) # SKIP /dev: the test's own devices were replaced"
fi

# --- Standard output and error ---------------------------------------------------
# A link of our own to /proc/self/fd/1 first: an old build renames over it,
# here, before /dev/stdout is tried.
ln -s /proc/self/fd/1 "$T/fd1"
run batch-agg -o "$T/agg.csv" --kpis "$T/fd1" "$T/in.csv"
is "$rc" 0 "--kpis to a link to /proc/self/fd/1"
is_file "$T/out" "$T/want.kpis" "the KPIs went to stdout"
[ -L "$T/fd1" ]
ok $? "the link is still a link"
# Outputs written in place (cleanse -o, --reject) never rename: they go
# on the descriptor, not through a second open that would empty the file
# stdout is (what came before lost, what comes after over it).
_c=$(prog cleanse)
$SLUICE_WRAP "$_c" -q "$T/in.csv" >"$T/clean-want.csv"
{ echo before; cat "$T/clean-want.csv"; echo after; } >"$T/so2-want.txt"
ln -s /proc/self/fd/1 "$T/fd1b"
for o in "$T/fd1b" /dev/stdout; do
    [ "$o" = /dev/stdout ] && ! [ -L "$T/fd1" ] && continue   # (as below)
    { echo before; $SLUICE_WRAP "$_c" -q -o "$o" --reject "$o" "$T/in.csv"; echo after; } \
        >"$T/so2.txt" 2>"$T/err"
    is_file "$T/so2.txt" "$T/so2-want.txt" "cleanse -o $o into a file: what came before is kept"
done
if [ -L "$T/fd1" ] && [ -L /dev/stdout ]; then
    # stdout a file with something in it already: the KPIs are added at
    # stdout's offset, nothing before them is lost.
    _p=$(prog batch-agg)
    { echo before; $SLUICE_WRAP "$_p" -q -o "$T/agg.csv" --kpis /dev/stdout "$T/in.csv"; echo after; } \
        >"$T/so.txt" 2>"$T/err"
    is "$?" 0 "--kpis /dev/stdout into a file"
    { echo before; cat "$T/want.kpis"; echo after; } >"$T/so-want.txt"
    is_file "$T/so.txt" "$T/so-want.txt" "stdout has what came before, the KPIs, and what came after"
    $SLUICE_WRAP "$_p" -q -o "$T/agg.csv" --kpis /dev/stdout "$T/in.csv" \
        2>"$T/err" | cat >"$T/pipe.txt"
    is_file "$T/pipe.txt" "$T/want.kpis" "--kpis /dev/stdout into a pipe: the KPIs are in the pipe"
    run batch-agg -o "$T/agg.csv" --kpis /dev/stderr "$T/in.csv"
    is "$rc" 0 "--kpis /dev/stderr"
    grep -q '^total_revenue,' "$T/err"
    ok $? "the KPIs went to stderr"
    run parquet-sink -o /dev/stdout "$T/in.csv"
    is "$rc" 0 "parquet-sink -o /dev/stdout"
    is_file "$T/out" "$T/want.pq" "the Parquet file went to stdout"
else
    echo "ok $((tap_n += 1)) # SKIP /dev/stdout: a link to /proc/self/fd/1 was replaced"
fi

# A file appended to (dead letters, late events) that a killed run left
# with its last line cut short: cut back to its last whole line first,
# so the next line is not glued to the part line.
printf '{"a":1}\n{"a":2}\n{"a":' >"$T/torn.jsonl"
printf 'x,y\n1,2\n' | {
    $SLUICE_WRAP "$(prog cleanse)" -q --reject "$T/torn.jsonl" >/dev/null 2>"$T/err"; }
like "$(err)" "torn.jsonl: its last line was cut short .*: 5 bytes dropped" "an appended file's cut last line: said"
is "$(head -n 2 "$T/torn.jsonl")" '{"a":1}
{"a":2}' "  the whole lines kept"
jq -c . "$T/torn.jsonl" >/dev/null 2>&1
ok $? "  and every line is whole JSON after the append"
is "$(wc -l <"$T/torn.jsonl" | tr -d ' ')" 3 "  (the new dead letter follows them)"

# Whatever happened above: the machine's devices and links are as they were.
[ -c /dev/null ] && [ -c /dev/full ]
ok $? "/dev/null and /dev/full are still character devices"
is "$(stat -c %t:%T /dev/null)" "1:3" "/dev/null is still device 1,3"
[ -L /dev/stdout ] && [ -L /dev/stderr ]
ok $? "/dev/stdout and /dev/stderr are still links"

done_testing
