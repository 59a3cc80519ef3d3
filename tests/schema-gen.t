#!/bin/sh
# schema-gen: determinism, statistics, entities, derived fields, sessions,
# anomalies with ground truth, DuckDB reading every bundled schema with
# its declared types, bad schemas, and the command line.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)
sg() { $SLUICE_WRAP "$SG" "$@"; }

# --- Determinism ---------------------------------------------------------------
sg -q retail --per-day 300 --days 3 >"$T/a.csv"
sg -q retail --per-day 300 --days 3 >"$T/b.csv"
is_file "$T/a.csv" "$T/b.csv" "same schema, seed and flags: byte-identical"
sg -q retail --per-day 300 --days 3 -s 43 >"$T/c.csv"
cmp -s "$T/a.csv" "$T/c.csv"
is "$?" 1 "another seed differs"
sg -q retail -n 300 --start 2025-01-16 --days 1 >"$T/day2.csv"
{ head -n 1 "$T/a.csv"; grep ',2025-01-16,' "$T/a.csv"; } >"$T/slice.csv"
is_file "$T/day2.csv" "$T/slice.csv" "a day made alone is that day of a longer run"
mkdir "$T/e2" "$T/e1"
sg -q ecommerce --per-day 500 --days 2 -f jsonl -d "$T/e2"
sg -q ecommerce --per-day 500 --start 2025-02-04 --days 1 -f jsonl -d "$T/e1"
is_file "$T/e1/ecommerce_2025-02-04.jsonl" "$T/e2/ecommerce_2025-02-04.jsonl" \
    "...also with sessions and anomalies"

mkdir "$T/days"
run schema-gen retail --per-day 100 --days 3 -d "$T/days"
is "$(ls "$T/days" | tr '\n' ' ')" \
    "retail_2025-01-15.csv retail_2025-01-16.csv retail_2025-01-17.csv " \
    "-d: one file per day, named NAME_DATE.csv"
like "$(err)" "retail_2025-01-16.csv: 100 records" "and a line per file written"
tail -n +2 "$T/days/retail_2025-01-16.csv" >"$T/d16"
grep ',2025-01-16,' "$T/a.csv" | head -n 100 >"$T/a16"
is "$(wc -l <"$T/d16")" 100 "--per-day is per day"
sg -q retail --per-day 100 --days 3 >"$T/a100.csv"
grep ',2025-01-16,' "$T/a100.csv" >"$T/a16"
is_file "$T/d16" "$T/a16" "a day's file holds that day of the stream"

# --- -n: records in all; --per-day: records a day -----------------------------------
# -n N shares N among the days by weight (weekday weight times ramp): each
# day the whole part of its share, the rest one each to the largest
# fractions, the earlier day on a tie.  Reckoned here in whole numbers
# (weights scaled to integers, a share as quotient and remainder), not in
# the program's doubles.
spread() {  # spread N "W1 W2 ...": the days' counts
    awk -v n="$1" -v w="$2" 'BEGIN {
        d = split(w, a, " ")
        for (i = 1; i <= d; i++) sum += a[i]
        for (i = 1; i <= d; i++) {
            q[i] = int(n * a[i] / sum); r[i] = (n * a[i]) % sum; left += q[i] }
        for (left = n - left; left > 0; left--) {
            b = 0
            for (i = 1; i <= d; i++)
                if (!given[i] && (b == 0 || r[i] > r[b])) b = i
            q[b]++; given[b] = 1
        }
        for (i = 1; i <= d; i++) printf "%s%d", (i > 1 ? " " : ""), q[i] }'
}
# day_counts DIR: the records in each day's file (JSON Lines), in date order.
day_counts() {
    for f in "$1"/*; do awk 'END { print NR }' "$f"; done | paste -sd' ' -
}
cat >"$T/ramp.json" <<'END'
{"name": "ramp", "start": "2025-01-06", "days": 5, "records": 10,
 "fields": [{"name": "day", "type": "date", "gen": "time", "ramp": 1},
            {"name": "x", "type": "int", "gen": "uniform", "min": 1, "max": 9}]}
END
# retail: 7 days alike; card_transactions: its weekdays from Monday
# (0.9 ... 1.3 on Saturday) x 100; ecommerce: 3 days, sessions and
# duplicates (counted among the N); ramp.json: 1 + k/4 over 5 days, x 4.
for c in "retail;1 1 1 1 1 1 1" "card_transactions;90 90 95 100 110 130 120" \
    "ecommerce;1 1 1" "$T/ramp.json;4 5 6 7 8"; do
    s=${c%%;*} w=${c#*;}
    for n in 1 6 7 8 1000; do
        rm -rf "$T/nd"
        sg -q "$s" -n "$n" -f jsonl -d "$T/nd" 2>/dev/null
        is "$(day_counts "$T/nd")" "$(spread "$n" "$w")" \
            "-n $n, $(basename "$s" .json): $n records in all, shared by day as weighted"
    done
done
run schema-gen -q ecommerce -n 1000 -f jsonl
is "$(out | wc -l)" 1000 "-n 1000 to stdout: 1000 lines, duplicates among them"
like "$(err)" "^schema-gen: -n 1000 now counts the records in all \(shared among the 3 days\); --per-day 1000 is a day's count" \
    "-n over several days says what it was (for one release)"
run schema-gen -q retail -n 10 --days 1
is "$(err)" "" "...and nothing over one day, where it is the same"

# --per-day N: N a day, times the day's weight (weekday weights scaled to
# average 1 over a week: card_transactions' Monday is 0.9 * 7 / 7.35, so
# 857 of 1000, rounded); the schema's records a day when neither is given.
sg -q card_transactions --per-day 1000 -f jsonl -d "$T/pd1"
is "$(day_counts "$T/pd1")" "857 857 905 952 1048 1238 1143" \
    "--per-day 1000, card_transactions: 1000 a day times its weekday weight"
sg -q retail --per-day 7 -f jsonl -d "$T/pd2"
is "$(day_counts "$T/pd2")" "7 7 7 7 7 7 7" "--per-day 7, retail: 7 a day"
sg -q "$T/ramp.json" -f jsonl -d "$T/pd3"
is "$(day_counts "$T/pd3")" "10 13 15 18 20" "no count: the schema's records a day (10), times the ramp"

# Deterministic for a seed; a day's share is the start of that day as
# --per-day makes it.
sg -q ecommerce -n 1000 -f jsonl --truth "$T/n1.t" >"$T/n1" 2>/dev/null
sg -q ecommerce -n 1000 -f jsonl --truth "$T/n2.t" >"$T/n2" 2>/dev/null
is_file "$T/n1" "$T/n2" "-n: the same seed, the same bytes"
is_file "$T/n1.t" "$T/n2.t" "...and the same truth"
sg -q ecommerce -n 1000 -f jsonl -s 5 >"$T/n3" 2>/dev/null
cmp -s "$T/n1" "$T/n3"
is "$?" 1 "-n: another seed differs"
rm -rf "$T/nd"
sg -q ecommerce -n 1000 -f jsonl -d "$T/nd" 2>/dev/null
sg -q ecommerce --per-day 1000 -f jsonl -d "$T/pd"
bad=0
for f in "$T/nd"/*; do
    head -n "$(wc -l <"$f")" "$T/pd/${f##*/}" | cmp -s - "$f" || bad=$((bad + 1))
