#!/bin/sh
# cleanse with a schema: types, dimensions, the timestamp's date, every
# kind of rule, dedup; and a generated ecommerce run with anomalies scored
# against schema-gen's truth file.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)

# --- Scored against the ground truth ------------------------------------
$SLUICE_WRAP "$SG" -q ecommerce --per-day 20000 --days 1 --truth "$T/truth.jsonl" >"$T/ec.csv"
run cleanse --schema ecommerce --dedup event_id --reject "$T/rej.jsonl" "$T/ec.csv"
is "$rc" 0 "cleanse --schema ecommerce --dedup event_id runs"
in=$(($(wc -l <"$T/ec.csv") - 1))
outn=$(($(wc -l <"$T/out") - 1))
rej=$(grep -vc '"rule":"duplicate"' "$T/rej.jsonl")
dup=$(grep -c '"rule":"duplicate"' "$T/rej.jsonl")
like "$(err)" "^cleanse: $in in, $outn out, $rej rejected, $dup duplicates, " \
    "the summary agrees with the files"
is "$((outn + rej + dup))" "$in" "in = out + rejected + duplicates ($in = $outn + $rej + $dup)"
grep -v '"kind":"duplicate"' "$T/truth.jsonl" | sed 's/.*"id":"\([^"]*\)".*/\1/' | sort -u >"$T/damaged"
grep '"kind":"duplicate"' "$T/truth.jsonl" | sed 's/.*"id":"\([^"]*\)".*/\1/' | sort >"$T/dups"
grep -v '"rule":"duplicate"' "$T/rej.jsonl" | sed 's/.*"event_id":"\([^"]*\)".*/\1/' | sort -u >"$T/rejected"
grep '"rule":"duplicate"' "$T/rej.jsonl" | sed 's/.*"event_id":"\([^"]*\)".*/\1/' | sort >"$T/deduped"
is_file "$T/rejected" "$T/damaged" \
    "every injected anomaly rejected, and nothing else ($(wc -l <"$T/damaged") records)"
is_file "$T/deduped" "$T/dups" "every injected duplicate dropped as one ($(wc -l <"$T/dups"))"
like "$(head -n 1 "$T/out")" "^event_id,user_id,event_type,product_id,price,event_time,event_time_date,session_id," \
    "the timestamp's date follows it"

# --- Each rule, on a small schema -----------------------------------------------
cat >"$T/s.json" <<'END'
{"name": "s", "fields": [
  {"name": "id", "gen": "uuid"},
  {"name": "kind", "gen": "choice", "values": ["a", "b"]},
  {"name": "n", "type": "int", "gen": "uniform", "min": 0, "max": 9},
  {"name": "amt", "type": "decimal", "gen": "uniform", "min": 0, "max": 9},
  {"name": "ok", "type": "bool", "gen": "bool"},
  {"name": "code", "gen": "pattern", "pattern": "X##"},
  {"name": "at", "type": "timestamp", "gen": "time"}],
 "rules": [
  {"name": "id_required", "field": "id", "required": true},
  {"name": "kind_known", "field": "kind", "enum": ["a", "b", "UNKNOWN"]},
  {"name": "n_range", "field": "n", "min": 0, "max": 9},
  {"name": "code_shape", "field": "code", "pattern": "^X[0-9]{2}$"},
  {"name": "not_future", "field": "at", "max_future": "5m"},
  {"name": "b_needs_amt", "when": "kind == 'b'", "check": "amt > 0", "message": "kind b needs an amount"}],
 "analysis": {"timestamp": "at", "dimensions": ["kind"], "metrics": ["amt"], "flags": ["ok"]}}
END
cat >"$T/in.csv" <<'END'
id,Kind,N,amt,OK,code,at,extra
1, a ,3,1.5,yes,X01,2025-01-15 10:00:00,e1
2,,4,2,N,X02,20250115,e2
,a,5,1,1,X03,2025-01-15,e3
4,c,5,1,1,X04,2025-01-15,e4
5,a,10,1,1,X05,2025-01-15,e5
6,a,-1,1,1,Y06,2025-01-15,e6
7,a,1,1,1,X07,2099-01-01,e7
8,b,1,0,1,X08,2025-01-15,e8
9,a,x,1,maybe,X09,nope,e9
1,a,3,1.5,yes,X01,2025-01-15,e10
END
run cleanse --schema "$T/s.json" --dedup id --reject "$T/r.jsonl" "$T/in.csv"
is "$(out)" "$(printf '%s\n' 'id,kind,n,amt,ok,code,at,at_date,extra' \
    '1,a,3,1.50,true,X01,2025-01-15T10:00:00Z,2025-01-15,e1' \
    '2,UNKNOWN,4,2.00,false,X02,2025-01-15T00:00:00Z,2025-01-15,e2')" \
    "types applied: dimension trimmed (blank: UNKNOWN), decimal, booleans, timestamps, the date; other fields kept"
like "$(err)" "10 in, 2 out, 7 rejected, 1 duplicates" "every record accounted for"
rule() { grep "in.csv:$1\"" "$T/r.jsonl"; }
like "$(rule 4)" '"rule":"id_required","field":"id","message":"id is required"' "required"
like "$(rule 5)" '"rule":"kind_known","field":"kind","message":"kind \\"c\\" is not one of the allowed values"' "enum"
like "$(rule 6)" '"rule":"n_range","field":"n","message":"n 10 is above the maximum 9"' "max"
like "$(rule 7)" '"rule":"n_range","field":"n","message":"n -1 is below the minimum 0".*"rule":"code_shape","field":"code"' \
    "min, and pattern, both listed"
like "$(rule 8)" '"rule":"not_future"' "max_future"
like "$(rule 9)" '"rule":"b_needs_amt","message":"kind b needs an amount"' "a conditional rule"
like "$(rule 10)" '"errors":\[\{"rule":"type","field":"n","message":"n: \\"x\\" is not an int"\},\{"rule":"type","field":"ok","message":"ok: \\"maybe\\" is not a bool"\},\{"rule":"type","field":"at","message":"at: \\"nope\\" is not a timestamp"\}\]' \
    "wrong types: each listed with its field, and no rule judges a discarded value"
like "$(rule 11)" '"rule":"duplicate"' "a duplicate key goes to the dead letters too"

# A value holding \u0000 is checked whole: the pattern cannot stop at the NUL.
printf '%s\n' '{"id":"1","kind":"a","n":1,"amt":1,"ok":true,"code":"X01\u0000!","at":"2025-01-15"}' \
    '{"id":"2","kind":"a","n":1,"amt":1,"ok":true,"code":"X02","at":"2025-01-15"}' >"$T/nul.jsonl"
run cleanse --schema "$T/s.json" --reject "$T/nul.r" "$T/nul.jsonl"
like "$(err)" "2 in, 1 out, 1 rejected" "a NUL inside a value does not end the pattern's match"
like "$(cat "$T/nul.r")" '"rule":"code_shape"' "the rule that caught it"

run cleanse --schema "$T/nope.json" "$T/in.csv"
is "$rc" 2 "a missing schema: exit 2"
printf '{"fields": [{"name": "a", "gen": "unifrom"}]}\n' >"$T/bad.json"
run cleanse --schema "$T/bad.json" "$T/in.csv"
is "$rc" 2 "a bad schema: exit 2"
like "$(err)" 'bad.json: fields\[0\].gen: unknown generator "unifrom"' "with the schema's own message"
run cleanse --schema "$T/s.json" --dedup nosuch "$T/in.csv"
is "$rc" 2 "--dedup on a field the schema lacks: exit 2"
done_testing
