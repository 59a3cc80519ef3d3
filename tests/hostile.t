#!/bin/sh
# Hostile input costs bounded time and memory and ends in a clear error:
# wide records (linear, not quadratic), the limits on a record's columns
# and bytes (SLUICE_MAX_COLUMNS, SLUICE_MAX_LINE_BYTES, sluice(7)).
. "$SLUICE_TOP/tests/lib.sh"

# A header of $1 columns c1..cN and one row 1..N.
wide_csv() {
    awk -v n="$1" 'BEGIN {
        for (i = 1; i <= n; i++) printf "c%d%s", i, i < n ? "," : "\n"
        for (i = 1; i <= n; i++) printf "%d%s", i, i < n ? "," : "\n"
    }'
}

# --- Wide records: a 100,000-column CSV row, to JSON and back (minutes
# when every name was looked for by a scan: the header's for repeats, a
# JSON record's to match the CSV output's columns).
wide_csv 100000 >"$T/wide.csv"
SLUICE_MAX_COLUMNS=100000 timeout 20 $SLUICE_WRAP "$(prog rec-cat)" -q \
    -f jsonl "$T/wide.csv" >"$T/wide.jsonl" 2>"$T/err"
is "$?" 0 "a 100,000-column record is read in seconds"
like "$(cat "$T/wide.jsonl")" '^\{"c1":1,"c2":2,.*,"c99999":99999,"c100000":100000\}$' \
    "  every column, named and valued"
SLUICE_MAX_COLUMNS=100000 timeout 20 $SLUICE_WRAP "$(prog rec-cat)" -q \
    -f csv "$T/wide.jsonl" >"$T/back.csv" 2>"$T/err"
is_file "$T/back.csv" "$T/wide.csv" "  and back to the same CSV"

# A header of one name repeated: each repeat is renamed without trying
# every earlier suffix again.
awk 'BEGIN { for (i = 1; i <= 8000; i++) printf "a,b%s", i < 8000 ? "," : "\n"
    for (i = 1; i <= 16000; i++) printf "%d%s", i, i < 16000 ? "," : "\n" }' \
    >"$T/dup.csv"
timeout 20 $SLUICE_WRAP "$(prog rec-cat)" -q "$T/dup.csv" >"$T/out" 2>"$T/err"
is "$?" 0 "a header of 16,000 repeated names is read in seconds"
is "$(head -n 1 "$T/out" | tr , '\n' | sed -n '1p;2p;3p;4p;15999p;16000p' | paste -sd' ')" \
    "a b a_2 b_2 a_8000 b_8000" "  each repeat renamed name_N, in order"
is "$(grep -c renamed "$T/err")" 15998 "  each renaming said"
printf 'a,a,a_2,,column4,b,a,,column_2\n1,2,3,4,5,6,7,8,9\n' >"$T/dup2.csv"
run rec-cat -q -f jsonl "$T/dup2.csv"
is "$(out)" '{"a":1,"a_2":2,"a_2_2":3,"column4":4,"column4_2":5,"b":6,"a_3":7,"column8":8,"column_2":9}' \
    "repeated and missing names: the same names as before"

# --- The limits.  A CSV header wider than the limit ends its input.
wide_csv 16385 >"$T/w16385.csv"
run rec-cat -q "$T/w16385.csv"
is "$rc" 1 "a header of 16,385 columns: a failure (exit 1)"
like "$(err)" "w16385.csv:1: header: more fields than SLUICE_MAX_COLUMNS \(16384\)" \
    "  saying where and the limit"
wide_csv 16384 >"$T/w16384.csv"
run rec-cat -q -f jsonl "$T/w16384.csv"
is "$rc" 0 "16,384 columns, the default limit, are read"
printf 'a,b,c\n1,2,3\n' >"$T/abc.csv"
SLUICE_MAX_COLUMNS=2 run rec-cat -q "$T/abc.csv"
like "$rc $(err)" "^1 .*abc.csv:1: header: more fields than SLUICE_MAX_COLUMNS \(2\)" \
    "SLUICE_MAX_COLUMNS lowers it"
