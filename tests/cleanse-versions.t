#!/bin/sh
# cleanse with a schema's history, enrichment and metrics: records of
# ecommerce v1 and v2 upgraded to v3 with the declared defaults (by the
# schema_version field or by the field set), enrichments computed, the
# late_arrival flag worked by hand, and --metrics checked value by value.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)
gen() { $SLUICE_WRAP "$SG" -q --per-day 300 --days 2 --anomalies 0 "$@" ecommerce; }

# --- Migration v1 -> v3, v2 -> v3 -------------------------------------------
gen >"$T/v3.csv"
gen --as-version 1 >"$T/v1.csv"
gen --as-version 2 >"$T/v2.csv"
is "$(head -n 1 "$T/v1.csv")" "event_id,user_id,event_type,product_id,price,event_time,schema_version" \
    "schema-gen --as-version 1 writes version 1's fields"
like "$(sed -n 2p "$T/v1.csv")" ',1$' "and says so in schema_version"
run cleanse -q --schema ecommerce "$T/v3.csv"
cp "$T/out" "$T/c3.csv"
# What v1 and v2 records must become: the v3 records with the fields they
# lack set to the declared defaults (mlr, independently of cleanse).
mlr --csv put '$session_id=""; $category="UNKNOWN"; $quantity=1;
    $user_segment="UNKNOWN"; $device_type="unknown"; $browser="unknown";
    $geo_country=""; $geo_city=""; $referrer="direct"; $campaign_id="";
    $total_amount=$price' "$T/c3.csv" >"$T/want1.csv"
mlr --csv put '$device_type="unknown"; $browser="unknown"; $geo_country="";
    $geo_city=""; $referrer="direct"; $campaign_id=""' "$T/c3.csv" >"$T/want2.csv"
run cleanse --schema ecommerce --metrics "$T/m1.jsonl" "$T/v1.csv"
is_file "$T/out" "$T/want1.csv" "v1 -> v3: the v1 fields kept, every added field its default, schema_version 3"
like "$(cat "$T/m1.jsonl")" '"versions":\{"1":600,"2":0,"3":0,"unknown":0\}' "counted as version 1"
run cleanse --schema ecommerce "$T/v2.csv"
is_file "$T/out" "$T/want2.csv" "v2 -> v3: v2's fields kept, v3's defaults added"

# Without a version field, the field set tells.
mlr --csv cut -x -f schema_version "$T/v1.csv" >"$T/v1-bare.csv"
mlr --csv cut -x -f schema_version "$T/v2.csv" >"$T/v2-bare.csv"
run cleanse --schema ecommerce --metrics "$T/m2.jsonl" "$T/v1-bare.csv" "$T/v2-bare.csv" "$T/v3.csv"
cat "$T/want1.csv" >"$T/want-all.csv"
tail -n +2 "$T/want2.csv" >>"$T/want-all.csv"
tail -n +2 "$T/c3.csv" >>"$T/want-all.csv"
is_file "$T/out" "$T/want-all.csv" "by field set: three files of three versions, each upgraded"
like "$(cat "$T/m2.jsonl")" '"versions":\{"1":600,"2":600,"3":600,"unknown":0\}' "and counted per version"

# JSON Lines, versions mixed line by line.
cat >"$T/mixed.jsonl" <<'END'
{"event_id":"00000000-0000-4000-8000-000000000001","user_id":7,"event_type":"purchase","product_id":"P1","price":"19.99","event_time":"2025-01-15T10:00:00Z"}
{"event_id":"00000000-0000-4000-8000-000000000002","user_id":7,"event_type":"purchase","product_id":"P1","price":19.99,"event_time":"2025-01-15T10:01:00Z","quantity":3,"category":"toys","schema_version":2,"device_type":"mobile"}
{"event_id":"00000000-0000-4000-8000-000000000003","user_id":7,"event_type":"view","product_id":"P2","price":5,"event_time":"2025-01-15T10:02:00Z","quantity":1,"category":"books","user_segment":"new","device_type":null,"schema_version":3}
{"event_id":"00000000-0000-4000-8000-000000000004","user_id":7,"event_type":"view","product_id":"P2","price":5,"event_time":"2025-01-15T10:03:00Z","schema_version":7}
{"event_id":"00000000-0000-4000-8000-000000000005","user_id":7,"event_type":"view","product_id":"P2","price":5,"event_time":"2025-01-15T10:04:00Z","browser":"lynx"}
END
run cleanse --schema ecommerce --metrics "$T/m3.jsonl" --reject "$T/rej3.jsonl" "$T/mixed.jsonl"
line() { sed -n "$1p" "$T/out"; }
is "$(line 1)" '{"event_id":"00000000-0000-4000-8000-000000000001","user_id":7,"event_type":"purchase","product_id":"P1","price":19.99,"event_time":"2025-01-15T10:00:00Z","event_time_date":"2025-01-15","session_id":null,"category":"UNKNOWN","quantity":1,"user_segment":"UNKNOWN","device_type":"unknown","browser":"unknown","geo_country":null,"geo_city":null,"referrer":"direct","campaign_id":null,"schema_version":3,"total_amount":19.99}' \
    "a v1 line (by its fields): every default, total_amount from the default quantity"