done
is "$bad" 0 "-n: each day's records are the first of that day's sequence"

# A duplicate with no room for its copy is an ordinary record: the truth
# tells only what the output holds (batch and live).
bad=""
for n in $(seq 1 24); do
    sg -q ecommerce -n "$n" --days 1 --anomalies 0.5 -f jsonl --truth "$T/dt" >"$T/do"
    sg -q ecommerce -n "$n" --rate 1000000 --anomalies 0.5 -f jsonl --truth "$T/lt" >"$T/lo"
    for m in "do dt" "lo lt"; do
        o=${m% *} t=${m#* }
        got="$(wc -l <"$T/$o" | tr -d ' ') $(awk 'NR > 1 && $0 == prev { d++ } { prev = $0 } END { print d + 0 }' "$T/$o")"
        [ "$got" = "$n $(grep -c '"kind":"duplicate"' "$T/$t")" ] || bad="$bad $o:$n"
    done
done
is "${bad:-none}" none "-n 1 to 24 with duplicates: N records, each told duplicate repeated"

run schema-gen retail -n 5 --per-day 5
is "$rc" 2 "-n and --per-day: a usage error"
run schema-gen retail --per-day 5 --rate 10
is "$rc" 2 "--per-day with --rate (no days live): a usage error"

# --- Statistics over 100k records ------------------------------------------------
sg -q card_transactions --per-day 100000 --days 1 >"$T/card.csv"
awk -F, 'NR > 1 { n++; c[$4]++ } END {
    bad = 0
    if ((c["POS"] / n - 0.55) ^ 2 > 0.0001) bad++
    if ((c["ECOM"] / n - 0.35) ^ 2 > 0.0001) bad++
    if ((c["ATM"] / n - 0.10) ^ 2 > 0.0001) bad++
    printf "%d %.4f %.4f %.4f", bad, c["POS"] / n, c["ECOM"] / n, c["ATM"] / n }' \
    "$T/card.csv" >"$T/w"
like "$(cat "$T/w")" "^0 " "weighted choice within 1% of its weights ($(cat "$T/w"))"
awk -F, 'NR > 1 { n++; if ($11 == "true") f++ } END {
    printf "%.4f", f / n }' "$T/card.csv" >"$T/p"
ok "$(awk -v p="$(cat "$T/p")" 'BEGIN { print (p > 0.008 && p < 0.012) ? 0 : 1 }')" \
    "bool p = 0.01 holds ($(cat "$T/p"))"
med=$("$SLUICE_TOP/scripts/duckdb" "SELECT median(amount)::DOUBLE AS m FROM read_csv('$T/card.csv')" |
    sed 's/.*:\([0-9.]*\).*/\1/')
ok "$(awk -v m="$med" 'BEGIN { print (m > 833 && m < 867) ? 0 : 1 }')" \
    "log-normal median near its parameter 850 ($med)"
