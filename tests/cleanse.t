#!/bin/sh
# cleanse without a schema: the retail rules, rejects with reasons,
# the accounting identity, and DuckDB doing the same cleansing in SQL.
. "$SLUICE_TOP/tests/lib.sh"

run cleanse --reject "$T/rej.jsonl" "$DATA/messy-retail.csv"
is "$rc" 0 "a messy file cleanses (bad rows are not a failure)"
cat >"$T/want.csv" <<'END'
order_id,order_date,store_id,store_city,product,quantity,unit_price,amount,channel
20250115-0001,2025-01-15,BLR-01,Bengaluru,Masala Dosa,2,120.50,241.00,app
20250115-0002,2025-01-15,BLR-02,Bengaluru,"Tea, masala",1,15,15.00,store
20250116-0001,2025-01-16,MAA-01,Chennai,UNKNOWN,3,2.335,7.01,app
20250116-0002,2025-01-16,MAA-01,Chennai,Idli,1,50,49.99,store
20250117-0004,2025-01-17,DEL-02,Delhi,UNKNOWN,1,40,40.00,store
20250118-0001,2025-01-18,BOM-01,Mumbai,"Pav ""Bhaji""",4,99.99,399.96,app
20250118-0002,2025-01-18,BOM-01,Mumbai,Lassi,2,0.005,0.01,app
END
is_file "$T/out" "$T/want.csv" \
    "headers normalised; item -> product, trimmed, blank -> UNKNOWN; dates in every format to YYYY-MM-DD; amounts to the cent"
like "$(err)" "^cleanse: 10 in, 7 out, 3 rejected, 0 duplicates, " \
    "in = out + rejected + duplicates"
is "$(wc -l <"$T/rej.jsonl" | tr -d ' ')" 3 "three dead letters"
like "$(sed -n 1p "$T/rej.jsonl")" \
    '"source":".*messy-retail.csv:6","errors":\[\{"rule":"order_date","field":"order_date","message":"order_date \\"17/01/2025\\" is not a date"\}\]' \
    "an unparsable date: rejected, with its place, field and value"
like "$(sed -n 2p "$T/rej.jsonl")" '"rule":"order_date","field":"order_date","message":"no date in ' \
    "a missing date: rejected"
like "$(sed -n 3p "$T/rej.jsonl")" '"rule":"amount","field":"amount"' \
    "no amount and no quantity * price: rejected, never a silent zero"

# Both reasons when both fail; product before item; price when no unit_price.
printf 'order_id,product,item,date,quantity,price\n1,Tea,Coffee,2025-02-01,2,1.5\n2,,,nope,x,1\n' >"$T/p.csv"
run cleanse --reject "$T/rej2.jsonl" "$T/p.csv"
is "$(sed -n 2p "$T/out")" "1,2025-02-01,,,Tea,2,,3.00" \
    "product wins over item; date from date; amount from quantity * price"
like "$(cat "$T/rej2.jsonl")" '"errors":\[\{"rule":"order_date".*\},\{"rule":"amount"' \
    "every failed rule is listed"
printf '3,Tea,,2025-02-01,,\n4,Tea,,bad,1,\n' >>"$T/p.csv"
run cleanse --reject "$T/rej3.jsonl" --metrics "$T/m.jsonl" "$T/p.csv"
is "$(jq -c .rules "$T/m.jsonl")" '{"order_date":2,"amount":3}' \
    "metrics: the records each rule rejected (line 3 under both, once each)"
is "$(jq -r '.errors[].rule' "$T/rej3.jsonl" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" \
    "amount=3 order_date=2 " "as the reject file counts them"
is "$(head -n 1 "$T/out")" "order_id,order_date,store_id,store_city,product,quantity,unit_price,amount" \
    "the retail columns first, the aliases used not repeated"

# JSON Lines in: the same rules; names normalised.
printf '{"Order Date":"2025-03-01T23:30:00-02:00","PRODUCT":" Chai ","amount":12.5}\n' >"$T/j.jsonl"
run cleanse "$T/j.jsonl"
is "$(out)" '{"order_id":null,"order_date":"2025-03-02","store_id":null,"store_city":null,"product":"Chai","quantity":null,"unit_price":null,"amount":12.50}' \
    "JSON Lines: names normalised, the UTC date of an offset time, amount to the cent"

# With a schema, numbers as every program reads them: padded values are
# numbers; a declared decimal is rounded to its scale as it is read (half
# away from zero); past 18 digits, or beyond a double, a value is bad,
# with its reason (1e-400 is not 0; 1e400 is not infinity).
cat >"$T/num.json" <<'END'
{"name": "num", "fields": [{"name": "id", "type": "int"},
  {"name": "f", "type": "float"}, {"name": "d", "type": "decimal", "scale": 2}]}
