#!/bin/sh
# batch-agg: the retail daily product totals and the schema-driven
# table compared with DuckDB (the same groups, the same sums to the cent),
# a hand-worked example, bad input counted by kind, and --partial/--merge
# over 1, 2 and 7 splits giving exactly the single run's result.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }

# --- The retail rules: order_date, product, total_amount ------------------------------
$SLUICE_WRAP "$SG" -q retail --per-day 4000 --days 3 >"$T/retail.csv"
run batch-agg --kpis "$T/kpis.csv" "$T/retail.csv"
is "$rc" 0 "batch-agg on retail runs"
cp "$T/out" "$T/ours.csv"
is "$(head -n 1 "$T/ours.csv")" "order_date,product,total_amount" "the retail columns"
like "$(err)" "^batch-agg: 12000 in, 12000 out, 0 rejected, 0 duplicates, 0 filtered, 12000 aggregated, [0-9]+ groups, " "the summary line"
"$DUCK" "SELECT order_date::VARCHAR AS order_date, product,
    sum(amount::DECIMAL(18,2))::VARCHAR AS total_amount
  FROM read_csv('$T/retail.csv', all_varchar = true) GROUP BY ALL ORDER BY ALL" >"$T/theirs.jsonl"
"$DUCK" "SELECT * FROM read_csv('$T/ours.csv', all_varchar = true)" >"$T/ours.jsonl"
is_file "$T/ours.jsonl" "$T/theirs.jsonl" \
    "the same groups, in date then product order, and DuckDB's DECIMAL sums to the cent ($(wc -l <"$T/theirs.jsonl") groups)"
"$DUCK" "SELECT sum(amount::DECIMAL(18,2))::VARCHAR AS total_revenue,
    count(DISTINCT product)::VARCHAR AS distinct_products, count(*)::VARCHAR AS records
  FROM read_csv('$T/retail.csv', all_varchar = true)" >"$T/kpi-theirs.jsonl"
"$DUCK" "SELECT * FROM read_csv('$T/kpis.csv', all_varchar = true)" >"$T/kpi-ours.jsonl"
is_file "$T/kpi-ours.jsonl" "$T/kpi-theirs.jsonl" "--kpis: total revenue, distinct products, records, as DuckDB has them"

# --- Card transactions: the schema's analysis ------------------------------------------
$SLUICE_WRAP "$SG" -q card_transactions --per-day 3000 --days 4 >"$T/card.csv"
run batch-agg --schema card_transactions "$T/card.csv"
cp "$T/out" "$T/card-ours.csv"
is "$(head -n 1 "$T/card-ours.csv")" \
    "event_time_date,city,channel,merchant_cat,record_count,sum_amount,avg_amount,min_amount,max_amount,count_is_international,rate_is_international,count_is_contactless,rate_is_contactless,count_is_chip,rate_is_chip,count_label_fraud,rate_label_fraud" \
    "the schema's table: the date, the dimensions, then every metric and flag"
cat >"$T/card.sql" <<END
SET TimeZone = 'UTC';
CREATE TABLE o AS SELECT * FROM read_csv('$T/card-ours.csv', all_varchar = true);
CREATE TABLE t AS SELECT CAST(event_time::TIMESTAMPTZ AS DATE)::VARCHAR AS event_time_date,
    city, channel, merchant_cat, count(*) AS n, sum(amount::DECIMAL(18,2)) AS s,
    avg(amount::DECIMAL(18,2)) AS a, min(amount::DECIMAL(18,2)) AS mi, max(amount::DECIMAL(18,2)) AS ma,
    count_if(is_international::BOOLEAN) AS ci, avg(is_international::BOOLEAN::INT) AS ri,
    count_if(is_contactless::BOOLEAN) AS cc, avg(is_contactless::BOOLEAN::INT) AS rc,
    count_if(is_chip::BOOLEAN) AS ch, avg(is_chip::BOOLEAN::INT) AS rh,
    count_if(label_fraud::BOOLEAN) AS cf, avg(label_fraud::BOOLEAN::INT) AS rf
  FROM read_csv('$T/card.csv', all_varchar = true) GROUP BY ALL;