# Hours 19 and 3 weigh 9 and 0.2: the ratio shows.
awk -F, 'NR > 1 { h[substr($2, 12, 2)]++ } END {
    printf "%.1f", h["19"] / h["03"] }' "$T/card.csv" >"$T/r"
ok "$(awk -v r="$(cat "$T/r")" 'BEGIN { print (r > 35 && r < 57) ? 0 : 1 }')" \
    "hour-of-day weights visible: hour 19 / hour 3 = $(cat "$T/r") (weights: 45)"
awk -F, 'NR > 1 && $12 != $3 "|" $5 "|" $4 "|" $6 { bad++ } END { print bad + 0 }' \
    "$T/card.csv" >"$T/k"
is "$(cat "$T/k")" 0 "derived concatenation exact in every record"

sg -q retail -n 100000 --days 1 >"$T/retail.csv"
awk -F, 'NR > 1 && $5 !~ /"/ { if (city[$3] != "" && city[$3] != $4) bad++; city[$3] = $4 }
    END { print bad + 0 }' "$T/retail.csv" >"$T/k"
is "$(cat "$T/k")" 0 "entity attributes consistent: a store is always in its city"
# Cents as integers: amount == quantity * unit_price exactly.
"$SLUICE_TOP/scripts/duckdb" "SELECT count(*) FILTER (WHERE amount <> quantity * unit_price) AS bad,
    count(*) FILTER (WHERE product = 'Masala Dosa' AND (unit_price < 80 OR unit_price > 120)) AS out_of_range,
    count(*) FILTER (WHERE product = 'Masala Dosa') AS dosas, count(*) AS n
    FROM read_csv('$T/retail.csv', columns={'order_id':'VARCHAR','order_date':'DATE',
    'store_id':'VARCHAR','store_city':'VARCHAR','product':'VARCHAR','quantity':'INTEGER',
    'unit_price':'DECIMAL(10,2)','amount':'DECIMAL(12,2)'})" >"$T/q"
like "$(cat "$T/q")" '"bad":"0"' "derived amount = quantity * unit_price, to the cent, in 100k rows"
like "$(cat "$T/q")" '"out_of_range":"0"' "a product's price stays within its range"
like "$(cat "$T/q")" '"n":"100000"' "every row read by DuckDB"

