#!/bin/sh
# cleanse's quality counts: one reason per fault (a mistyped field is a
# "type" failure and nothing else, a missing one its required rule), each
# error naming its field, and --metrics' rules counting records, checked
# against a hand-worked count, a jq reckoning over the reject file, and
# what schema-gen's truth file says it injected.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)

# The rules each reject line lists, once a line, as "rule" lines: what
# --metrics' rules should count, worked out from the reject file alone.
reckon() {
	jq -r '[.errors[].rule] | unique[]' "$1" | sort | uniq -c |
	    awk '{ print $2, $1 }'
}
# The rules of a metrics line that counted any record, as "rule count".
counted() {
	jq -r '.rules | to_entries[] | select(.value > 0) |
	    "\(.key) \(.value)"' "$1" | sort
}

# --- Known faults, by hand ------------------------------------------------
# Version 1 records (no quantity: its default, 1).  Ids 0..c are UUIDs.
u() { printf '00000000-0000-4000-8000-00000000000%s' "$1"; }
{
	echo 'event_id,user_id,event_type,product_id,price,event_time'
	echo "$(u 1),5,view,P1,9.99,2025-01-15T10:00:00Z"
	echo "$(u 2),5,view,P1,9.99,notatime"
	echo "$(u 3),5,view,P1,9.99,"
	echo "$(u 4),x,view,P1,9.99,31/02/2025 10:00"
	echo "$(u 5),,view,P1,9.99,nope"
	echo "$(u 6),5,purchase,P1,abc,2025-01-15T10:05:00Z"
	echo "$(u 7),5,purchase,P1,-3,2025-01-15T10:06:00Z"
	echo "$(u 8),zero,purchase,P1,5,2025-01-15T10:07:00Z"
	echo "$(u 9),0,purchase,P1,5,2025-01-15T10:08:00Z"
	echo "$(u a),5,view,,1,"
	echo "not-a-uuid,5,view,P1,1,2025-01-15T10:10:00Z"
	echo "$(u c),5,view,P1,1,2099-01-01T00:00:00Z"
} >"$T/hand.csv"
run cleanse --schema ecommerce --reject "$T/hand.rej" --metrics "$T/hand.m" \
    "$T/hand.csv"