SELECT (SELECT count(*) FROM t) AS groups, count(*) AS mismatched FROM o FULL JOIN t
  USING (event_time_date, city, channel, merchant_cat)
  WHERE o.record_count IS DISTINCT FROM t.n::VARCHAR OR o.sum_amount IS DISTINCT FROM t.s::VARCHAR
    OR o.min_amount IS DISTINCT FROM t.mi::VARCHAR OR o.max_amount IS DISTINCT FROM t.ma::VARCHAR
    OR NOT abs(o.avg_amount::DOUBLE - t.a) <= 1e-12 * abs(t.a)
    OR o.count_is_international IS DISTINCT FROM t.ci::VARCHAR OR NOT abs(o.rate_is_international::DOUBLE - t.ri) <= 1e-15
    OR o.count_is_contactless IS DISTINCT FROM t.cc::VARCHAR OR NOT abs(o.rate_is_contactless::DOUBLE - t.rc) <= 1e-15
    OR o.count_is_chip IS DISTINCT FROM t.ch::VARCHAR OR NOT abs(o.rate_is_chip::DOUBLE - t.rh) <= 1e-15
    OR o.count_label_fraud IS DISTINCT FROM t.cf::VARCHAR OR NOT abs(o.rate_label_fraud::DOUBLE - t.rf) <= 1e-15
END
got=$("$DUCK" "$(cat "$T/card.sql")")
groups=$(($(wc -l <"$T/card-ours.csv") - 1))
is "$got" "{\"groups\":\"$groups\",\"mismatched\":\"0\"}" \
    "card_transactions: every group and every value as DuckDB computes them ($groups groups; sums, min, max exact; averages and rates to 1e-12)"

# --- -m: exact and approximate distinct counts ----------------------------------
run batch-agg --schema card_transactions -g city -m count -m distinct:card_id \
    -m cards=approx_distinct:card_id -m sum:amount --kpis "$T/ck.csv" "$T/card.csv"
cp "$T/out" "$T/dist.csv"
is "$(head -n 1 "$T/dist.csv")" "event_time_date,city,record_count,distinct_card_id,cards,sum_amount" \
    "-g and -m replace the defaults; NAME= names a column"
