#!/bin/sh
# One schema, one answer: a field declared decimal with scale 2 is rounded
# to the cent as each value is read (half away from zero, as a NUMERIC(p,2)
# column and DuckDB's cast do), by every program, so batch-agg alone,
# cleanse | batch-agg, a --partial/--merge, the Parquet file read by DuckDB
# and the SQLite table give the same sums, worked by hand on x.xx5 values
# where summing first and rounding after would differ.  Padded values
# (" 12.50") are numbers to each of them.
. "$SLUICE_TOP/tests/lib.sh"
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }

cat >"$T/s.json" <<'END'
{"name": "cents",
 "fields": [{"name": "g", "type": "string"},
            {"name": "amount", "type": "decimal", "scale": 2}],
 "analysis": {"dimensions": ["g"], "metrics": ["amount"]}}
END
# By hand, each value to the cent first:
#   a: 0.005 + 0.005            -> 0.01 + 0.01         = 0.02 (exact sum 0.01)
#   b: 1.115 + 2.225 + 3.335    -> 1.12 + 2.23 + 3.34  = 6.69 (exact 6.675 -> 6.68)
#   c: -0.005 + -0.005 + 1.005  -> -0.01 - 0.01 + 1.01 = 0.99 (exact 0.995 -> 1.00)
#   d: 1.25e-1 + 0.0049         -> 0.13 + 0.00         = 0.13
# c's last value and d's first come padded with spaces.
cat >"$T/in.csv" <<'END'
g,amount
a,0.005
b,1.115
c,-0.005
a,0.005
b,2.225
c,-0.005
b,3.335
c," 1.005"
d,1.25e-1 
d,0.0049
END
want=$(printf '%s\n' g,sum_amount a,0.02 b,6.69 c,0.99 d,0.13)
agg="--schema $T/s.json --date none -g g -m sum:amount"

# shellcheck disable=SC2086
run batch-agg $agg "$T/in.csv"
is "$(out)" "$want" "batch-agg: each value to the cent, then summed (by hand)"
like "$(err)" " 10 in, 10 out, 0 rejected, 0 duplicates, 0 filtered, 10 aggregated, 4 groups, " "  every value read, the padded ones too"

run cleanse -q --schema "$T/s.json" "$T/in.csv"
cp "$T/out" "$T/clean.csv"
is "$(cut -d, -f2 "$T/clean.csv" | tr '\n' ' ')" \
    "amount 0.01 1.12 -0.01 0.01 2.23 -0.01 3.34 1.01 0.13 0.00 " \
    "cleanse: the same values to the cent, padded ones read"
# shellcheck disable=SC2086
run batch-agg $agg "$T/clean.csv"
is "$(out)" "$want" "cleanse | batch-agg: the same sums"

# shellcheck disable=SC2086
$SLUICE_WRAP "$(prog batch-agg)" -q $agg --partial "$T/in.csv" >"$T/p.partial"
run batch-agg --merge "$T/p.partial"
is "$(out)" "$want" "batch-agg --partial | --merge: the same sums"

# stream-window: the same windows' sums (one day, every event in it).
awk -F, 'NR > 1 { printf "%s,%s,2025-01-15T10:00:00Z\n", $1, $2 } NR == 1 { print $0 ",t" }' \
    "$T/in.csv" >"$T/timed.csv"
run stream-window --schema "$T/s.json" --time t --size 1d -g g -m sum:amount -f csv "$T/timed.csv"
is "$(cut -d, -f3- "$T/out" | sort)" "$(printf '%s\n' a,0.02 b,6.69 c,0.99 d,0.13 g,sum_amount)" \
    "stream-window: the same sums"

# JSON input: numbers, strings with spaces, an integer, all alike.
printf '%s\n' '{"g":"a","amount":0.005}' '{"g":"a","amount":" 0.005"}' \
    '{"g":"b","amount":1.115}' '{"g":"b","amount":2}' >"$T/in.jsonl"
run batch-agg $agg -f csv "$T/in.jsonl"
is "$(out)" "$(printf '%s\n' g,sum_amount a,0.02 b,3.12)" \
    "JSON numbers, padded strings and integers: rounded alike"

run parquet-sink -q --schema "$T/s.json" -o "$T/cents.parquet" "$T/in.csv"
is "$rc" 0 "parquet-sink writes the file"
got=$("$DUCK" "SELECT g, sum(amount)::VARCHAR AS s FROM '$T/cents.parquet' GROUP BY g ORDER BY g" |
    tr -d '{}"' | sed 's/g://; s/,s:/,/')
is "g,sum_amount
$got" "$want" "the Parquet file read by DuckDB: the same sums"
theirs=$("$DUCK" "SELECT g, sum(amount::DECIMAL(18,2))::VARCHAR AS s FROM read_csv('$T/in.csv',
    all_varchar = true) GROUP BY g ORDER BY g" | tr -d '{}"' | sed 's/g://; s/,s:/,/')
is "g,sum_amount
$theirs" "$want" "DuckDB's own reading of the CSV into DECIMAL(18,2): the same sums"

run sqlite-sink -q --schema "$T/s.json" -D "$T/w.db" -T cents "$T/in.csv"
is "$rc" 0 "sqlite-sink writes the table"
got=$(sqlite3 "$T/w.db" "SELECT g || ',' || printf('%.2f', sum(amount)) FROM cents GROUP BY g ORDER BY g")
is "g,sum_amount
$got" "$want" "the SQLite table: the same sums"

# The 18-digit limit: past it a value is a bad value, refused with a reason.
printf 'g,amount\na,9999999999999999.99\na,0.01\nb,99999999999999999.99\nb,9999999999999999.995\n' >"$T/big.csv"
run batch-agg $agg --reject "$T/rej.jsonl" "$T/big.csv"
is "$(out)" "$(printf '%s\n' g,sum_amount a,10000000000000000.00)" \
    "18 digits are summed (in 128 bits, past them); 19 are not"
like "$(err)" '2 rejected for number; the first: .*big.csv:4: amount "99999999999999999.99" is not a number \(or has more than 18 digits\)' \
    "  a value of 19 digits, or rounding into a 19th, is refused with its reason"
run cleanse -q --schema "$T/s.json" --reject "$T/crej.jsonl" "$T/big.csv"
is "$(cut -d, -f2 "$T/out" | tr '\n' ' ')" "amount 9999999999999999.99 0.01 " \
    "cleanse keeps the same values"
is "$(wc -l <"$T/crej.jsonl" | tr -d ' ')" 2 "  and refuses the same two"

done_testing
