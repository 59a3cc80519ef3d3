#!/bin/sh
# batch-agg: the retail daily product totals and the schema-driven
# table compared with DuckDB (the same groups, the same sums to the cent),
# a hand-worked example, bad input counted by kind, and --partial/--merge
# over 1, 2 and 7 splits giving exactly the single run's result; partial
# lines as a shuffle needs them (key, tab, JSON; any order, from standard
# input, headers anywhere or nowhere; keys of any text), --reduce, and
# what is refused.  (The whole Hadoop Streaming shape:
# tests/hadoop-streaming.t.)
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
cp "$SLUICE_TOP/fuzz/regress/partial/places-100000.partial" "$T/places.partial"
run batch-agg --merge "$T/places.partial"
is "$rc:$(err)" "1:batch-agg: $T/places.partial:1: a malformed partial header" \
    "a partial header with places past 18: refused, exit 1"
cp "$SLUICE_TOP/fuzz/regress/partial/group-without-key.partial" "$T/nokey.partial"
run batch-agg --merge "$T/nokey.partial"
like "$rc:$(err)" "^1:batch-agg: $T/nokey.partial:2: a malformed partial group" \
    "a group line without its key: refused, exit 1"
run batch-agg --merge "$T/dense1.partial" "$T/dense2.partial"
is_file "$T/out" "$T/dense-whole.csv" "  and merges to exactly the single run's estimate ($(tail -n 1 "$T/dense-whole.csv"))"

# --- Partial lines for a shuffle ------------------------------------------------
# Each line is a key, a tab, JSON: the header keyed #, a group keyed by
# its date and dimensions as a JSON array.
P2=$T/s2/part.aa.partial
is "$(awk -F '\t' 'NF != 2' "$P2" | wc -l | tr -d ' ')" 0 "every partial line: key<TAB>JSON"
like "$(head -n 1 "$P2")" '^#	\{"sluice_partial":2,"id":"[0-9a-f]{16}",' "  the header first, keyed #, with the aggregation's id"
like "$(sed -n 2p "$P2")" '^\["2025-01-1[0-9]","[^"]*","[^"]*","[^"]*"\]	\{"id":"[0-9a-f]{16}","a":"csanxrdh","n":[0-9]+,"s":\[' \
    "  a group: [date, dimensions], the id, a letter a metric's kind, its records, its states"