# Memory does not grow with the records made (past the first 100k,
# which fill -j's blocks).
if [ -z "$SLUICE_WRAP" ] && [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$T/rss1" "$SG" -q retail -n 100000 --days 1 >/dev/null
    /usr/bin/time -f %M -o "$T/rss2" "$SG" -q retail -n 1000000 --days 1 >/dev/null
    a=$(cat "$T/rss1"); b=$(cat "$T/rss2")
    ok "$(( b - a > 1024 ))" "memory flat in N: $a kB for 100k records, $b kB for 1M"
fi

# --- Anomalies, truth, sessions ------------------------------------------------------
sg -q ecommerce --per-day 100000 --days 1 -f jsonl --truth "$T/truth.jsonl" >"$T/ec.jsonl"
total=$(wc -l <"$T/ec.jsonl")
anoms=$(wc -l <"$T/truth.jsonl")
dups=$(grep -c '"kind":"duplicate"' "$T/truth.jsonl")
is "$total" "$((100000 + dups))" "--per-day 100000: 100000 records plus one line per duplicate"
ok "$(awk -v a="$anoms" 'BEGIN { print (a > 1800 && a < 2200) ? 0 : 1 }')" \
    "anomalies at their 2% rate ($anoms in 100000)"
"$SLUICE_TOP/scripts/duckdb" "
    CREATE TABLE ev AS SELECT row_number() OVER () AS line, * FROM read_json('$T/ec.jsonl',
      format='newline_delimited', columns={'event_id':'VARCHAR','user_id':'BIGINT',
      'event_type':'VARCHAR','product_id':'VARCHAR','price':'DOUBLE','event_time':'VARCHAR',
      'session_id':'VARCHAR','category':'VARCHAR','quantity':'BIGINT'});
    CREATE TABLE tr AS SELECT id::VARCHAR AS id, kind, field FROM read_json('$T/truth.jsonl',
      format='newline_delimited');
    SELECT
     (SELECT count(*) FROM tr) AS truths,
     (SELECT count(*) FROM tr WHERE EXISTS (SELECT 1 FROM ev WHERE ev.event_id = tr.id AND (
        (kind = 'null' AND ((field = 'user_id' AND ev.user_id IS NULL) OR
          (field = 'product_id' AND ev.product_id IS NULL) OR (field = 'event_time' AND ev.event_time IS NULL)))
        OR (kind = 'negative' AND ((field = 'price' AND ev.price < 0) OR (field = 'quantity' AND ev.quantity < 0)))
        OR (kind = 'bad_timestamp' AND try_cast(ev.event_time AS TIMESTAMP) IS NULL)
        OR (kind = 'unknown_category' AND ev.category = '__unknown_category__')
        OR kind = 'duplicate'))) AS confirmed,
     (SELECT count(*) FROM (SELECT event_id FROM ev GROUP BY 1 HAVING count(*) = 2)) AS dup_ids,
     (SELECT count(*) FROM ev WHERE (user_id IS NULL OR product_id IS NULL OR event_time IS NULL
        OR price < 0 OR quantity < 0 OR try_cast(event_time AS TIMESTAMP) IS NULL
        OR category = '__unknown_category__')
        AND event_id NOT IN (SELECT id FROM tr WHERE kind <> 'duplicate')) AS untold,
     (SELECT count(*) FROM ev WHERE user_id = 0 AND event_type NOT IN ('view', 'search')) AS anon_bad,
     (SELECT count(*) FROM ev WHERE user_id = 0) AS anon,
     (SELECT count(DISTINCT session_id) FROM ev) AS sessions,
     (SELECT count(*) FROM (SELECT session_id, count(DISTINCT user_id) u FROM ev
        WHERE user_id IS NOT NULL GROUP BY 1) WHERE u > 1) AS mixed_users,
     (SELECT count(*) FROM (SELECT session_id, event_time, lag(event_time) OVER
        (PARTITION BY session_id ORDER BY line) AS prev FROM ev
        WHERE try_cast(event_time AS TIMESTAMP) IS NOT NULL)
        WHERE prev IS NOT NULL AND try_cast(prev AS TIMESTAMP) IS NOT NULL
        AND event_time::TIMESTAMP < prev::TIMESTAMP) AS backwards,
     (SELECT count(*) FROM (SELECT session_id, first(event_type ORDER BY line) AS f
        FROM ev GROUP BY 1) WHERE f NOT IN ('view', 'search')) AS bad_start" >"$T/q"
like "$(cat "$T/q")" "\"truths\":\"$anoms\"" "DuckDB reads the truth file"
like "$(cat "$T/q")" "\"confirmed\":\"$anoms\"" "every truth line is true of its record"
like "$(cat "$T/q")" "\"dup_ids\":\"$dups\"" "every duplicate appears twice"
like "$(cat "$T/q")" '"untold":"0"' "every damaged record is in the truth file"
like "$(cat "$T/q")" '"anon_bad":"0"' "anonymous users only view or search"
ok "$(grep -q '"anon":"0"' "$T/q"; echo $((1 - $?)))" "there are anonymous users"
like "$(cat "$T/q")" '"mixed_users":"0"' "a session has one user"
like "$(cat "$T/q")" '"backwards":"0"' "a session's times go forward"
like "$(cat "$T/q")" '"bad_start":"0"' "sessions begin with view or search"

# --- Every bundled schema, read by DuckDB with its declared types -------------------
for s in $(sg --list); do
    sg -q "$s" --per-day 2000 --days 2 >"$T/$s.csv"
    cols=$(sg --describe "$s" | awk -F, 'NR > 1 {
        t = $2; sub(/^decimal\(/, "DECIMAL(18,", t)
        m["string"] = "VARCHAR"; m["int"] = "BIGINT"; m["float"] = "DOUBLE"
        m["bool"] = "BOOLEAN"; m["date"] = "DATE"; m["timestamp"] = "TIMESTAMP"
        m["json"] = "JSON"; if (t in m) t = m[t]
        printf "%s'\''%s'\'':'\''%s'\''", (NR > 2 ? "," : ""), $1, t }')
    n=$(wc -l <"$T/$s.csv")
    got=$("$SLUICE_TOP/scripts/duckdb" "SELECT count(*) AS n FROM read_csv('$T/$s.csv',
        header=true, columns={$cols}, auto_detect=false, allow_quoted_nulls=false)" 2>&1)
    is "$got" "{\"n\":\"$((n - 1))\"}" "$s: CSV read by DuckDB with the declared types"
    sg -q "$s" --per-day 500 -f jsonl >"$T/$s.jsonl"
    got=$("$SLUICE_TOP/scripts/duckdb" "SELECT count(*) AS n FROM read_json('$T/$s.jsonl',
        format='newline_delimited', columns={$cols})" 2>&1)
    is "$got" "{\"n\":\"$(wc -l <"$T/$s.jsonl")\"}" "$s: JSON Lines read by DuckDB with the declared types"
done

# --- Bad schemas: one clear error naming the place, exit 2 ------------------------------
bad() {  # bad LABEL MESSAGE-PATTERN JSON
    printf '%s\n' "$3" >"$T/bad.json"
    run schema-gen --validate "$T/bad.json"
    is "$rc" 2 "bad schema ($1): exit 2"
    like "$(err)" "^schema-gen: bad.json: $2" "bad schema ($1): $(head -c 90 "$T/err")"
}
bad "misspelt generator" 'fields\[1\].gen: unknown generator "unifrom" \(did you mean "uniform"\?\)$' \
    '{"fields": [{"name": "a"}, {"name": "q", "type": "int", "gen": "unifrom", "min": 1, "max": 5}]}'
bad "unknown key" 'fields\[0\].wieghts: unknown key "wieghts" \(did you mean "weights"\?\)' \
    '{"fields": [{"name": "c", "gen": "choice", "values": ["a"], "wieghts": [1]}]}'
bad "unknown top-level key" 'feilds: unknown key "feilds" \(did you mean "fields"\?\)' \
    '{"feilds": []}'
bad "wrong type" 'fields\[0\].min: expected a number or an expression' \
    '{"fields": [{"name": "q", "type": "int", "gen": "uniform", "min": [1], "max": 5}]}'
bad "later field in an expression" 'fields\[0\].expr: column 1: unknown name "b"' \
    '{"fields": [{"name": "a", "gen": "derived", "expr": "b * 2"}, {"name": "b", "type": "int", "gen": "uniform", "min": 1, "max": 2}]}'
bad "missing field in an expression" 'fields\[1\].expr: column 5: unknown name "nope"' \
    '{"fields": [{"name": "a", "type": "int", "gen": "uniform", "min": 1, "max": 2}, {"name": "b", "gen": "derived", "expr": "a + nope"}]}'
bad "negative weight" 'fields\[0\].weights\[1\]: a weight is a number, 0 or more' \
    '{"fields": [{"name": "c", "gen": "choice", "values": ["a", "b"], "weights": [1, -2]}]}'
bad "empty choice list" 'fields\[0\].values: must not be empty' \
    '{"fields": [{"name": "c", "gen": "choice", "values": []}]}'
bad "weights of another length" 'fields\[0\].weights: expected an array of 2 weights' \
    '{"fields": [{"name": "c", "gen": "choice", "values": ["a", "b"], "weights": [1]}]}'
bad "unknown type" 'fields\[0\].type: unknown type "integer"' \
    '{"fields": [{"name": "c", "type": "integer"}]}'
bad "parameter of another generator" 'fields\[0\].median: not a parameter of the uniform generator' \
    '{"fields": [{"name": "q", "type": "int", "gen": "uniform", "min": 1, "max": 5, "median": 3}]}'
bad "repeated field" 'fields\[1\]: field "a" appears twice' \
    '{"fields": [{"name": "a"}, {"name": "a"}]}'
bad "analysis on a missing field" 'analysis.metrics\[0\]: no field "amout" \(did you mean "amount"\?\)' \
    '{"fields": [{"name": "amount", "type": "float"}], "analysis": {"metrics": ["amout"]}}'
bad "a flag that is no boolean" 'analysis.flags\[0\]: flag "amount" is a float field' \
    '{"fields": [{"name": "amount", "type": "float"}], "analysis": {"flags": ["amount"]}}'
bad "bad rule pattern" 'rules\[0\].pattern: not a valid POSIX extended regular expression' \
    '{"fields": [{"name": "a"}], "rules": [{"name": "r", "field": "a", "pattern": "([a-"}]}'
bad "session to nowhere" 'sessions.transitions.view.buy: no transitions from "buy"' \
    '{"fields": [{"name": "e"}], "sessions": {"field": "e", "start": {"view": 1}, "transitions": {"view": {"buy": 1, "end": 1}}}}'
bad "unknown anomaly kind" 'anomalies.kinds.nul: unknown anomaly kind "nul" \(did you mean "null"\?\)' \
    '{"fields": [{"name": "a"}], "anomalies": {"rate": 0.1, "kinds": {"nul": ["a"]}}}'
bad "sessions that cannot begin" 'sessions.start: the weights add up to 0' \
    '{"fields": [{"name": "e"}], "sessions": {"field": "e", "start": {"view": 0}, "transitions": {"view": {"end": 1}}}}'
bad "a huge entity" 'entities.e.count: 1 to 1000000 rows' \
    '{"entities": {"e": {"count": 4611686018427387904, "fields": [{"name": "a"}]}}, "fields": [{"name": "x"}]}'
bad "an entity using another" 'entities.b.fields\[0\].expr: column 1: unknown name "a.k"' \
    '{"entities": {"a": {"rows": [{"k": 1}]}, "b": {"count": 2, "fields": [{"name": "m", "type": "int", "gen": "derived", "expr": "a.k * 10"}]}}, "fields": [{"name": "x"}]}'
bad "a choice of the wrong type" 'fields\[0\].values\[0\]: not an int value' \
    '{"fields": [{"name": "n", "type": "int", "gen": "choice", "values": ["one"]}]}'
bad "sessions of no entity" 'sessions.entity: no entity "nobody"' \
    '{"fields": [{"name": "e"}], "sessions": {"field": "e", "entity": "nobody", "start": {"v": 1}, "transitions": {"v": {"end": 1}}}}'
bad "a ramp without a start" 'fields\[0\].ramp: a ramp grows from' \
    '{"fields": [{"name": "t", "type": "date", "gen": "time", "ramp": 1}]}'
bad "a name that escapes its folder" 'name: a dataset name is letters, digits, _ . and -' \
    '{"name": "../escaped", "fields": [{"name": "x"}]}'
bad "a placeholder misspelt" 'fields\[0\].pattern: bad placeholder at "\{seqfoo\}' \
    '{"fields": [{"name": "p", "gen": "pattern", "pattern": "{seqfoo}-#"}]}'
bad "a text weight" 'entities.e.weight: attribute "n" is not a weight' \
    '{"entities": {"e": {"rows": [{"n": "a"}, {"n": "b"}], "weight": "n"}}, "fields": [{"name": "x"}]}'
bad "bounds the wrong way" 'fields\[0\]: min 5 is above max 1' \
    '{"fields": [{"name": "q", "type": "int", "gen": "uniform", "min": 5, "max": 1}]}'
bad "versions going down" 'versions\[1\]: versions go up: 1 after 2' \
    '{"fields": [{"name": "a"}], "versions": [{"version": 2, "fields": ["a"]}, {"version": 1, "added": {"a": 1}}]}'
printf '{"fields": [\n  {"name": "a",}\n]}\n' >"$T/bad.json"
run schema-gen --validate "$T/bad.json"
like "$(err)" '^schema-gen: bad.json:2:16: ' "JSON syntax errors give line and column"
run schema-gen --validate "$T/no-such.json"
like "$(err)" 'no such schema file or bundled schema' "a missing schema says so"
is "$rc" 2 "and exits 2"
# A schema that is there but cannot be read: the system's reason, exit 1
# (it said "no such schema file" and exited 2).
mkdir "$T/adir"
run schema-gen --validate "$T/adir"
is "$rc:$(err)" "1:schema-gen: $T/adir: Is a directory" "a folder given as the schema: its reason, exit 1"
run schema-gen --validate "$T/bad.json/x.json"
is "$rc:$(err)" "1:schema-gen: $T/bad.json/x.json: Not a directory" "a path through a file: its reason, exit 1"
if [ "$(id -u)" != 0 ]; then
    cp "$T/bad.json" "$T/locked.json" && chmod 000 "$T/locked.json"
    run schema-gen --validate "$T/locked.json"
    is "$rc:$(err)" "1:schema-gen: $T/locked.json: Permission denied" "an unreadable schema: Permission denied, exit 1"
else
    cp "$T/bad.json" "$T/locked.json" && chmod 000 "$T/locked.json"
    su nobody -s /bin/sh -c "'$(prog schema-gen)' --validate '$T/locked.json'" \
        >/dev/null 2>"$T/err" </dev/null
    is "$?:$(err)" "1:schema-gen: $T/locked.json: Permission denied" "an unreadable schema: Permission denied, exit 1"
fi
# Every program that takes --schema says the same (they exited 2).
for p in cleanse batch-agg parquet-sink sqlite-sink stream-window; do
    case $p in
    parquet-sink) o="-o $T/x.parquet" ;; sqlite-sink) o="--db $T/x.db -T x" ;; *) o= ;;
    esac
    run $p --schema "$T/adir" $o </dev/null
    is "$rc:$(err)" "1:$p: $T/adir: Is a directory" "  $p: its reason, exit 1"
