#!/bin/sh
# --where EXPR and "-m ... where EXPR": records kept and left out, every
# one accounted for (in = out + rejected + duplicates + filtered), checked
# against DuckDB's WHERE and FILTER (WHERE ...) and by hand: in cleanse,
# batch-agg (and its partials), stream-window, sqlite-sink and
# parquet-sink; what a missing field and a null make of a condition; a
# condition that cannot be worked out; one that does not parse.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)
DUCK=$SLUICE_TOP/scripts/duckdb
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
purchase="event_type == 'purchase'"

# A number from a summary line: "N word".
count() { sed -n "s/.* \([0-9][0-9]*\) $1[,;].*/\1/p" "$T/err" | head -n 1; }

# --- cleanse ------------------------------------------------------------------
$SLUICE_WRAP "$SG" -q ecommerce --per-day 1500 >"$T/ev.csv"
run cleanse --schema ecommerce --dedup event_id --metrics "$T/m.jsonl" \
    --where "$purchase" "$T/ev.csv"
is "$rc" 0 "cleanse --where runs"
cp "$T/out" "$T/purchases.csv"
in=$(count in) outn=$(count out) rej=$(count rejected) dup=$(count duplicates) filt=$(count filtered)
is "$((outn + rej + dup + filt))" "$in" \
    "cleanse: in = out + rejected + duplicates + filtered ($in = $outn + $rej + $dup + $filt)"
run cleanse --schema ecommerce --dedup event_id "$T/ev.csv"
cp "$T/out" "$T/valid.csv"
like "$(err)" " $rej rejected, $dup duplicates, 0 filtered," \
    "without --where: the same rejected and duplicates, nothing filtered"
"$DUCK" "SELECT count(*) FILTER (WHERE event_type = 'purchase') AS p,
    count(*) FILTER (WHERE event_type <> 'purchase') AS other
  FROM read_csv('$T/valid.csv', all_varchar = true)" >"$T/duck"
is "$(cat "$T/duck")" "{\"p\":\"$outn\",\"other\":\"$filt\"}" \
    "DuckDB over the valid records: as many purchases as kept, the others as filtered"
is "$(sed 1d "$T/purchases.csv" | cut -d, -f3 | sort -u)" purchase "only purchases are written"
like "$(cat "$T/m.jsonl")" "\"duplicates\":$dup,\"filtered\":$filt,\"validity_pct\"" \
    "--metrics: the filtered count"

# --- Missing fields, nulls, errors: by hand -------------------------------------
printf 'id,price,coupon\n1,12,A\n2,8,\n3,,B\n4,abc,C\n' >"$T/n.csv"
keep() {  # keep EXPR IDS LABEL: the rows (by id) the expression keeps
    $SLUICE_WRAP "$(prog batch-agg)" -q --date none -g id -m count --where "$1" \
        --reject "$T/wr.jsonl" "$T/n.csv" 2>/dev/null | sed 1d | cut -d, -f1 | tr '\n' ' ' >"$T/keep"
    is "$(cat "$T/keep")" "$2" "$3"
}
: >"$T/wr.jsonl"
keep "price > 10" "1 " "price > 10: a missing price is not greater (the record is left out); text that is not a number is not either"
keep "not (price > 10)" "2 3 4 " "not (price > 10): false for a missing one, so not keeps it"
keep "coupon == null" "2 " "coupon == null: holds for an empty cell"
keep "coupon != 'A'" "2 3 4 " "coupon != 'A': an empty cell is a value other than 'A'"
keep "nosuch == null" "1 2 3 4 " "a field no record has is null in every record"
keep "price * 2 > 10" "1 2 " "price * 2 > 10: null for a missing price (left out); on text it cannot be worked out..."
like "$(cat "$T/wr.jsonl")" '"source":".*n.csv:5","errors":\[\{"rule":"where","message":"[^"]*number[^"]*"\}\]' \
    "... and that record is rejected with rule where, not dropped"
"$(prog batch-agg)" --date none -g id -m count --where "price * 2 > 10" "$T/n.csv" \
    >/dev/null 2>"$T/err"
like "$(cat "$T/err")" "4 in, 2 out, 1 rejected, 0 duplicates, 1 filtered, 2 aggregated, 2 groups," \
    "batch-agg: 4 in = 2 aggregated + 1 rejected + 1 filtered"

run cleanse --where "price > (10" "$T/n.csv"
is "$rc" 2 "an expression that does not parse: a usage error"
like "$(err)" '^cleanse: --where "price > \(10": column 12: expected' "the message names the column"
run batch-agg --where "price >" "$T/n.csv"
is "$rc" 2 "batch-agg: a usage error too"
like "$(err)" '^batch-agg: --where "price >": column 8: ' "batch-agg: naming the column"
run stream-window --time now --size 1m --where "a ==" "$T/n.csv"
is "$rc" 2 "stream-window too"
run batch-agg -m "n=count where price >" "$T/n.csv"
is "$rc" 2 "a metric's where that does not parse: a usage error"
like "$(err)" "n=count where price >: where: column" "naming the metric"
run batch-agg -m "r=rate_true:x where price > 1" "$T/n.csv"
is "$rc" 2 "rate_true with a where is refused (its share is of all records)"
run batch-agg -m count -m "count where price > 1" --date none -g id "$T/n.csv"
is "$rc" 2 "two metrics making one column (a where, no name): a usage error"
like "$(err)" 'two metrics make the column "record_count": name one' "  saying which"