got=$("$DUCK" "SET TimeZone = 'UTC'" "SELECT count(*) AS bad FROM read_csv('$T/dist.csv', all_varchar = true) o
  JOIN (SELECT CAST(event_time::TIMESTAMPTZ AS DATE)::VARCHAR AS event_time_date, city,
      count(DISTINCT card_id) AS d FROM read_csv('$T/card.csv', all_varchar = true) GROUP BY ALL) t
  USING (event_time_date, city)
  WHERE o.distinct_card_id <> t.d::VARCHAR OR abs(o.cards::DOUBLE - t.d) > 0.02 * t.d")
is "$got" '{"bad":"0"}' "distinct: DuckDB's count(DISTINCT) exactly; approx_distinct within 2% of it"
total=$("$DUCK" "SELECT count(DISTINCT card_id) AS n FROM read_csv('$T/card.csv', all_varchar = true)" | sed 's/[^0-9]//g')
approx=$(sed -n 2p "$T/ck.csv" | cut -d, -f3)
ok "$(echo "d = $approx - $total; if (d < 0) d = -d; d * 50 > $total" | bc)" \
    "over everything (KPIs): approx_distinct $approx against $total distinct, within 2%"

# --- A hand-worked example ----------------------------------------------------
cat >"$T/small.csv" <<'END'
order_date,product,amount,qty,flag
2025-01-15,Tea,0.10,1,yes
2025-01-15T23:59:59Z,Tea,0.20,2,no
20250115,Tea,0.005,,true
2025-01-16, Tea ,1,3,
2025-01-16,,2.50,1,N
2025-01-16,Coffee,,4,Y
END
run batch-agg -g product -m count -m sum:amount -m avg:amount -m min:amount -m max:amount \
    -m count_true:flag -m rate_true:flag --date order_date "$T/small.csv"
is "$(out)" "$(printf '%s\n' 'order_date,product,record_count,sum_amount,avg_amount,min_amount,max_amount,count_flag,rate_flag' \
    '2025-01-15,Tea,3,0.305,0.10166666666666667,0.005,0.20,2,0.6666666666666666' \
    '2025-01-16,Coffee,1,,,,,1,1' \
    '2025-01-16,Tea,1,1.000,1,1.000,1.00,0,0' \
    '2025-01-16,UNKNOWN,1,2.500,2.5,2.500,2.50,0,0')" \
    "worked by hand: exact sums (0.10 + 0.20 + 0.005 = 0.305, no float error), every date format, dimensions trimmed (blank: UNKNOWN), no values: no sum; each column as many decimals as its values have"
run batch-agg -m t=sum:amount -m n=count --date none -g product "$T/small.csv"
is "$(out)" "$(printf '%s\n' 'product,t,n' 'Coffee,,1' 'Tea,1.305,4' 'UNKNOWN,2.500,1')" \
    "--date none groups without the date"
run batch-agg -f jsonl -g product --date none -m sum:amount "$T/small.csv"
is "$(sed -n 2p "$T/out")" '{"product":"Tea","sum_amount":1.305}' "-f jsonl: sums are JSON numbers"

# --- Bad input: counted by kind, the first shown, excluded ---------------------
cat >"$T/bad.csv" <<'END'
order_date,product,amount
2025-01-15,Tea,1.00
2025-13-01,Tea,2.00
2025-01-15,Tea,abc
2025-01-15,Tea,"1,5"
,Tea,3.00
2025-01-16,Tea,4.00
2025-01-16,Tea,5.00,extra
nope,Tea,1
END
run batch-agg --reject "$T/rej.jsonl" "$T/bad.csv"
is "$(out)" "$(printf '%s\n' 'order_date,product,total_amount' '2025-01-15,Tea,1.00' '2025-01-16,Tea,4.00')" \
    "bad records are left out of the totals (never a silent zero)"
like "$(err)" "batch-agg: 3 rejected for date; the first: .*bad.csv:3: order_date \"2025-13-01\" is not a date" \
    "unparsable dates: counted, reported once with the first position"
like "$(err)" "batch-agg: 2 rejected for number; the first: .*bad.csv:4: amount \"abc\" is not a number" \
    "non-numeric amounts: likewise"
like "$(err)" "batch-agg: 1 rejected for parse; the first: .*bad.csv:8: " "a ragged row: likewise"
like "$(err)" "batch-agg: 8 in, 2 out, 6 rejected, 0 duplicates, 0 filtered, 2 aggregated, 2 groups, " "in = aggregated + rejected"
is "$(wc -l <"$T/rej.jsonl")" 6 "--reject gets every one of them"
like "$(grep 'bad.csv:6"' "$T/rej.jsonl")" '"rule":"date","message":"order_date is missing"' "a missing date"
# No group at all (no rows, or every row bad): the header alone, as
# DuckDB's COPY writes it, so a reader still knows the columns.
printf 'order_date,product,amount\n' >"$T/none.csv"
run batch-agg "$T/none.csv"
is "$rc:$(out)" "0:order_date,product,total_amount" "no rows: the CSV header alone"
"$DUCK" "COPY (SELECT order_date, product, sum(amount::DECIMAL(18,2)) AS total_amount
  FROM read_csv('$T/none.csv', all_varchar = true) GROUP BY ALL) TO '$T/none-duck.csv'" >/dev/null
is "$(out)" "$(cat "$T/none-duck.csv")" "  as DuckDB's COPY writes the empty result"
run batch-agg -g product -m n=count -m sum:amount --date none "$T/bad.csv" -q --where "amount == 99"
is "$(out)" "product,n,sum_amount" "every record filtered out: the header of the columns asked for"
run batch-agg -f jsonl "$T/none.csv"
is "$rc:$(out)" "0:" "JSON Lines: no group, no line"
run batch-agg -q "$T/no-such.csv"
is "$rc:$(err)" "1:batch-agg: $T/no-such.csv: No such file or directory" "a missing input: exit 1"

# --- --partial and --merge: 1, 2 and 7 splits -------------------------------------
$SLUICE_WRAP "$SG" -q card_transactions --per-day 2000 --days 3 -f jsonl >"$T/card.jsonl"
args="--schema card_transactions -m count -m sum:amount -m avg:amount -m min:amount -m max:amount
    -m rate_true:label_fraud -m distinct:city -m cards=approx_distinct:card_id"