# --merge reads standard input when it has no file, or is given -.
cat "$T"/s7/*.partial >"$T/in"
run --stdin "$T/in" batch-agg --merge --kpis "$T/stdin-kpis.csv"
is_file "$T/out" "$T/whole.csv" "--merge with no file: standard input"
is_file "$T/stdin-kpis.csv" "$T/whole-kpis.csv" "  and the same KPIs"
cat "$T"/s7/*.partial >"$T/in"
run --stdin "$T/in" batch-agg --merge - "$T/s2/part.aa.partial" "$T/s2/part.ab.partial" -
# (the 7 parts, then the 2 halves of the same records: twice the records)
like "$(err)" " $((2 * n)) aggregated, 4 partials, " "-, once or more, among files (the second - finds standard input read)"
# In any order: sorted (as a shuffle sorts by key), backwards (every
# header last), the headers taken out and put back in the middle.
cat "$T"/s7/*.partial | LC_ALL=C sort >"$T/in"
run --stdin "$T/in" batch-agg --merge
is_file "$T/out" "$T/whole.csv" "sorted by key: the same"
cat "$T"/s7/*.partial | tac >"$T/in"
run --stdin "$T/in" batch-agg --merge
is_file "$T/out" "$T/whole.csv" "backwards, every header after its groups: the same"
{ grep -hv '^#' "$T"/s7/part.a[a-c].partial; grep -h '^#' "$T"/s7/*.partial
  grep -hv '^#' "$T"/s7/part.a[d-g].partial; } >"$T/in"
run --stdin "$T/in" batch-agg --merge
is_file "$T/out" "$T/whole.csv" "the headers in the middle: the same"
# Without a header, lines still merge into lines (a reducer's); the
# result needs one: it names the columns.
cat "$T"/s7/*.partial | grep -v '^#' >"$T/in"
run --stdin "$T/in" batch-agg --merge --partial
is "$rc:$(grep -c '^#' "$T/out")" "0:0" "no header: --merge --partial writes the merged groups, no header"
cp "$T/out" "$T/headless.partial"
{ grep -h '^#' "$T"/s7/*.partial; cat "$T/headless.partial"; } >"$T/in"
run --stdin "$T/in" batch-agg --merge
is_file "$T/out" "$T/whole.csv" "  which merge with the headers into the result"
run --stdin "$T/headless.partial" batch-agg --merge
is "$rc:$(err)" "1:batch-agg: no partial header among the input (the line keyed #, which every --partial writes): it names the columns" \
    "the result without any header: refused, exit 1"
run batch-agg --merge --partial --kpis "$T/k.csv" "$T/headless.partial"
is "$rc" 1 "  --kpis without a header likewise"
run batch-agg --merge
is "$rc" 1 "  nothing at all likewise"
# --reduce: the groups' distinct counts final (a reducer's input holds all
# of its groups' lines), merged as any partial; a group so made meets no
# other line of itself.
cat "$T"/s7/*.partial >"$T/in"
run --stdin "$T/in" batch-agg --reduce
cp "$T/out" "$T/reduced.partial"
like "$(sed -n 2p "$T/reduced.partial")" '"s":\[.*,[0-9]+,[0-9]+\]\}$' "--reduce: distinct counts as numbers"
run --stdin "$T/in" batch-agg --merge --partial
ok "$(( $(wc -c <"$T/reduced.partial") >= $(wc -c <"$T/out") ))" \
    "  smaller than the same lines merged and kept mergeable ($(wc -c <"$T/reduced.partial") bytes, not $(wc -c <"$T/out"))"
run batch-agg --merge --kpis "$T/reduced-kpis.csv" "$T/reduced.partial"
is_file "$T/out" "$T/whole.csv" "  which --merge makes the single run's result"
is_file "$T/reduced-kpis.csv" "$T/whole-kpis.csv" "  and KPIs"
run batch-agg --merge "$T/reduced.partial" "$T/s7/part.aa.partial"
like "$rc:$(err)" "^1:batch-agg: .*part.aa.partial:1: a KPI distinct count made final \(batch-agg --reduce\) meets another header's" \
    "a reduced header and another: refused"
grep -v '^#' "$T/s7/part.aa.partial" >"$T/aa-groups.partial"
run batch-agg --merge "$T/reduced.partial" "$T/aa-groups.partial"
like "$rc:$(err)" '^1:batch-agg: .*aa-groups.partial:1: group \["2025-[^]]*\]: a distinct count made final \(batch-agg --reduce\) meets another line of the group' \
    "a reduced group and another line of it: refused, named"
# Keys of any text: a tab, a line break, quotes, a backslash, a control
# character, UTF-8 -- a key escaped one way only, so the same group from
# two inputs is one.
printf 'k,v\n"a\tb",1\n"line\nbreak",2\n"say ""hi""",3\n"back\\slash",4\nZürich,5\nc\001c,6\n' >"$T/odd1.csv"
printf 'k,v\nc\001c,60\nZürich,10\n"back\\slash",20\n"say ""hi""",30\n"line\nbreak",40\n"a\tb",50\n' >"$T/odd2.csv"
cat "$T/odd1.csv" >"$T/odd.csv"; sed 1d "$T/odd2.csv" >>"$T/odd.csv"
for f in odd1 odd2; do
    "$(prog batch-agg)" -q --partial --date none -g k -m sum:v -m distinct:v "$T/$f.csv" >"$T/$f.partial"
done
is "$(cat "$T"/odd?.partial | awk -F '\t' 'NF != 2' | wc -l | tr -d ' '):$(cat "$T"/odd?.partial | wc -l | tr -d ' ')" "0:14" \
    "odd keys: a line each, one tab each"
grep -F '["a\tb"]' "$T/odd1.partial" >/dev/null
ok $? "  a tab in a key is written backslash, t"
run batch-agg --date none -g k -m sum:v -m distinct:v "$T/odd.csv"
cp "$T/out" "$T/odd-whole.csv"
cat "$T"/odd?.partial | LC_ALL=C sort >"$T/in"
run --stdin "$T/in" batch-agg --merge
is_file "$T/out" "$T/odd-whole.csv" "  their groups merge one to one: the single run's result"
# Lines of another aggregation, or of an older batch-agg, are refused.
cat "$T/s2/part.aa.partial" "$T/odd1.partial" >"$T/in"
run --stdin "$T/in" batch-agg --merge --partial
like "$rc:$(err)" "^1:batch-agg: stdin:[0-9]+: this partial aggregated something else than the first" \
    "two aggregations' lines on standard input: refused"
printf '%s\n' '{"sluice_partial":1,"date":null,"date_col":null,"dims":["p"],"metrics":[],"kpis":[]}' >"$T/v1.partial"
run batch-agg --merge "$T/v1.partial"
is "$rc:$(err)" "1:batch-agg: $T/v1.partial:1: a partial of an older batch-agg (no key and tab before its JSON): make it again with this one's --partial" \
    "a partial of the old format: refused, with what to do"

run batch-agg -m sum "$T/card.csv"
is "$rc" 2 "-m sum without a field: a usage error"
run batch-agg -m median:amount "$T/card.csv"
like "$rc:$(err)" "^2:batch-agg: -m median:amount: expected \[NAME=\]AGG\[:FIELD\]" "an unknown aggregate: a usage error"

done_testing
