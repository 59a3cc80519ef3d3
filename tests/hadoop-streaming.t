#!/bin/sh
# batch-agg on the Hadoop Streaming contract, run by hand: 4 mapper
# splits (cleanse | batch-agg --partial), the shuffle as Hadoop does it
# (a line's key is its text up to the first tab; Hadoop's HashPartitioner
# over Text's hash sends it to one of R = 3 reducers; each reducer's input
# sorted by key), 3 reducers (batch-agg --reduce), and the last step
# (batch-agg --merge --kpis over the reducers' part files): the result and
# the KPIs are a single `cleanse | batch-agg` run's, byte for byte, for
# the retail rules and for a schema with sums, counts, booleans, min/max,
# exact and approximate distinct counts.  Then the same lines in other
# shapes (one reducer after sort, headers last, a combiner, reducers that
# only merge), and the shapes that must be refused: a group split across
# two reducers after --reduce, two aggregations mixed.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)
TAB=$(printf '\t')
R=3

ba() { $SLUICE_WRAP "$(prog batch-agg)" "$@"; }
cl() { $SLUICE_WRAP "$(prog cleanse)" "$@"; }

# shuffle R DIR FILE...: Hadoop's shuffle of the map output lines of the
# FILEs into DIR/r0.in .. r(R-1).in: HashPartitioner, (hash & MAX_INT) %
# R, where hash is Text.hashCode() of the key (WritableComparator.
# hashBytes: h = 31 * h + b from 1, over the key's bytes as Java's signed
# bytes, in 32 bits); then each reducer's input sorted by key, as the
# reduce side's merge gives it (bytewise, a key's lines kept together).
shuffle() {
    _r=$1 _d=$2
    shift 2
    perl -e '
        my ($r, $d) = (shift, shift);
        my @fh;
        for my $p (0 .. $r - 1) { open($fh[$p], ">", "$d/r$p.unsorted") or die }
        while (<>) {
            my ($key) = /^([^\t\n]*)/;
            my $h = 1;
            $h = ($h * 31 + $_) & 0xffffffff for unpack("c*", $key);
            print { $fh[($h & 0x7fffffff) % $r] } $_;
        }' "$_r" "$_d" "$@"
    for _p in $(seq 0 $((_r - 1))); do
        LC_ALL=C sort -s -t "$TAB" -k1,1 "$_d/r$_p.unsorted" >"$_d/r$_p.in"
    done
}

# hadoop NAME INPUT "CLEANSE ARGS" BATCH-AGG ARGS...: the whole shape
# over $T/INPUT.jsonl, checked against the single run.
hadoop() {
    _n=$1 _in=$T/$2.jsonl _c=$3
    shift 3
    _d=$T/$_n
    mkdir -p "$_d"
    # The single run, as CSV (what the last step writes by default) and
    # as it comes, JSON Lines like its input.
    # shellcheck disable=SC2086
    cl -q $_c <"$_in" | ba -q "$@" -f csv --kpis "$_d/single-kpis.csv" >"$_d/single.csv"
    # shellcheck disable=SC2086
    cl -q $_c <"$_in" | ba -q "$@" >"$_d/single.jsonl"
    (cd "$_d" && split -n l/4 "$_in" split.)
    for _s in "$_d"/split.*; do
        # shellcheck disable=SC2086
        cl -q $_c <"$_s" | ba -q "$@" --partial >"$_s.map"
    done
    is "$(ls "$_d"/split.*.map | wc -l | tr -d ' ')" 4 "$_n: 4 mappers"
    is "$(cat "$_d"/split.*.map | awk -F "$TAB" 'NF != 2' | wc -l | tr -d ' ')" 0 \
        "$_n: every map output line is key<TAB>JSON ($(cat "$_d"/split.*.map | wc -l | tr -d ' ') lines)"
    shuffle $R "$_d" "$_d"/split.*.map
    _heads=""
    _empty=0
    for _p in $(seq 0 $((R - 1))); do
        _heads="$_heads $(grep -c "^#$TAB" "$_d/r$_p.in")"
        [ -s "$_d/r$_p.in" ] || _empty=1
        ba -q --reduce <"$_d/r$_p.in" >"$_d/part-0000$_p"
        is "$?" 0 "$_n: reducer $_p (its input: $(wc -l <"$_d/r$_p.in" | tr -d ' ') lines)"
    done
    is "$_empty" 0 "$_n: the keys reach every reducer"
    is "$(echo $_heads | tr ' ' '\n' | sort -n | tr '\n' ' ')" "0 0 4 " \
        "$_n: the 4 headers reach one reducer, the others none"
    cat "$_d"/part-0000* | ba -q --merge --kpis "$_d/kpis.csv" >"$_d/daily.csv"
    is "$?" 0 "$_n: the last step merges the reducers' part files"
    is_file "$_d/daily.csv" "$_d/single.csv" \
        "$_n: the result is the single run's, byte for byte ($(($(wc -l <"$_d/single.csv") - 1)) groups)"
    is_file "$_d/kpis.csv" "$_d/single-kpis.csv" "$_n: and the KPIs: $(tail -n 1 "$_d/kpis.csv")"
    cat "$_d"/part-0000* | ba -q --merge -f jsonl >"$_d/daily.jsonl"
    is_file "$_d/daily.jsonl" "$_d/single.jsonl" "$_n: -f jsonl: the single run's JSON Lines"
}