# shellcheck disable=SC2086
run batch-agg $args -f csv --kpis "$T/whole-kpis.csv" "$T/card.jsonl"
cp "$T/out" "$T/whole.csv"
for n in 1 2 7; do
    mkdir "$T/s$n"
    (cd "$T/s$n" && split -n "l/$n" "$T/card.jsonl" part.)
    for p in "$T/s$n"/part.*; do
        # shellcheck disable=SC2086
        $SLUICE_WRAP "$(prog batch-agg)" -q $args --input-format jsonl --partial "$p" >"$p.partial"
    done
    run batch-agg --merge --kpis "$T/s$n/kpis.csv" "$T/s$n"/*.partial
    is_file "$T/out" "$T/whole.csv" "--merge of $n partial(s): exactly the single run's result"
    is_file "$T/s$n/kpis.csv" "$T/whole-kpis.csv" "and the same KPIs (approx_distinct too)"
done
n=$(wc -l <"$T/card.jsonl" | tr -d ' ')
like "$(err)" "batch-agg: $n in, $n out, 0 rejected, 0 duplicates, 0 filtered, $n aggregated, 7 partials, [0-9]+ groups, " "merge says what it merged"
# Partials of partials: merging in two rounds gives the same.
run batch-agg --merge --partial "$T/s7"/part.aa.partial "$T/s7"/part.ab.partial "$T/s7"/part.ac.partial
cp "$T/out" "$T/round1.partial"
run batch-agg --merge "$T/round1.partial" "$T/s7"/part.ad.partial "$T/s7"/part.ae.partial \
    "$T/s7"/part.af.partial "$T/s7"/part.ag.partial
is_file "$T/out" "$T/whole.csv" "merging merged partials: the same result"
run batch-agg -q --partial "$T/card.jsonl"
cp "$T/out" "$T/other.partial"
run batch-agg --merge "$T/s2"/part.aa.partial "$T/other.partial"
like "$rc:$(err)" "^1:batch-agg: .*other.partial:1: this partial aggregated something else" \
    "partials of different aggregations do not merge"
head -c 300 "$T/s2/part.aa.partial" >"$T/cut.partial"
run batch-agg --merge "$T/cut.partial"
is "$rc" 1 "a damaged partial is an error"
run batch-agg --merge -g city "$T/s2/part.aa.partial"
is "$rc" 2 "--merge takes its spec from the partials: -g is a usage error"
# A dense HyperLogLog (60000 distinct values, in two halves) goes into a
# partial as one character a register, not 16384 pairs, and comes back
# exactly: the merge's estimate is the single run's.
awk 'BEGIN { print "g,u"; for (i = 0; i < 60000; i++) printf "x,user%d\n", i }' >"$T/dense.csv"
head -n 30001 "$T/dense.csv" >"$T/dense1.csv"
{ head -n 1 "$T/dense.csv"; tail -n 30000 "$T/dense.csv"; } >"$T/dense2.csv"
run batch-agg -g g -m u=approx_distinct:u "$T/dense.csv"
cp "$T/out" "$T/dense-whole.csv"
run batch-agg --partial -g g -m u=approx_distinct:u "$T/dense1.csv"
cp "$T/out" "$T/dense1.partial"
run batch-agg --partial -g g -m u=approx_distinct:u "$T/dense2.csv"
cp "$T/out" "$T/dense2.partial"
ok "$(( $(wc -c <"$T/dense1.partial") > 40000 ))" "a dense HyperLogLog's partial is small ($(wc -c <"$T/dense1.partial") bytes)"
# Damaged partials (found by fuzz/partial): refused with their place,
# never a crash (places 100000 overflowed the printing of a sum; a group
# line without its key freed states never read).
cp "$SLUICE_TOP/fuzz/regress/partial/places-100000.jsonl" "$T/places.partial"
run batch-agg --merge "$T/places.partial"
is "$rc:$(err)" "1:batch-agg: $T/places.partial:1: a malformed partial header" \
    "a partial header with places past 18: refused, exit 1"
cp "$SLUICE_TOP/fuzz/regress/partial/group-without-key.jsonl" "$T/nokey.partial"
run batch-agg --merge "$T/nokey.partial"
like "$rc:$(err)" "^1:batch-agg: $T/nokey.partial:2: a malformed partial group" \
    "a group line without its key: refused, exit 1"
run batch-agg --merge "$T/dense1.partial" "$T/dense2.partial"
is_file "$T/out" "$T/dense-whole.csv" "  and merges to exactly the single run's estimate ($(tail -n 1 "$T/dense-whole.csv"))"

run batch-agg -m sum "$T/card.csv"
is "$rc" 2 "-m sum without a field: a usage error"
run batch-agg -m median:amount "$T/card.csv"
like "$rc:$(err)" "^2:batch-agg: -m median:amount: expected \[NAME=\]AGG\[:FIELD\]" "an unknown aggregate: a usage error"

done_testing