is "$rc" 0 "cleanse --schema ecommerce over the hand-made faults runs"
like "$(err)" "12 in, 1 out, 11 rejected, 0 duplicates" "one clean record, eleven rejected"
# Each line's reasons as "line: rule/field ..." (field "-" when none).
jq -r '(.source | sub(".*:"; "")) + ": " +
    ([.errors[] | .rule + "/" + (.field // "-")] | join(" "))' \
    "$T/hand.rej" >"$T/hand.why"
cat >"$T/hand.want" <<'END'
3: type/event_time
4: event_time_required/event_time
5: type/user_id type/event_time
6: type/event_time user_id_required/user_id
7: type/price
8: price_non_negative/price purchase_has_price_and_quantity/-
9: type/user_id
10: anonymous_only_browses/-
11: product_id_required/product_id event_time_required/event_time
12: event_id_uuid/event_id
13: event_time_not_future/event_time
END
is_file "$T/hand.why" "$T/hand.want" \
    "each record's reasons, one per fault, each with its field: a mistyped time is not also missing, a mistyped price or user_id sets off no check over it"
like "$(grep ':5"' "$T/hand.rej")" '"message":"user_id: \\"x\\" is not an int"' \
    "\"is not an int\""
# Worked by hand from the lines above: type on lines 3, 5 (two fields: one
# record), 6, 7, 9; event_time_required on 4 and 11; the rest once each.
cat >"$T/hand.count" <<'END'
anonymous_only_browses 1
event_id_uuid 1
event_time_not_future 1
event_time_required 2
price_non_negative 1
product_id_required 1
purchase_has_price_and_quantity 1
type 5
user_id_required 1
END
counted "$T/hand.m" >"$T/hand.got"
is_file "$T/hand.got" "$T/hand.count" "--metrics rules: the records each rule rejected, as worked by hand"
reckon "$T/hand.rej" | sort >"$T/hand.jq"
is_file "$T/hand.got" "$T/hand.jq" "--metrics rules: as jq counts the reject file's records per rule"
is "$(jq -s '[.[].errors[] | select(.rule == "type")] | length' \
    "$T/hand.rej")" 6 "six type errors in five records: a rule counts a record once"
is "$(jq '[.rules[]] | add' "$T/hand.m")" 14 \
    "the counts add up to the 11 rejected and one for each further rule a record failed (lines 6, 8, 11)"
is "$(jq -r '.rules | to_entries | max_by(.value) | .key' "$T/hand.m")" type \
    "the top rule is type"
jq -r '.alerts[]' "$T/hand.m" | sort >"$T/hand.alerts"
printf '%s\n' 'rule event_time_required rejected 16.7% of records (2 of 12)' \
    'rule type rejected 41.7% of records (5 of 12)' >"$T/hand.alerts.want"
is_file "$T/hand.alerts" "$T/hand.alerts.want" \
    "alerts for the rules over --warn-rule 10%, by records (1 of 12 is not one)"
like "$(err)" 'warning: rule type rejected 41\.7% of records \(5 of 12\)' "and on stderr"
# The warehouse's top_rule (sink/warehouse.sql) reads these counts.
sqlite3 "$T/wh.db" <"$SLUICE_TOP/sink/warehouse.sql" >/dev/null
run sqlite-sink -D "$T/wh.db" -T data_quality_metrics "$T/hand.m"
is "$(sqlite3 "$T/wh.db" "SELECT top_rule || ' ' || top_rule_rejects FROM v_data_quality_dashboard")" \
    "type 5" "v_data_quality_dashboard: top_rule type, 5 records"
run sqlite-sink -D "$T/wh.db" -T dead_letter_events "$T/hand.rej"
sqlite3 -separator ' ' "$T/wh.db" "SELECT rule, records FROM v_dead_letters_by_rule ORDER BY rule" >"$T/hand.view"
is_file "$T/hand.view" "$T/hand.count" \
    "v_dead_letters_by_rule over the dead letters: the records each rule rejected, as --metrics counts them"

# --- Generated faults, against the truth file ----------------------------
$SLUICE_WRAP "$SG" -q ecommerce --per-day 6000 --days 1 --anomalies 0.1 -f jsonl \
    --truth "$T/truth.jsonl" >"$T/gen.jsonl"
run cleanse --schema ecommerce --dedup event_id --reject "$T/gen.rej" \
    --metrics "$T/gen.m" "$T/gen.jsonl"
is "$rc" 0 "cleanse over 6000 generated events with 10% anomalies runs"
damaged=$(jq -r 'select(.kind != "duplicate") | .id' "$T/truth.jsonl" | sort -u | wc -l)
is "$(jq .rejected "$T/gen.m")" "$damaged" "rejected: the $damaged records the truth file damaged"
is "$(jq .duplicates "$T/gen.m")" "$(grep -c '"kind":"duplicate"' "$T/truth.jsonl")" \
    "duplicates: the truth file's"
# What each anomaly should fail: its kind's rule on its field; a negative
# price or quantity in a purchase also fails the purchase rule.
jq -r 'select(.event_type == "purchase") | .event_id' "$T/gen.jsonl" |
    sort -u >"$T/purchases"
jq -r 'select(.kind != "duplicate") | [.id, .kind, .field] | @tsv' \
    "$T/truth.jsonl" | sort >"$T/anomalies"
join -t '	' -a 1 -o 1.1,1.2,1.3,2.1 "$T/anomalies" "$T/purchases" |
    awk -F '\t' '{
	if ($2 == "bad_timestamp")
		r = "type"
	else if ($2 == "null")
		r = $3 "_required"
	else if ($2 == "negative")
		r = $3 "_non_negative"
	else if ($2 == "unknown_category")
		r = "category_known"
	else
		r = "?" $2
	w = r "/" $3
	if ($2 == "negative" && $4 != "")
		w = w " purchase_has_price_and_quantity/-"
	print $1 ": " w
    }' | sort >"$T/gen.want"
jq -r 'select(.errors[0].rule != "duplicate") | .record.event_id + ": " +
    ([.errors[] | .rule + "/" + (.field // "-")] | join(" "))' "$T/gen.rej" |
    sort >"$T/gen.why"
is_file "$T/gen.why" "$T/gen.want" \
    "every damaged record rejected with exactly the reasons its anomaly makes ($(wc -l <"$T/gen.want") records)"
sed 's/^[^:]*: //' "$T/gen.want" | tr ' ' '\n' | sed 's|/.*||' | sort |
    uniq -c | awk '{ print $2, $1 }' >"$T/gen.count"
counted "$T/gen.m" >"$T/gen.got"
is_file "$T/gen.got" "$T/gen.count" "--metrics rules: what the truth file injected, rule by rule"
reckon "$T/gen.rej" | grep -v '^duplicate ' | sort >"$T/gen.jq"
is_file "$T/gen.got" "$T/gen.jq" "--metrics rules: as jq counts the reject file"
top=$(sort -k2,2nr -k1,1 "$T/gen.count" | head -n 1 | cut -d ' ' -f 1)
is "$(jq -r '.rules | to_entries | sort_by(-.value, .key) | .[0].key' "$T/gen.m")" \
    "$top" "the top rule is the most injected fault's, $top"
bt=$(grep -c '"kind":"bad_timestamp"' "$T/truth.jsonl")
nt=$(grep -c '"kind":"null","field":"event_time"' "$T/truth.jsonl")
is "$(jq '.rules.type, .rules.event_time_required' "$T/gen.m" | paste -sd ' ')" "$bt $nt" \
    "type: the $bt bad timestamps; event_time_required: the $nt times left out, no more"
done_testing