done
# A NUL byte after a number: jansson's lexer took it for the end of the text.
printf '{"fields": [{"name": "a", "gen": "uniform", "min": 0, "max": 1\0}]}' >"$T/nul.json"
run schema-gen --validate "$T/nul.json"
is "$rc:$(err)" "2:schema-gen: nul.json: holds a NUL byte (not JSON text)" "a schema holding a NUL byte is refused"
(cd "$T/adir" && mkdir retail && $SLUICE_WRAP "$(prog schema-gen)" --validate retail) \
    >/dev/null 2>"$T/err"
like "$?:$(err)" "^0:schema-gen: .*retail.json: ok" "a folder named like a bundled schema does not hide it"

# --- What a schema may ask (sluice-schema(5), Limits) -------------------
awk 'BEGIN { printf "{\"fields\": ["; for (i = 1; i <= 16385; i++)
    printf "{\"name\": \"f%d\"}%s", i, i < 16385 ? "," : "]}\n" }' >"$T/wide.json"
timeout 20 $SLUICE_WRAP "$(prog schema-gen)" --validate "$T/wide.json" >/dev/null 2>"$T/err"
is "$?:$(err)" "2:schema-gen: wide.json: fields: 16385 fields, more than a record may have (SLUICE_MAX_COLUMNS, 16384)" \
    "more fields than a record may have: refused, naming the limit"