# A row wider than the limit: a bad record, its cells not kept (16M cells
# of a line of commas took 800 MB); the next row is read.
printf 'a,b\n1,2,3\n4,5\n' >"$T/row.csv"
SLUICE_MAX_COLUMNS=2 run rec-cat "$T/row.csv"
is "$rc $(out)" "0 a,b
4,5" "a CSV row over the column limit is a bad record, the next row read"
like "$(err)" "row.csv:2: more fields than SLUICE_MAX_COLUMNS \(2\)" "  named, with its place"
awk 'BEGIN { print "a"; for (i = 0; i < 200000; i++) printf ","; print ""; print "1" }' >"$T/commas.csv"
SLUICE_MAX_COLUMNS=1000 run rec-cat -q "$T/commas.csv"
is "$rc $(out)" "0 a
1" "  a row of 200,001 empty cells too"

# A JSON record wider than the limit is a bad record, counted, with its place.
printf '{"a":1,"b":2}\n{"a":1,"b":2,"c":3}\n{"a":4}\n' >"$T/abc.jsonl"
SLUICE_MAX_COLUMNS=2 run rec-cat --reject "$T/rej.jsonl" "$T/abc.jsonl"
is "$rc" 0 "a JSON record over the column limit is not a failure"
is "$(out)" '{"a":1,"b":2}
{"a":4}' "  the others pass"
like "$(err)" "^rec-cat: .*abc.jsonl:2: 3 fields, more than SLUICE_MAX_COLUMNS \(2\)" \
    "  it is named, with its place"
like "$(err)" "3 in, 2 out, 1 rejected" "  and counted"
like "$(cat "$T/rej.jsonl")" '"source":".*abc.jsonl:2".*more than SLUICE_MAX_COLUMNS' \
    "  its dead letter says why"
# Past the flat reader's 256 keys (jansson reads those).
awk 'BEGIN { printf "{"; for (i = 1; i <= 300; i++) printf "\"k%d\":%d%s", i, i, i < 300 ? "," : "}\n"; print "{\"k1\":1}" }' >"$T/k300.jsonl"
SLUICE_MAX_COLUMNS=299 run rec-cat "$T/k300.jsonl"
like "$rc $(err)" "^0 .*k300.jsonl:1: 300 fields, more than SLUICE_MAX_COLUMNS \(299\)" \
    "  a record of 300 keys too"

# A line longer than the limit: a bad record; the next line is read.
{ printf '{"a":"'; awk 'BEGIN { for (i = 0; i < 2000; i++) printf "x" }'
  printf '"}\n{"a":2}\n'; } >"$T/long.jsonl"
SLUICE_MAX_LINE_BYTES=1K run rec-cat --reject "$T/rej2.jsonl" "$T/long.jsonl"
is "$rc $(out)" '0 {"a":2}' "a JSON line over SLUICE_MAX_LINE_BYTES=1K is skipped, the next read"
like "$(err)" "long.jsonl:1: line longer than SLUICE_MAX_LINE_BYTES \(1024 bytes\)" \
    "  named, with its place"
like "$(cat "$T/rej2.jsonl")" '"source":".*long.jsonl:1"' "  and diverted"
{ printf 'a,b\n"'; awk 'BEGIN { for (i = 0; i < 40; i++) printf "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" }'
  printf '",1\n'; } >"$T/long.csv"
SLUICE_MAX_LINE_BYTES=1000 run rec-cat "$T/long.csv"
like "$(err)" "long.csv:2: record longer than SLUICE_MAX_LINE_BYTES" \
    "a CSV record over the limit (across its quoted line breaks): named"

# A limit that is not a number is a usage error, in every program.
for p in rec-cat cleanse batch-agg parquet-sink sqlite-sink stream-window; do
    case $p in
    parquet-sink) set -- -o "$T/x.parquet" ;;
    sqlite-sink) set -- -D "$T/x.db" -T x ;;
    stream-window) set -- --time now --size 1m ;;
    *) set -- ;;
    esac
    SLUICE_MAX_LINE_BYTES=lots run $p "$@" "$T/abc.csv"
    like "$rc $(err)" "^2 $p: SLUICE_MAX_LINE_BYTES: \"lots\" is not a limit" \
        "$p: a bad SLUICE_MAX_LINE_BYTES: exit 2, saying so"
done
SLUICE_MAX_COLUMNS=0 run rec-cat "$T/abc.csv"
like "$rc $(err)" '^2 .*SLUICE_MAX_COLUMNS: "0" is not a limit' "a limit of 0 is refused"

done_testing