is "$(line 2)" '{"event_id":"00000000-0000-4000-8000-000000000002","user_id":7,"event_type":"purchase","product_id":"P1","price":19.99,"event_time":"2025-01-15T10:01:00Z","event_time_date":"2025-01-15","session_id":null,"category":"toys","quantity":3,"user_segment":"UNKNOWN","device_type":"mobile","browser":"unknown","geo_country":null,"geo_city":null,"referrer":"direct","campaign_id":null,"schema_version":3,"total_amount":59.97}' \
    "a declared v2 line: a later field it has is kept, the missing ones defaulted; 19.99 * 3 exactly"
like "$(line 3)" '"user_segment":"new","device_type":null,"browser":null,.*"referrer":null,' \
    "a v3 line's nulls stay null: defaults are for older versions only"
like "$(line 4)" '"event_id":"00000000-0000-4000-8000-000000000005",.*"quantity":null,.*"device_type":null,"browser":"lynx",.*"referrer":null,' \
    "a line with a v3 field is v3 by its field set: what it lacks is null, not defaulted"
like "$(cat "$T/rej3.jsonl")" '"rule":"version","field":"schema_version","message":"schema_version \\"7\\" is not a version of ecommerce \(it has 1, 2, 3\)"' \
    "an unknown version is rejected, naming the ones there are"
like "$(cat "$T/m3.jsonl")" '"in":5,"out":4,"rejected":1,"duplicates":0,.*"rules":\{.*"version":1\},"versions":\{"1":1,"2":1,"3":2,"unknown":1\}' \
    "metrics: the version rejection and the count per version"

# --- Enrichment ---------------------------------------------------------
cat >"$T/e.json" <<'END'
{"name": "e", "fields": [
  {"name": "sku", "gen": "pattern", "pattern": "S##"},
  {"name": "price", "type": "decimal", "gen": "uniform", "min": 1, "max": 9},
  {"name": "qty", "type": "int", "gen": "uniform", "min": 1, "max": 9},
  {"name": "at", "type": "timestamp", "gen": "time"}],
 "lookups": {"brand": {"S01": "Acme", "S02": "Globex"}},
 "enrich": [
  {"name": "total", "expr": "price * qty"},
  {"name": "brand", "expr": "coalesce(lookup('brand', sku), 'other')"},
  {"name": "hour", "expr": "hour(at)"}],
 "analysis": {"timestamp": "at"}}
END
cat >"$T/e.csv" <<'END'
sku,price,qty,at
S01,19.99,3,2025-01-15T10:00:00Z
S02,0.10,7,2025-01-15T10:20:00Z
S03,,2,2025-01-15T10:05:00Z
S01,1.25,4,2025-01-15T10:12:00Z
S02,2.50,1,2025-01-15T10:30:00Z
S03,3.00,2,2025-01-15T10:19:00Z
S01,4.00,2,2025-01-15T10:20:00Z
S02,1.00,1,
END
run cleanse --schema "$T/e.json" --late-after 10m --metrics "$T/me.jsonl" "$T/e.csv"
is "$(out)" "$(printf '%s\n' 'sku,price,qty,at,at_date,total,brand,hour,late_arrival' \
    'S01,19.99,3,2025-01-15T10:00:00Z,2025-01-15,59.97,Acme,10,false' \
    'S02,0.10,7,2025-01-15T10:20:00Z,2025-01-15,0.70,Globex,10,false' \
    'S03,,2,2025-01-15T10:05:00Z,2025-01-15,,other,10,true' \
    'S01,1.25,4,2025-01-15T10:12:00Z,2025-01-15,5.00,Acme,10,false' \
    'S02,2.50,1,2025-01-15T10:30:00Z,2025-01-15,2.50,Globex,10,false' \
    'S03,3.00,2,2025-01-15T10:19:00Z,2025-01-15,6.00,other,10,true' \
    'S01,4.00,2,2025-01-15T10:20:00Z,2025-01-15,8.00,Acme,10,false' \
    'S02,1.00,1,,,1.00,Globex,,')" \
    "enrichments (exact products, a lookup, a function) and late_arrival worked by hand: 10:05 after 10:20 is late, 10:12 is not (10:20 - 10m = 10:10), 10:19 after 10:30 is, a missing time is neither"
like "$(cat "$T/me.jsonl")" '"late":2,' "metrics count the late records"
run cleanse --schema "$T/e.json" "$T/e.csv"
is "$(head -n 1 "$T/out")" "sku,price,qty,at,at_date,total,brand,hour" "no late_arrival column without --late-after"
run cleanse --late-after 10m "$T/e.csv"
is "$rc" 2 "--late-after without a schema: a usage error"
run cleanse --schema "$T/e.json" --late-after soon "$T/e.csv"
like "$(err)" '--late-after: expected a duration' "--late-after needs a duration"