SLUICE_MAX_COLUMNS=16385 timeout 20 $SLUICE_WRAP "$(prog schema-gen)" -n 2 "$T/wide.json" >"$T/out" 2>"$T/err"
is "$?:$(head -n 1 "$T/out" | tr , '\n' | sed -n '1p;16385p' | paste -sd' ')" "0:f1 f16385" \
    "SLUICE_MAX_COLUMNS raises it; 16,385 fields load in seconds (it was quadratic)"
awk 'BEGIN { printf "{\"fields\": ["; for (i = 1; i <= 3000; i++) printf "{\"name\": \"f%d\"},", i;
    print "{\"name\": \"f1500\"}]}" }' >"$T/twice.json"
run schema-gen --validate "$T/twice.json"
is "$rc:$(err)" "2:schema-gen: twice.json: fields[3000]: field \"f1500\" appears twice" \
    "a repeated field name is still found"
awk 'BEGIN { printf "{\"fields\": [{\"name\": \"a\"}], \"description\": \""
    for (i = 0; i < 17 * 1024; i++) printf "%1024s", ""; print "\"}" }' >"$T/huge.json"
run schema-gen --validate "$T/huge.json"
is "$rc:$(err)" "2:schema-gen: huge.json: larger than a schema may be (16 MiB)" "a file over 16 MiB is refused"
bad "a pool of 1,000,001 rows (10M took 1 GB)" 'entities.e.count: 1 to 1000000 rows' \
    '{"entities": {"e": {"count": 1000001, "fields": [{"name": "a"}]}}, "fields": [{"name": "x"}]}'