# --- batch-agg: --where and metrics with a where, against DuckDB -------------------
run batch-agg --date none -g category -m count \
    -m "purchases=count where $purchase" \
    -m "revenue=sum:total_amount where $purchase" \
    -m "buyers=distinct:user_id where $purchase" \
    -m "top=max:price where $purchase and quantity >= 2" \
    --where "user_segment != 'new'" "$T/valid.csv"
is "$rc" 0 "batch-agg with filtered metrics runs"
cp "$T/out" "$T/agg.csv"
"$DUCK" "SELECT category, count(*)::VARCHAR AS record_count,
    (count(*) FILTER (WHERE event_type = 'purchase'))::VARCHAR AS purchases,
    (sum(total_amount::DECIMAL(18,2)) FILTER (WHERE event_type = 'purchase'))::VARCHAR AS revenue,
    (count(DISTINCT user_id) FILTER (WHERE event_type = 'purchase'))::VARCHAR AS buyers,
    (max(price::DECIMAL(18,2)) FILTER (WHERE event_type = 'purchase' AND quantity::INT >= 2))::VARCHAR AS top
  FROM read_csv('$T/valid.csv', all_varchar = true)
  WHERE user_segment IS DISTINCT FROM 'new' GROUP BY ALL ORDER BY ALL" >"$T/theirs.jsonl"
"$DUCK" "SELECT * FROM read_csv('$T/agg.csv', all_varchar = true)" >"$T/ours.jsonl"
is_file "$T/ours.jsonl" "$T/theirs.jsonl" \
    "count, count, sum, distinct and max FILTER (WHERE ...) with a WHERE: DuckDB's ($(wc -l <"$T/theirs.jsonl") groups)"
filt=$(count filtered)
"$DUCK" "SELECT count(*) FILTER (WHERE user_segment = 'new') AS n
  FROM read_csv('$T/valid.csv', all_varchar = true)" >"$T/duck"
is "$(cat "$T/duck")" "{\"n\":\"$filt\"}" "batch-agg: the filtered count is DuckDB's count of the others"

# The KPIs: the same metrics over every record kept.
run batch-agg --date none -g category -m count \
    -m "purchases=count where $purchase" -m "revenue=sum:total_amount where $purchase" \
    --where "user_segment != 'new'" --kpis "$T/kpis.csv" "$T/valid.csv"
"$DUCK" "SELECT count(*)::VARCHAR AS record_count,
    (count(*) FILTER (WHERE event_type = 'purchase'))::VARCHAR AS purchases,
    (sum(total_amount::DECIMAL(18,2)) FILTER (WHERE event_type = 'purchase'))::VARCHAR AS revenue
  FROM read_csv('$T/valid.csv', all_varchar = true) WHERE user_segment IS DISTINCT FROM 'new'" >"$T/theirs.jsonl"
"$DUCK" "SELECT * FROM read_csv('$T/kpis.csv', all_varchar = true)" >"$T/ours.jsonl"
is_file "$T/ours.jsonl" "$T/theirs.jsonl" "--kpis: the filtered count and sum over every record kept, as DuckDB has them"

# Partials: split in two, merged, the same.
head -n 1 "$T/valid.csv" >"$T/v1.csv"; cp "$T/v1.csv" "$T/v2.csv"
sed 1d "$T/valid.csv" | awk -v a="$T/v1.csv" -v b="$T/v2.csv" 'NR % 2 { print >> a; next } { print >> b }'
for k in 1 2; do
    "$(prog batch-agg)" -q --partial --date none -g category -m count \
        -m "purchases=count where $purchase" \
        -m "revenue=sum:total_amount where $purchase" \
        -m "buyers=distinct:user_id where $purchase" \
        -m "top=max:price where $purchase and quantity >= 2" \
        --where "user_segment != 'new'" "$T/v$k.csv" >"$T/v$k.partial"
done
run batch-agg --merge "$T/v1.partial" "$T/v2.partial"
is_file "$T/out" "$T/agg.csv" "--partial and --merge: filtered counts and sums merge to the single run's"

# The schema's revenue: the e-commerce schema's is the purchases' total_amount.
run batch-agg --schema ecommerce --date none -g category "$T/valid.csv"
is "$(head -n 1 "$T/out" | tr ',' '\n' | tail -n 1)" revenue "with --schema ecommerce: a revenue column"
"$DUCK" "SELECT category, (sum(total_amount::DECIMAL(18,2)) FILTER (WHERE event_type = 'purchase'))::VARCHAR AS revenue
  FROM read_csv('$T/valid.csv', all_varchar = true) GROUP BY ALL ORDER BY ALL" >"$T/theirs.jsonl"
