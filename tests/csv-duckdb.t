#!/bin/sh
# The CSV reader and writer against an independent implementation: DuckDB
# must see the same values in a nasty RFC 4180 file (BOM, CRLF, quoted
# newlines and quotes, null vs empty string, unicode) as in what rec-cat
# writes back, and the same records in the messy and clean twins.
#
# sluice follows PostgreSQL's CSV convention: an empty unquoted cell is
# null, "" is the empty string; DuckDB agrees with allow_quoted_nulls=false.
. "$SLUICE_TOP/tests/lib.sh"

duck() {  # duck FILE: DuckDB's reading of a CSV file, as JSON Lines
    "$SLUICE_TOP/scripts/duckdb" "SELECT * FROM read_csv('$1', header=true,
        delim=',', quote='\"', escape='\"', all_varchar=true,
        allow_quoted_nulls=false)"
}

if ! "$SLUICE_TOP/scripts/duckdb" --install; then
    echo "Bail out! DuckDB could not be installed (npm)"
    exit 1
fi

duck "$DATA/nasty.csv" >"$T/theirs.jsonl"
is "$(wc -l <"$T/theirs.jsonl" | tr -d ' ')" 6 "DuckDB reads 6 rows"
like "$(sed -n 1p "$T/theirs.jsonl")" '^\{"id":"1","city, state":"Austin, TX"' \
    "DuckDB sees the quoted header"

run rec-cat -q "$DATA/nasty.csv"
cp "$T/out" "$T/ours.csv"
duck "$T/ours.csv" >"$T/again.jsonl"
is_file "$T/again.jsonl" "$T/theirs.jsonl" \
    "rec-cat's rewrite holds exactly the values DuckDB read from the original"
is "$(sed -n 2p "$T/ours.csv")" '1,"Austin, TX","He said ""ok""",12.50,true' \
    "and it is canonical (quoted only where needed)"
like "$(cat "$T/ours.csv")" '^3,,"",-7,false$' "null stays empty, \"\" stays \"\""

duck "$DATA/messy.csv" >"$T/messy.jsonl"
duck "$DATA/clean.csv" >"$T/clean.jsonl"
is_file "$T/messy.jsonl" "$T/clean.jsonl" "DuckDB too sees the twins as equal"

# Our reading, cell by cell, against DuckDB's: rec-cat's JSON read by
# DuckDB's JSON reader (not its CSV reader, which could share a mistake
# with our writer) equals DuckDB's reading of the CSV.  The amount column
# is left out: JSON numbers lose their spelling (12.50 -> 12.5) by design.
run rec-cat -q -f jsonl "$DATA/nasty.csv"
cp "$T/out" "$T/ours.jsonl"
cols='[id, "city, state", note, flag]'
ours=$("$SLUICE_TOP/scripts/duckdb" "SELECT list($cols) AS v FROM
    read_json('$T/ours.jsonl', format='newline_delimited',
    columns={'id':'VARCHAR', 'city, state':'VARCHAR', 'note':'VARCHAR',
    'amount':'VARCHAR', 'flag':'VARCHAR'})")
theirs=$("$SLUICE_TOP/scripts/duckdb" "SELECT list($cols) AS v FROM
    read_csv('$DATA/nasty.csv', header=true, all_varchar=true,
    allow_quoted_nulls=false)")
is "$ours" "$theirs" "every text cell as rec-cat reads it is DuckDB's"
like "$ours" '"line one\\nline two"' "(the comparison sees quoted newlines)"

# Numbers at a double's edges, CSV -> JSON Lines -> CSV: what sluice
# writes it reads back, and nothing turns into another value.  A cell no
# double holds (1e400, 1e-400, a subnormal) is written as a JSON string
# and comes back as the same text; -0.0 stays -0.0.  Integers have no
# negative zero: -0 is 0.
printf '%s\n' v 1e400 -1e400 1e-400 -1e-400 1.5e-320 -0.0 -0 0 1.5 \
    1.7976931348623157e308 1.79769313486232e308 2.2250738585072014e-308 \
    1e308 1e-307 12.50 123456789012345678901234 >"$T/edge.csv"
run rec-cat -f jsonl "$T/edge.csv"
cp "$T/out" "$T/edge.jsonl"
run rec-cat -f csv "$T/edge.jsonl"
is "$rc:$(err | grep -c rejected)" "0:1" "sluice reads every line of the JSON it wrote"
like "$(err)" " 16 in, 16 out, 0 rejected" "  and rejects none"
is "$(tr '\n' ' ' <"$T/out")" \
    "v 1e400 -1e400 1e-400 -1e-400 1.5e-320 -0.0 0 0 1.5 1.7976931348623157e308 1.79769313486232e308 2.2250738585072014e-308 1e+308 1e-307 12.5 123456789012345678901234 " \
    "CSV -> JSON -> CSV: out-of-range numbers come back as written, -0.0 as -0.0, the rest as the same values"
# Python's JSON reader as the judge: each JSON value is the CSV cell's
# text as a string, an integer, or a number Python reads to the very
# double (sign of zero included) that the text spells; never infinity,
# zero for a number that is not, or a lost digit.
bad=$(python3 -c '
import json, math, sys
cells = open(sys.argv[1]).read().split("\n")[1:-1]
bad = 0
for cell, line in zip(cells, open(sys.argv[2])):
    v = json.loads(line)["v"]
    if isinstance(v, str):
        bad += v != cell
    elif isinstance(v, int):
        bad += v != int(cell)
    else:
        x = float(cell)
        bad += not math.isfinite(v) or float(v) != x or \
            math.copysign(1, float(v)) != math.copysign(1, x) or \
            (x != 0 and abs(x) < 2.2250738585072014e-308)
print(bad)' "$T/edge.csv" "$T/edge.jsonl")
is "$bad" 0 "Python reads each JSON value as that text or as exactly its double"
got=$("$SLUICE_TOP/scripts/duckdb" "SELECT count(*) AS n FROM read_json('$T/edge.jsonl',
    format='newline_delimited', columns={'v':'VARCHAR'})")
is "$got" '{"n":"16"}' "DuckDB reads every line of it too"

done_testing