sed 's/"name": "total"/"name": "qty"/' "$T/e.json" >"$T/bad1.json"
run cleanse --schema "$T/bad1.json" "$T/e.csv"
is "$rc:$(err)" '2:cleanse: bad1.json: enrich[0].name: "qty" is already a field' "an enrichment may not reuse a field's name"
sed 's/price \* qty/price * qtty/' "$T/e.json" >"$T/bad2.json"
run cleanse --schema "$T/bad2.json" "$T/e.csv"
like "$rc:$(err)" '^2:cleanse: bad2.json: enrich\[0\]\.expr: .*qtty' "an enrichment's expression is checked"
cat >"$T/bad3.json" <<'END'
{"fields": [{"name": "a", "gen": "uuid"}, {"name": "b", "gen": "uuid"}, {"name": "v", "type": "int", "gen": "const", "value": 2}],
 "versions": [{"version": 1, "fields": ["a"]}, {"version": 2, "added": {"a": null, "b": "x"}}],
 "version_field": "v"}
END
run cleanse --schema "$T/bad3.json" "$T/e.csv"
is "$rc:$(err)" '2:cleanse: bad3.json: versions[1].added.a: "a" came in version 1 already' "a field comes into the history once"

# --- Metrics ------------------------------------------------------------
$SLUICE_WRAP "$SG" -q ecommerce --per-day 5000 --days 1 >"$T/ec.csv"
rm -f "$T/m.jsonl"
run cleanse --schema ecommerce --dedup event_id --metrics "$T/m.jsonl" "$T/ec.csv"
m=$(cat "$T/m.jsonl")
in=$(($(wc -l <"$T/ec.csv") - 1))
outn=$(($(wc -l <"$T/out") - 1))
like "$(err)" "^cleanse: $in in, $outn out, " "summary line"
n() { printf '%s\n' "$m" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
is "$(n in):$(n out)" "$in:$outn" "metrics: in and out as counted"
is "$(($(n out) + $(n rejected) + $(n duplicates)))" "$(n in)" "metrics: in = out + rejected + duplicates"
is "$(n validity_pct)" "$(echo "scale=4; v = 100 * ($(n in) - $(n rejected)) / $(n in); scale=2; (v + 0.005) / 1" | bc)" \
    "validity_pct = 100 * (in - rejected) / in, to hundredths"
like "$m" '"status":"HEALTHY","min_valid_pct":95\.0,' "2% anomalies: HEALTHY"
like "$m" '"rules":\{"event_id_required":0,"event_id_uuid":0,"user_id_required":[1-9][0-9]*,' \
    "every declared rule listed, with its failures"
rsum=$(printf '%s\n' "$m" | sed 's/.*"rules":{\([^}]*\)}.*/\1/' | tr ',' '\n' | sed 's/.*://' | paste -sd+ | bc)
ok "$(( rsum >= $(n rejected) ? 0 : 1 ))" "failures add up to at least the rejections ($rsum >= $(n rejected))"
like "$m" '^\{"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z","program":"cleanse","schema":"ecommerce","inputs":\[".*ec\.csv"\],' \
    "when, which program, schema and inputs"
run cleanse --schema ecommerce --metrics "$T/m.jsonl" --min-valid 99.5 --warn-rule 0.3 "$T/ec.csv"
is "$(wc -l <"$T/m.jsonl")" 2 "a second run appends a line"
like "$(tail -n 1 "$T/m.jsonl")" '"status":"DEGRADED","min_valid_pct":99\.5,' "--min-valid 99.5: DEGRADED"
like "$(err)" "cleanse: warning: rule [a-z_]+ rejected 0\.[3-9][0-9]*% of records \([0-9]+ of $in\)" \
    "--warn-rule 0.3: a rule rejecting more is warned about"
like "$(tail -n 1 "$T/m.jsonl")" '"alerts":\["rule [a-z_]+ rejected' "and the warning is in the metrics"
run cleanse --schema ecommerce --metrics "$T/m.jsonl" "$T/ec.csv"
ok "$(grep -c warning "$T/err" | grep -qx 0; echo $?)" "no warning at the default 10%"
run cleanse --metrics "$T/m.jsonl" /dev/null
like "$(tail -n 1 "$T/m.jsonl")" '"in":0,"out":0,"rejected":0,"duplicates":0,"filtered":0,"validity_pct":null,"status":"NO_DATA",' \
    "no records: NO_DATA, no validity"
run cleanse --metrics "$T/no/such/dir/m.jsonl" "$T/ec.csv"
is "$rc:$(err)" "1:cleanse: $T/no/such/dir/m.jsonl: No such file or directory" \
    "metrics that cannot be written: exit 1 before any work"
run cleanse --min-valid 101 "$T/ec.csv"
is "$rc" 2 "--min-valid takes a percentage"

done_testing