END
printf '%s\n' id,f,d '1, 2.5 , 12.505' '2,5e-324,-0.005' '3,-0.0,1e-400' \
    '4,1e400,1' '5,1e-400,1' '6,1,99999999999999999.99' '7,1,9999999999999999.995' \
    '8,1,9999999999999999.994' >"$T/num.csv"
run cleanse --schema "$T/num.json" --reject "$T/numrej.jsonl" "$T/num.csv"
is "$(out)" "$(printf '%s\n' id,f,d 1,2.5,12.51 2,5e-324,-0.01 3,-0.0,0.00 8,1,9999999999999999.99)" \
    "padded numbers read; decimals rounded to the cent as read; -0.0 kept; a subnormal kept"
like "$(sed -n 1p "$T/numrej.jsonl")" 'num.csv:5".*"f: \\"1e400\\" is not a float \(or is beyond a double.s range\)"' \
    "1e400: a bad value, with its reason"
like "$(sed -n 2p "$T/numrej.jsonl")" 'num.csv:6".*"f: \\"1e-400\\" is not a float' \
    "1e-400: a bad value, not 0"
like "$(sed -n 3p "$T/numrej.jsonl")" 'num.csv:7".*"d: \\"99999999999999999.99\\" is not a decimal \(or has more than 18 digits\)"' \
    "19 digits: a bad value, with its reason"
like "$(sed -n 4p "$T/numrej.jsonl")" 'num.csv:8".*is not a decimal' \
    "rounding up into a 19th digit: likewise"

# Malformed input is counted and diverted too.
printf 'order_id,date,amount\n1,2025-01-01,5\n2,2025-01-01\n3,2025-01-01,"7\n' >"$T/bad.csv"
run cleanse "$T/bad.csv"
like "$(err)" "3 in, 1 out, 2 rejected, 0 duplicates" "ragged and unterminated rows are counted"

run cleanse "$T/none.csv"
is "$rc" 1 "a missing input: exit 1"
run cleanse --dedup order_id "$DATA/messy-retail.csv"
is "$rc" 2 "--dedup without --schema: exit 2 (the key's fields come from it)"
run cleanse --help
like "$(out)" "^usage: cleanse " "--help"
like "$(out)" "--seen FILE" "--help lists --seen"

# --seen: keys of earlier batches are duplicates too, reckoned by awk.
# Batch one's first 30 valid keys (and blank lines, a CRLF line) are
# listed; batch one delivered again: those 30 duplicates, the rest as if
# alone, counts adding up.
$SLUICE_WRAP "$(prog schema-gen)" -q ecommerce --per-day 300 --days 1 >"$T/b1.csv"
run cleanse --schema ecommerce --dedup event_id --reject "$T/r1.jsonl" "$T/b1.csv"
cp "$T/out" "$T/v1.csv"
alone=$(sed 1d "$T/v1.csv" | wc -l)
alone_dup=$(grep -c '"rule":"duplicate"' "$T/r1.jsonl")
{ echo; sed -n '2,21p' "$T/v1.csv" | cut -d, -f1
  sed -n '22,31p' "$T/v1.csv" | cut -d, -f1 | sed 's/$/\r/'; echo; } >"$T/seen"
run cleanse --schema ecommerce --dedup event_id --seen "$T/seen" --reject "$T/r2.jsonl" "$T/b1.csv"
is "$rc" 0 "--seen: runs"
awk -F, 'NR == FNR { sub(/\r$/, ""); if (NF) seen[$1] = 1; next } FNR > 1 && !($1 in seen)' \
    "$T/seen" "$T/v1.csv" >"$T/want2"
sed 1d "$T/out" >"$T/got2"
is_file "$T/got2" "$T/want2" "--seen: the listed keys' records left out, the others kept in order"
total=$(($(wc -l <"$T/b1.csv") - 1))
like "$(tail -n 1 "$T/err")" "^cleanse: $total in, $((alone - 30)) out, $((total - alone - alone_dup)) rejected, $((alone_dup + 30)) duplicates, 0 filtered" \
    "--seen: 30 more duplicates, in = out + rejected + duplicates"