bad "pools whose values pass 256 MiB" 'entities.f: the entity pools would take more than 256 MiB \(1000000 rows of 6 attributes here\)' \
    '{"entities": {"e": {"count": 1000000, "fields": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}, {"name": "e"}, {"name": "f"}]},
      "f": {"count": 1000000, "fields": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}, {"name": "e"}, {"name": "f"}]}},
      "fields": [{"name": "x"}]}'
cat >"$T/strings.json" <<'END'
{"name": "strs", "records": 1,
 "entities": {"users": {"count": 1000000, "fields": [{"name": "bio", "gen": "pattern",
   "pattern": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}]}},
 "fields": [{"name": "u", "type": "string", "gen": "ref", "entity": "users", "attr": "bio"}]}
END
run schema-gen -n 1 "$T/strings.json"
is "$rc:$(err)" "2:schema-gen: strs: entities.users: the entity pools take more than 256 MiB (the values and their strings)" \
    "a pool whose strings pass 256 MiB: stopped, naming it (1 GB for 10M rows before)"

# The truth file's record numbers are the records' numbers in their day.
cat >"$T/tr.json" <<'END'
{"name": "tr", "start": "2025-01-01", "records": 300, "id": "id",
 "fields": [{"name": "id", "type": "string", "gen": "pattern", "pattern": "{seq}"},
            {"name": "x", "type": "int", "gen": "uniform", "min": 1, "max": 9}],
 "anomalies": {"rate": 0.2, "kinds": {"null": ["x"], "duplicate": true}}}