# --- The retail rules -----------------------------------------------------
$SLUICE_WRAP "$SG" -q retail --per-day 3000 --days 3 -f jsonl >"$T/retail.jsonl"
hadoop retail retail ""

# --- A schema: sums, counts, booleans, min/max, distinct counts -------------
$SLUICE_WRAP "$SG" -q card_transactions --per-day 2500 --days 3 -f jsonl >"$T/card.jsonl"
hadoop card card "--schema card_transactions" --schema card_transactions \
    -m count -m sum:amount -m avg:amount -m min:amount -m max:amount \
    -m count_true:is_international -m rate_true:label_fraud \
    -m cities=distinct:city -m cards=approx_distinct:card_id \
    -m "big=count where amount > 1000" -m "big_sum=sum:amount where amount > 1000"
D=$T/card
# No schema for batch-agg: amounts of 0, 1 or 2 decimals, and a column of
# sums, mins or maxes has as many as the most any group's has -- known
# only once every group is in, at the last step.
hadoop undeclared card "--schema card_transactions" --date event_time -g city,channel \
    -m sum:amount -m min:amount -m max:amount -m avg:amount

# --- The same lines in other shapes ------------------------------------------
# One reducer, plain --merge: its input sorted by key (the header first)
# or in any order (the headers last), from standard input.
cat "$D"/split.*.map | LC_ALL=C sort | ba -q --merge >"$D/one.csv"
is_file "$D/one.csv" "$D/single.csv" "one reducer: the sorted map output through --merge"
cat "$D"/split.*.map | tac | ba -q --merge - >"$D/tac.csv"
is_file "$D/tac.csv" "$D/single.csv" "the map output backwards (every header last), from -"
# A combiner: Hadoop may run one over any part of a mapper's output,
# sorted, any number of times: --merge --partial, which keeps the states
# mergeable.
mkdir "$D/comb"
for m in "$D"/split.*.map; do
    LC_ALL=C sort "$m" >"$D/comb/sorted"
    n=$(( $(wc -l <"$D/comb/sorted") / 2 ))
    head -n "$n" "$D/comb/sorted" | ba -q --merge --partial >"$D/comb/$(basename "$m").a"
    tail -n "+$((n + 1))" "$D/comb/sorted" | ba -q --merge --partial >"$D/comb/$(basename "$m").b"
done
shuffle $R "$D/comb" "$D"/comb/*.map.[ab]
for p in 0 1 2; do ba -q --reduce <"$D/comb/r$p.in" >"$D/comb/part-0000$p"; done
cat "$D"/comb/part-* | ba -q --merge >"$D/comb.csv"
is_file "$D/comb.csv" "$D/single.csv" "a combiner on each half of each mapper's output: the same result"
# Reducers that only merge (--merge --partial) leave the distinct states
# whole: the last step takes them as they are, even from a shuffle that
# splits a group.
awk -v d="$D" '{ print > (d "/mis" (NR % 3) ".in") }' "$D"/split.*.map
for p in 0 1 2; do ba -q --merge --partial <"$D/mis$p.in" >"$D/mis$p.part"; done
cat "$D"/mis*.part | ba -q --merge >"$D/mis.csv"
is_file "$D/mis.csv" "$D/single.csv" "lines dealt round-robin, reducers --merge --partial: the same result"

# --- Refused -----------------------------------------------------------------
# After --reduce a group's distinct count is final: its lines must all
# have gone to one reducer, and a split group is said, not summed.
for p in 0 1 2; do ba -q --reduce <"$D/mis$p.in" >"$D/misr$p.part"; done
cat "$D"/misr*.part >"$T/misr.all"
run batch-agg --merge "$T/misr.all"
like "$rc:$(err)" "^1:batch-agg: .*misr.all:[0-9]+: (group \[.*\]: a distinct count made final \(batch-agg --reduce\) meets another line of the group|a KPI distinct count made final)" \
    "a group split across two --reduce reducers: refused, exit 1"
# Lines of two aggregations never merge, whichever comes first.
cat "$T"/retail/split.aa.map "$D"/split.aa.map | LC_ALL=C sort >"$T/mixed"
run batch-agg --reduce "$T/mixed"
like "$rc:$(err)" "^1:batch-agg: .*mixed:[0-9]+: this partial aggregated something else than the first" \
    "retail and card lines in one reducer: refused, exit 1"
# A reducer that gets no key writes nothing, and succeeds (Hadoop runs
# it all the same, Spark too for an empty partition).
run batch-agg -q --reduce
is "$rc:$(out)" "0:" "a reducer with no input: no line, exit 0"

done_testing
