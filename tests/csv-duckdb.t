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

done_testing