END
sg -q "$T/tr.json" --truth "$T/tr.truth" >"$T/tr.csv"
awk -F'[:,}]' '{ for (i = 1; i < NF; i++) { if ($i == "\"record\"") r = $(i + 1);
    if ($i == "\"id\"") id = $(i + 1) } gsub(/"/, "", id); if (r != id) bad++ }
    END { print NR, bad + 0 }' "$T/tr.truth" >"$T/k"
like "$(cat "$T/k")" "^[0-9]+ 0$" "truth: each line's record number is its record's ($(cat "$T/k"))"

# Declared types hold for every generator; null_rate everywhere.
cat >"$T/ty.json" <<'END'
{"name": "ty", "start": "2025-01-01", "records": 400,
 "entities": {"e": {"count": 50, "fields": [
    {"name": "k", "type": "int", "gen": "uniform", "min": 1, "max": 9, "null_rate": 0.9}]}},
 "fields": [{"name": "c", "type": "decimal", "gen": "choice", "values": [1, 2.5]},
            {"name": "q", "type": "decimal", "gen": "sequence"},
            {"name": "k", "type": "int", "gen": "ref", "entity": "e", "attr": "k"},
            {"name": "l", "type": "json", "gen": "list", "min_items": 1, "max_items": 1,
             "items": [{"name": "v", "type": "int", "gen": "uniform", "min": 1, "max": 2, "null_rate": 0.9}]}]}
END
sg -q "$T/ty.json" >"$T/ty.csv"
is "$(tail -n +2 "$T/ty.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')" "1.00 2.50 " \
    "a decimal choice is written in the field's scale"
is "$(sed -n 2p "$T/ty.csv" | cut -d, -f2)" "1.00" "so is a decimal sequence"
n=$(tail -n +2 "$T/ty.csv" | cut -d, -f3 | grep -c '^$')
ok "$(( n < 250 ))" "null_rate holds in entity fields ($n of 400 null)"
n=$(grep -c '"v"":null' "$T/ty.csv")
ok "$(( n < 300 ))" "and in list items ($n of 400)"

# --- The command line -----------------------------------------------------------------------
run schema-gen --validate retail
is "$rc" 0 "--validate a good schema: exit 0"
run schema-gen --list
like "$(out)" "^card_transactions$" "--list names the bundled schemas"
is "$(out | wc -l)" 6 "all six of them"
run schema-gen --sample 3 retail
is "$(out | wc -l)" 4 "--sample 3: a header and three rows"
is "$(out | tail -n 3 | cut -c1-13 | sort -u | wc -l)" 3 "each its own record"
like "$(out | head -n 1)" "^order_id +order_date +store_id" "--sample is a table"
run schema-gen --sample 4 card_transactions
is "$(out | wc -l)" 5 "--sample N is N rows, whatever the day's weight"
run schema-gen --help
like "$(out)" "^usage: schema-gen " "--help"
run schema-gen
is "$rc" 2 "no schema: exit 2"
run schema-gen retail -n lots
is "$rc" 2 "-n lots: exit 2"
run schema-gen --clear retail
is "$rc" 2 "--clear without -d: exit 2"
run schema-gen --rate 10 -d "$T/nope" retail
is "$rc" 2 "--rate with -d but no --roll-rows: exit 2"

mkdir "$T/keep"
echo precious >"$T/keep/notes.txt"
echo old >"$T/keep/retail_2020-01-01.csv"
echo other >"$T/keep/cards_2020-01-01.csv"
echo other >"$T/keep/retail_transactions_2025-03-10.csv"
run schema-gen -q retail -n 10 --days 1 -d "$T/keep"
is "$(ls "$T/keep" | wc -l)" 5 "existing files are kept without --clear"
run schema-gen -q retail -n 10 --days 1 -d "$T/keep" --clear
is "$(ls "$T/keep" | tr '\n' ' ')" "cards_2020-01-01.csv notes.txt retail_2025-01-15.csv retail_transactions_2025-03-10.csv " \
    "--clear removes only this dataset's files (not retail_transactions')"

run schema-gen -q retail -n 50 --days 1 -c gzip -d "$T/z"
is "$(gzip -dc "$T/z/retail_2025-01-15.csv.gz" | wc -l)" 51 "-c gzip: gzip files"
run schema-gen -q ecommerce -n 5 --days 1 -f jsonl -d "$T/j"
is "$(ls "$T/j")" "ecommerce_2025-02-03.jsonl" "-f jsonl names files .jsonl"

# Live: a rate, rolled files, a clean stop.
sg -q retail --rate 2000 -n 3000 -d "$T/live" --roll-rows 1000 2>"$T/err"
is "$(ls "$T/live" | wc -l)" 3 "--rate with --roll-rows: a file per 1000 records"
is "$(cat "$T/live"/*.csv | grep -vc '^order_id')" 3000 "every record in them"
today=$(date -u +%Y-%m-%d)
is "$(cat "$T/live"/*.csv | grep -v '^order_id' | cut -d, -f2 | sort -u)" "$today" \
    "live records are stamped now"
if [ -z "$SLUICE_WRAP" ]; then	# timing means nothing under valgrind
    start=$(date +%s.%N)
    sg -q card_transactions --rate 500 -n 1000 >"$T/rate.csv"
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    ok "$(awk -v s="$secs" 'BEGIN { print (s > 1.8 && s < 2.6) ? 0 : 1 }')" \
        "--rate 500 makes 1000 records in about 2 s ($secs s)"
fi
$SLUICE_WRAP "$SG" -q retail --rate 200 -d "$T/stop" --roll-rows 100000 &
pid=$!
# Once it is writing (its file in progress is there; under valgrind and
# load that can take a while), then a second more.
for i in $(seq 150); do
    ls -a "$T/stop" 2>/dev/null | grep -q '^\.retail' && break
    sleep 0.2
done
sleep 1
kill -TERM "$pid"
wait "$pid"
is "$?" 0 "SIGTERM in live mode: a clean exit"
n=$(cat "$T/stop"/*.csv 2>/dev/null | grep -vc '^order_id')
if [ -z "$SLUICE_WRAP" ]; then
    ok "$(( n < 100 || n > 400 ))" "and the records made so far are kept ($n)"
else
    ok "$(( n < 1 ))" "and the records made so far are kept ($n)"
fi
is "$(ls -a "$T/stop" | grep -c '^\.retail')" 0 "with no temporary file left"

# --- --anomalies and --as-version ----------------------------------------
run schema-gen ecommerce -n 2000 --days 1 --anomalies 0.1 --truth "$T/t10.jsonl"
n10=$(wc -l <"$T/t10.jsonl")
ok "$(( n10 >= 160 && n10 <= 240 ? 0 : 1 ))" "--anomalies 0.1: about 10% of 2000 damaged ($n10)"
run schema-gen ecommerce -n 2000 --days 1 --anomalies 0 --truth "$T/t0.jsonl"
is "$(wc -l <"$T/t0.jsonl"):$(($(wc -l <"$T/out") - 1))" "0:2000" "--anomalies 0: clean, no duplicates"
run schema-gen ecommerce --anomalies 2
is "$rc" 2 "--anomalies takes a rate from 0 to 1"
run schema-gen retail --anomalies 0.5
like "$rc:$(err)" "^2:schema-gen: --anomalies: retail declares no anomalies" "--anomalies needs a schema that declares them"
run schema-gen ecommerce -n 5 --days 1 --anomalies 0 --as-version 2 -f jsonl
like "$(head -n 1 "$T/out")" '"product_id":"P[0-9]+","price":[0-9.]+,"event_time":"[^"]*","session_id":"[^"]*","category":"[a-z]+","quantity":[0-9]+,"user_segment":"[a-z-]+","schema_version":2}$' \
    "--as-version 2: version 2's fields, in the schema's order, and its number"
run schema-gen ecommerce --as-version 4
is "$rc:$(err)" "2:schema-gen: --as-version: ecommerce has no version 4 (it has 1, 2, 3)" "an unknown version"
run schema-gen retail --as-version 1
is "$rc:$(err)" "2:schema-gen: --as-version: retail has no versions" "a schema without a history"
run schema-gen ecommerce --as-version 1 --truth "$T/x"
is "$rc" 2 "--as-version with --truth: a usage error"

done_testing