"$DUCK" "SELECT category, revenue FROM read_csv('$T/out', all_varchar = true)" >"$T/ours.jsonl"
is_file "$T/ours.jsonl" "$T/theirs.jsonl" "...the sales of purchases only, as DuckDB sums them"

# A schema's revenue is checked when the schema is loaded.
python3 -c "
import json, sys
s = json.load(open('$SLUICE_SCHEMAS/ecommerce.json'))
s['analysis']['revenue']['where'] = \"event_type == 'purchase' and (\"
json.dump(s, open('$T/bad-rev.json', 'w'))
s['analysis']['revenue'] = {'field': 'category'}
json.dump(s, open('$T/bad-rev2.json', 'w'))
"
run batch-agg --schema "$T/bad-rev.json" "$T/valid.csv"
is "$rc" 2 "a schema whose revenue's where does not parse is refused"
like "$(err)" "analysis.revenue.where: column [0-9]+" "  naming where, and the column"
run batch-agg --schema "$T/bad-rev2.json" "$T/valid.csv"
like "$rc:$(err)" '^2:.*analysis.revenue.field: .*category.* is a string field' "a revenue of text is refused"

# --- stream-window ----------------------------------------------------------------------
cat >"$T/s.jsonl" <<'END'
{"t":"2025-01-15T10:01:00Z","k":"a","type":"view","v":5}
{"t":"2025-01-15T10:02:00Z","k":"a","type":"purchase","v":7}
{"t":"2025-01-15T10:03:00Z","k":"b","type":"purchase","v":1}
{"t":"2025-01-15T10:04:00Z","k":"a","type":"purchase","v":2,"test":true}
{"t":"2025-01-15T10:05:00Z","k":"b","type":"view","v":3}
{"t":"2025-01-15T11:30:00Z","k":"a","type":"search","v":9}
END
run stream-window --time t --size 1h -g k -m count \
    -m "buys=count where type == 'purchase'" -m "sales=sum:v where type == 'purchase'" \
    --where "test == null" -f csv "$T/s.jsonl"
cat >"$T/want.csv" <<'END'
window_start,window_end,k,record_count,buys,sales
2025-01-15T10:00:00Z,2025-01-15T11:00:00Z,a,2,1,7
2025-01-15T10:00:00Z,2025-01-15T11:00:00Z,b,2,1,1
2025-01-15T11:00:00Z,2025-01-15T12:00:00Z,a,1,0,
END
is_file "$T/out" "$T/want.csv" "stream-window: the test event left out; purchases counted and summed apart (by hand)"
like "$(err)" "6 in, 5 out, 0 rejected, 0 duplicates, 1 filtered, 5 aggregated, 0 late," \
    "stream-window: 6 in = 5 aggregated + 1 filtered"

# A filtered event moves no watermark: the 12:00 event, left out, does
# not close the 10:00 window before the late one comes.
printf '%s\n' '{"t":"2025-01-15T10:10:00Z","k":"a"}' '{"t":"2025-01-15T12:00:00Z","k":"x"}' \
    '{"t":"2025-01-15T10:20:00Z","k":"a"}' >"$T/wm.jsonl"
run stream-window --time t --size 1h -g k --where "k != 'x'" -f csv "$T/wm.jsonl"
is "$(sed -n 2p "$T/out")" "2025-01-15T10:00:00Z,2025-01-15T11:00:00Z,a,2" \
    "an event --where leaves out does not move the watermark (nothing late)"

# --- The sinks ------------------------------------------------------------------------------
run sqlite-sink -D "$T/w.db" -T p --where "$purchase" "$T/valid.csv"
is "$rc" 0 "sqlite-sink --where runs"
n=$(sqlite3 "$T/w.db" "SELECT count(*) FROM p")
others=$(sqlite3 "$T/w.db" "SELECT count(*) FROM p WHERE event_type <> 'purchase'")
all=$(($(wc -l <"$T/valid.csv") - 1))
like "$(err)" "^sqlite-sink: $all in, $n out, 0 rejected, 0 duplicates, $((all - n)) filtered, $n written," \
    "sqlite-sink: in = written + rejected + filtered ($all = $n + $((all - n)))"
is "$others" 0 "sqlite-sink: only purchases in the table"
run parquet-sink -o "$T/p.parquet" --where "$purchase" "$T/valid.csv"
like "$(err)" "^parquet-sink: $all in, $n out, 0 rejected, 0 duplicates, $((all - n)) filtered, $n written, 1 files," \
    "parquet-sink: the same counts"
is "$("$DUCK" "SELECT count(*) AS n, count(*) FILTER (WHERE event_type <> 'purchase') AS o FROM '$T/p.parquet'")" \
    "{\"n\":\"$n\",\"o\":\"0\"}" "parquet-sink: DuckDB reads the purchases only"

done_testing
