#!/bin/sh
# The record layer end to end, through rec-cat (read, write, divert).
. "$SLUICE_TOP/tests/lib.sh"

# --- Round trips and twins -------------------------------------------------
run rec-cat -q -f jsonl "$DATA/canonical.csv"
is_file "$T/out" "$DATA/canonical.jsonl" "canonical CSV -> JSONL (golden)"
cp "$T/out" "$T/canon.jsonl"
run rec-cat -q -f csv "$T/canon.jsonl"
is_file "$T/out" "$DATA/canonical.csv" \
    "canonical CSV -> JSONL -> CSV is byte-identical"
run rec-cat -q "$DATA/canonical.csv"
is_file "$T/out" "$DATA/canonical.csv" "canonical CSV -> CSV is byte-identical"

run rec-cat -q -f jsonl "$DATA/messy.csv"
cp "$T/out" "$T/messy.jsonl"
run rec-cat -q -f jsonl "$DATA/clean.csv"
is_file "$T/messy.jsonl" "$T/out" \
    "BOM + CRLF + needless quotes + blank lines: same records as the clean twin"
run rec-cat -q "$DATA/messy.csv"
is_file "$T/out" "$DATA/clean.csv" "the messy twin writes as the clean one"

# --- gzip and format choice ------------------------------------------------
gzip -c "$DATA/clean.csv" >"$T/in.csv.gz"
cp "$T/in.csv.gz" "$T/in.data"
run rec-cat -q "$T/in.csv.gz"
is_file "$T/out" "$DATA/clean.csv" "gzip input by name"
run rec-cat -q "$T/in.data"
is_file "$T/out" "$DATA/clean.csv" "gzip input by magic bytes, CSV sniffed"
run --stdin "$T/in.csv.gz" rec-cat -q
is_file "$T/out" "$DATA/clean.csv" "gzip on stdin"
head -n 3 "$DATA/clean.csv" | gzip -c >"$T/m.csv.gz"
tail -n +4 "$DATA/clean.csv" | gzip -c >>"$T/m.csv.gz"
run --stdin "$T/m.csv.gz" rec-cat -q
is_file "$T/out" "$DATA/clean.csv" "gzip of two members (cat a.gz b.gz), from a pipe"
head -c 40 "$T/in.csv.gz" >"$T/cut.csv.gz"
run rec-cat -q "$T/cut.csv.gz"
is "$rc:$(err)" "1:rec-cat: $T/cut.csv.gz: the gzip data ends early" "a truncated gzip file is an error, exit 1"
run rec-cat -q -z -f jsonl -o "$T/z.jsonl.gz" "$DATA/clean.csv"
gzip -dc "$T/z.jsonl.gz" >"$T/z.jsonl"
is_file "$T/z.jsonl" "$T/messy.jsonl" "gzip output (-z -o)"

run --stdin "$DATA/canonical.jsonl" rec-cat -q
is_file "$T/out" "$DATA/canonical.jsonl" "JSONL sniffed on stdin, JSONL out"
run --stdin "$DATA/clean.csv" rec-cat -q
is_file "$T/out" "$DATA/clean.csv" "CSV sniffed on stdin, CSV out"
cp "$DATA/canonical.jsonl" "$T/looks.csv"
run rec-cat -q -f csv "$T/looks.csv"
is "$rc" 1 "a .csv name that holds JSON fails as CSV (header unreadable)"
run rec-cat -q -f csv --input-format jsonl "$T/looks.csv"
is_file "$T/out" "$DATA/canonical.csv" "--input-format overrides the name"

printf 'a,b\n1,2\n' >"$T/x.csv"
printf 'b,a\n4,3\n' >"$T/y.csv"
run rec-cat -q "$T/x.csv" "$T/y.csv"
is "$(out)" "$(printf 'a,b\n1,2\n3,4')" \
    "several inputs: columns matched by name to the first header"
printf 'x,y\n' >"$T/hdr.csv"
run rec-cat -q "$T/hdr.csv"
is "$(out)" "x,y" "a header with no rows still writes the header"

run rec-cat -q -f csv "$DATA/mixed.jsonl"
is "$(out)" "$(printf 'id,name,tags\n1,a,"[""x"",""y""]"\n2,b,\n4,,')" \
    "JSONL -> CSV: header from the first record, nested values as JSON"