is "$(grep '"rule":"duplicate"' "$T/r2.jsonl" | sed 's/.*"event_id":"\([^"]*\)".*/\1/' | sort | comm -12 - "$(tr -d '\r' <"$T/seen" | sort >"$T/seen.s"; echo "$T/seen.s")" | wc -l | tr -d ' ')" 30 \
    "--seen: each listed key's record is in the reject file as a duplicate"
# Two key fields: values apart by a tab.
printf 'id,n\n1,2\n1,3\n2,2\n' >"$T/k.csv"
printf '{"name":"k","fields":[{"name":"id","type":"int"},{"name":"n","type":"int"}]}\n' >"$T/k.json"
printf '1\t3\n' >"$T/k.seen"
run cleanse --schema "$T/k.json" --dedup id,n --seen "$T/k.seen" "$T/k.csv"
is "$(out | tr '\n' ' ')" "id,n 1,2 2,2 " "--seen with two key fields: tab-separated values"
printf '1\n' >"$T/k1.seen"
run cleanse --schema "$T/k.json" --dedup id,n --seen "$T/k1.seen" "$T/k.csv"
is "$rc $(out | wc -c | tr -d ' ')" "1 0" "--seen: a line with too few values: exit 1, nothing written"
like "$(err)" "k1.seen:1: --seen: 1 value, --dedup names 2 fields" "--seen: the bad line's place"
run cleanse --schema "$T/k.json" --dedup id --seen "$T/none" "$T/k.csv"
is "$rc" 1 "--seen: a missing file: exit 1"
run cleanse --schema "$T/k.json" --seen "$T/k.seen" "$T/k.csv"
is "$rc" 2 "--seen without --dedup: exit 2"

# DuckDB, the same cleansing in SQL, the same records.
"$SLUICE_TOP/scripts/duckdb" --install || { echo "Bail out! no DuckDB"; exit 1; }
run cleanse -q "$DATA/messy-retail.csv"
cp "$T/out" "$T/ours.csv"
"$SLUICE_TOP/scripts/duckdb" "SET TimeZone = 'UTC'" "
  WITH src AS (SELECT * FROM read_csv('$DATA/messy-retail.csv', header = true,
      all_varchar = true, allow_quoted_nulls = false)),
  t AS (SELECT \"Order ID\" AS order_id,
      CAST(coalesce(try_strptime(nullif(trim(\"Order Date\"), ''), '%Y%m%d')::TIMESTAMPTZ,
           try_cast(nullif(trim(\"Order Date\"), '') AS TIMESTAMPTZ)) AS DATE) AS order_date,
      \"Store ID\" AS store_id, \"Store City\" AS store_city,
      coalesce(nullif(trim(\"Item\"), ''), 'UNKNOWN') AS product,
      \"Quantity\" AS quantity, \"Unit Price\" AS unit_price,
      coalesce(round(try_cast(\"Amount\" AS DECIMAL(18,4)), 2),
          round(try_cast(\"Quantity\" AS DECIMAL(18,4)) *
                try_cast(\"Unit Price\" AS DECIMAL(18,4)), 2))::DECIMAL(18,2) AS amount,
      \"Channel\" AS channel FROM src)
  SELECT order_id, order_date::VARCHAR AS order_date, store_id, store_city, product,
      quantity, unit_price, amount::VARCHAR AS amount, channel
  FROM t WHERE order_date IS NOT NULL AND amount IS NOT NULL" >"$T/theirs.jsonl"
"$SLUICE_TOP/scripts/duckdb" "SELECT * FROM read_csv('$T/ours.csv', header = true,
    all_varchar = true, allow_quoted_nulls = false)" >"$T/ours.jsonl"
is_file "$T/ours.jsonl" "$T/theirs.jsonl" "DuckDB's SQL cleansing gives the same records"
is "$(wc -l <"$T/theirs.jsonl" | tr -d ' ')" 7 "(seven of them)"

# Two date columns: a record whose first is blank takes its date from
# the second, but the columns passed on are the layout's, the same for
# every record (the second's value stayed under its name; it was lost,
# the blank first written in its place).
printf 'order_id,date,order_time,amount\n1,2025-01-15,2025-01-15T10:00:00Z,2\n2,,2025-01-16T10:00:00Z,2\n3,2025-01-17,,2\n' >"$T/dates.csv"
run cleanse "$T/dates.csv"
is "$(out)" "order_id,order_date,store_id,store_city,product,quantity,unit_price,amount,order_time
1,2025-01-15,,,UNKNOWN,,,2.00,2025-01-15T10:00:00Z
2,2025-01-16,,,UNKNOWN,,,2.00,2025-01-16T10:00:00Z
3,2025-01-17,,,UNKNOWN,,,2.00," "two date columns, the first blank in one record: every record passes on the same columns, with their values"
run cleanse -f jsonl "$T/dates.csv"
is "$(out | jq -c 'keys_unsorted | .[8]' | sort -u)" '"order_time"' "  in JSON Lines too"

done_testing