# --- Bad records: reported with position, diverted, counted -----------------
run rec-cat --reject "$T/rej.jsonl" "$DATA/bad.csv"
is "$rc" 0 "bad records are not a failure"
is "$(out)" "$(printf 'a,b,c\n1,x,10\n6,"ok\nstill ok",60')" \
    "good records pass, in order"
like "$(err)" "^rec-cat: .*bad.csv:3: expected 3 fields \(the header's\), found 2$" \
    "a short row reported with file:line"
like "$(err)" "bad.csv:4: malformed quoting" "bad quoting reported"
like "$(err)" "bad.csv:5: invalid UTF-8 in column 2 at byte 4" \
    "invalid UTF-8 reported"
like "$(err)" "bad.csv:6: expected 3 fields \(the header's\), found 4" \
    "a long row reported"
like "$(err)" "^rec-cat: 6 in, 2 out, 4 rejected, 0 duplicates, 0 filtered, [0-9.]+s$" \
    "summary: in = out + rejected"
is "$(wc -l <"$T/rej.jsonl" | tr -d ' ')" 4 "four dead letters"
is "$(sed -n 1p "$T/rej.jsonl")" \
    '{"source":"'"$DATA"'/bad.csv:3","errors":[{"rule":"parse","message":"expected 3 fields (the header'"'"'s), found 2"}],"record":{"a":2,"b":"y"}}' \
    "dead letter: source, reason, record"
like "$(sed -n 2p "$T/rej.jsonl")" '"raw":"3,\\"z\\"q,30"' \
    "dead letter of unparsable CSV keeps the line"
like "$(sed -n 4p "$T/rej.jsonl")" '"fields":\[5,"w",50,"extra"\]' \
    "dead letter of a long row keeps every cell"

printf '{"a":1}\n{"a":\n\n{"a":3}\n' >"$T/b.jsonl"
run rec-cat -f csv "$T/b.jsonl"
is "$(out)" "$(printf 'a\n1\n3')" "a bad JSON line is skipped"
like "$(err)" "b.jsonl:2: column 5: " "and reported with line and column"

awk 'BEGIN { print "a,b"; for (i = 1; i <= 30; i++) print (i % 2 ? "x" : "x," i) }' \
    >"$T/many.csv"
run rec-cat "$T/many.csv"
is "$(grep -c 'expected 2 fields' "$T/err")" 10 "the first 10 bad records are shown"
like "$(err)" "more diverted records are not shown" "then a note"
like "$(err)" "30 in, 15 out, 15 rejected" "and every one is counted"

# --- Exit status and the common options --------------------------------------
run rec-cat -q "$T/missing.csv" "$DATA/clean.csv"
is "$rc" 1 "a missing input: exit 1"
like "$(err)" "^rec-cat: .*missing.csv: No such file or directory$" \
    "named in the message"
is_file "$T/out" "$DATA/clean.csv" "the other inputs are still read"

run rec-cat --no-such-option
is "$rc" 2 "unknown option: exit 2"
like "$(err)" "Try 'rec-cat --help' for more information." "points to --help"
run rec-cat -f xml
is "$rc" 2 "bad format: exit 2"
like "$(err)" '^rec-cat: -f: unknown format "xml" \(csv or jsonl\)' "says why"
run rec-cat --help
is "$rc" 0 "--help: exit 0"
like "$(out)" "^usage: rec-cat " "--help: usage on stdout"
like "$(out)" "--input-format FMT" "--help: lists the common options"
run rec-cat --version
is "$(out | head -n 1)" "rec-cat (sluice) $(cat "$SLUICE_TOP/VERSION"), ISC licence" "--version: the VERSION file's, and the licence"
like "$(out)" "jansson .*zlib .*libcsv" "--version names the libraries"
run rec-cat -q "$DATA/clean.csv"
is "$(err)" "" "-q: nothing on stderr"

# --- Failure paths --------------------------------------------------------------
_p=$(prog rec-cat)
rc=0; $SLUICE_WRAP "$_p" -q "$DATA/clean.csv" >/dev/full 2>"$T/err" || rc=$?
is "$rc" 1 "/dev/full: exit 1"
like "$(err)" "^rec-cat: stdout: No space left on device$" "/dev/full: reported"

awk 'BEGIN { print "n,s"; for (i = 0; i < 300000; i++) print i ",some text" }' \
    >"$T/big.csv"
first=$($SLUICE_WRAP "$_p" "$T/big.csv" 2>"$T/err" | head -n 2)
is "$first" "$(printf 'n,s\n0,some text')" "| head: the first lines arrive"
is "$(err)" "" "| head: a closed pipe ends quietly"

# Memory follows the widest record, not the number of records: 20x the
# rows may not cost 2 MB more (jsonl out exercises the whole layer).
awk 'BEGIN { print "n,s"; for (i = 0; i < 1500000; i++) print i ",\"x," i "\"" }' \
    >"$T/huge.csv"
head -n 75001 "$T/huge.csv" >"$T/small.csv"
rss() { /usr/bin/time -f %M -o "$T/rss" "$_p" -q -f jsonl "$1" >/dev/null &&
    cat "$T/rss"; }
if [ -z "$SLUICE_WRAP" ] && [ -x /usr/bin/time ]; then
    small=$(rss "$T/small.csv"); huge=$(rss "$T/huge.csv")
    ok "$(( huge - small > 2048 ))" \
        "memory flat in the stream: ${small} kB for 75k rows, ${huge} kB for 1.5M"
fi

# Bad records in a row do not pile up either (they give their memory back).
awk 'BEGIN { print "a,b,c"; for (i = 0; i < 400000; i++)
    print "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv,vvvvvvvvvvvvvvvvvv,x\"y" }' \
    >"$T/allbad.csv"
if [ -z "$SLUICE_WRAP" ] && [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$T/rss" "$_p" -q "$T/allbad.csv" >/dev/null 2>&1
    bad=$(cat "$T/rss")
    ok "$(( bad - small > 2048 ))" \
        "400k malformed lines in a row: $bad kB, as little as 75k good rows ($small kB)"
fi

# A read error while opening still fails the run.
mkdir "$T/adir"
run rec-cat -q "$T/adir"
is "$rc" 1 "a directory as input: exit 1"
like "$(err)" "adir: Is a directory" "and says so"
gzip -c "$DATA/clean.csv" | head -c 150 >"$T/cut.csv.gz"
run rec-cat -q "$T/cut.csv.gz"
is "$rc" 1 "a truncated gzip file: exit 1"

# Integers beyond 64 bits survive CSV -> JSONL -> CSV, and their neighbours.
printf 'id,ref,n\n9007199254740993,12345678901234567890123,3\n' >"$T/big.csv"
run rec-cat -q -f jsonl "$T/big.csv"
cp "$T/out" "$T/big.jsonl"
is "$(out)" '{"id":9007199254740993,"ref":"12345678901234567890123","n":3}' \
    "CSV -> JSONL: a 64-bit integer stays a number, a longer one a string"
run rec-cat -q -f csv "$T/big.jsonl"
is_file "$T/out" "$T/big.csv" "and JSONL -> CSV gives the file back"
printf '{"ref":12345678901234567890123,"n":3,"x":9007199254740993}\n' >"$T/bigin.jsonl"
run rec-cat -q "$T/bigin.jsonl"
is "$(out)" '{"ref":12345678901234567890123,"n":3,"x":9007199254740993}' \
    "JSON input: an integer beyond 64 bits is kept exactly, a number still; the rest stay numbers"

# One column: nulls survive the round trip (a blank line is the null).
printf '{"a":null}\n{"a":"x"}\n{"a":null}\n{"a":""}\n' >"$T/one.jsonl"
run rec-cat -q -f csv "$T/one.jsonl"
cp "$T/out" "$T/one.csv"
run rec-cat -q -f jsonl "$T/one.csv"
is_file "$T/out" "$T/one.jsonl" "one-column CSV keeps its nulls"

# Progress only on a terminal: script(1) gives rec-cat one.
if command -v script >/dev/null 2>&1 && [ -z "$SLUICE_WRAP" ]; then
    SLUICE_PROGRESS=0.000001 script -qec "'$_p' -q '$T/small.csv' >/dev/null" \
        /dev/null >"$T/tty" 2>&1
    like "$(tr '\r' '\n' <"$T/tty")" "^rec-cat: [0-9]+ records, [0-9]+/s" \
        "progress on a terminal"
    SLUICE_PROGRESS=0.000001 "$_p" -q "$T/small.csv" >/dev/null 2>"$T/err"
    is "$(err)" "" "no progress when stderr is not a terminal"
fi

run rec-cat -q --reject "$T/nonexistent/dir/rej.jsonl" "$DATA/clean.csv"
is "$rc" 1 "an unwritable reject file: exit 1"

done_testing
