#!/bin/bash
# One vocabulary: walks every program's --help and fails on an option
# letter or long name that means two things across programs, on a common
# option a program accepts but does not list (so does not mean), on a
# shared option sluice(7) does not write down, on "seed" used for the
# documents the project was specified in, and on a file that points
# outside the project.  Then the old spellings: still taken, warned.
. "$SLUICE_TOP/tests/lib.sh"

# Each --help's option lines, as "program<TAB>-x<TAB>--long<TAB>ARG": a
# line that starts an option ("  -x, --long ARG  text", "  -x ARG",
# "      --long ARG"), the ARG up to two spaces (it may hold one: "[ where
# EXPR]").  Continuation lines are indented further and are skipped.
opts=$T/opts
: >"$opts"
progs=""
for p in "$SLUICE_BIN"/*; do
    [ -x "$p" ] || continue
    n=$(basename "$p")
    progs="$progs $n"
    "$p" --help >"$T/help.$n" 2>/dev/null
    is "$?" 0 "$n --help: exit 0"
    perl -ne '
        next unless /^(?:  (-[A-Za-z0-9])(?:, (--[a-z0-9][a-z0-9-]*))?|      (--[a-z0-9][a-z0-9-]*))(?: (\S(?:\S| (?! ))*))?(?:  |$)/;
        my ($s, $l, $arg) = ($1 // "", $2 // $3 // "", $4 // "");
        print join("\t", $ARGV =~ s/.*help\.//r, $s, $l, $arg), "\n";
    ' "$T/help.$n" >>"$opts"
done
ok "$(( $(wc -l <"$opts") < 50 ))" "the option lines of every --help read ($(wc -l <"$opts"))"

# (a) A short letter names one long option everywhere, and a long
# option that has a letter has the same one everywhere.
bad=$(awk -F'\t' '$2 != "" && $3 != "" { k = $2; v = $3
        if (k in seen && seen[k] != v && !((k, v) in said)) {
            print k ": " seen[k] " (" who[k] ") and " v " (" $1 ")"; said[k, v] = 1 }
        else if (!(k in seen)) { seen[k] = v; who[k] = $1 } }' "$opts")
is "$bad" "" "each short letter names one long option in every program"
bad=$(awk -F'\t' '$3 != "" { k = $3; v = ($2 == "" ? "no letter" : $2)
        if (k in seen && seen[k] != v && !((k, v) in said)) {
            print k ": " seen[k] " (" who[k] ") and " v " (" $1 ")"; said[k, v] = 1 }
        else if (!(k in seen)) { seen[k] = v; who[k] = $1 } }' "$opts")
is "$bad" "" "each long option has the same letter (or none) in every program"

# (b) A long option takes the same argument everywhere (its placeholder:
# LIST is not N, FILE is not CONNINFO, DUR is not SECS).
bad=$(awk -F'\t' '$3 != "" { k = $3; v = ($4 == "" ? "no argument" : $4)
        if (k in seen && seen[k] != v && !((k, v) in said)) {
            print k ": " seen[k] " (" who[k] ") and " v " (" $1 ")"; said[k, v] = 1 }
        else if (!(k in seen)) { seen[k] = v; who[k] = $1 } }' "$opts")
is "$bad" "" "each long option takes the same argument in every program"

# ... and every long option of more than one program is written down in
# sluice(7)'s OPTIONS (the vocabulary), by its long name.
mandoc -Tascii "$SLUICE_TOP/man/sluice.7" | col -b |
    awk '/^[A-Z]/ { on = ($0 == "OPTIONS") } on' >"$T/vocab"
ok "$(( $(wc -l <"$T/vocab") < 20 ))" "sluice(7) has an OPTIONS section"
shared=$(awk -F'\t' '$3 != "" && !(($1, $3) in p) { p[$1, $3] = 1; n[$3]++ }
        END { for (k in n) if (n[k] > 1) print k }' "$opts" | sort)
ok "$(( $(echo "$shared" | wc -w) < 10 ))" "options shared by several programs found ($(echo $shared | wc -w))"
missing=""
for l in $shared; do
    grep -Eq -- "(^|[^-a-z])$l([^-a-z]|$)" "$T/vocab" || missing="$missing $l"
done
is "$missing" "" "every shared option is in sluice(7)'s vocabulary"

# (c) A common option is taken only where it means something, and then
# listed: one a --help leaves out is an unknown option (exit 2, named).
# It comes before --help, which would end the run with 0 had it been
# taken.
for n in $progs; do
    for o in "-f csv:--format" "--input-format csv:--input-format" \
        "--schema x.json:--schema" "--reject r.jsonl:--reject" \
        "-q:--quiet" "--stats s.json:--stats" "-j 2:--jobs"; do
        args=${o%%:*} long=${o##*:}
        awk -F'\t' -v n="$n" -v l="$long" '$1 == n && $3 == l { f = 1 }
            END { exit !f }' "$opts" && continue
        (cd "$T" && "$SLUICE_BIN/$n" $args --help </dev/null >"$T/out" 2>"$T/err")
        rc=$?
        is "$rc" 2 "$n does not list $long: $args is unknown to it (exit 2)"
        # getopt's own words for a letter: "invalid option -- 'q'".
        short=${args%% *}
        [ "$rc" = 2 ] && like "$(err)" "${long#--}|$short|-- '${short#-}'" "  and says which option"
    done
done

# The ones the issue found taken where they mean nothing: neither listed
# nor taken now.
while IFS='	' read -r n args long; do
    [ -n "$n" ] || continue
    listed=$(awk -F'\t' -v n="$n" -v l="$long" '$1 == n && $3 == l' "$opts")
    is "$listed" "" "$n --help does not list $long"
    (cd "$T" && "$SLUICE_BIN/$n" $args --help </dev/null >/dev/null 2>&1)
    is "$?" 2 "  $n $args: unknown (exit 2)"
done <<'EOF'
kafka-mock	--schema x.json	--schema
kafka-mock	--reject r.jsonl	--reject
kafka-mock	-f csv	--format
kafka-mock	--input-format csv	--input-format
schema-gen	--reject r.jsonl	--reject
schema-gen	--input-format csv	--input-format
sqlite-sink	-f jsonl	--format
pg-sink	-f jsonl	--format
parquet-sink	-f jsonl	--format
kafka-replay	--schema x.json	--schema
EOF

# (d) "seed" is the random generator's (--seed N) and nothing else: not
# the documents the project was specified in, which users never see.
seedword='(^|[^-_a-z])seed 0[0-9]|seed'"'"'s|(^|[^a-z])seeds([^a-z]|$)|seed doc'
for n in $progs; do
    bad=$(grep -Ei -- "$seedword" "$T/help.$n")
    is "$bad" "" "$n --help: no \"seed\" but the generator's"
done
cd "$SLUICE_TOP" || exit 1
if git rev-parse --git-dir >/dev/null 2>&1; then
    git ls-files -z >"$T/files"
else
    find . -type f ! -path './.git/*' ! -path './build/*' ! -path './bin/*' \
        ! -path './bench/peers/*' -print0 >"$T/files"
fi
bad=$(xargs -0 grep -IEil -- "$seedword" <"$T/files" | grep -v '^tests/vocabulary\.t$')
is "$bad" "" "no project file uses \"seed\" for the source documents"

# (e) No file points at the documents outside the project, this one
# included (the pattern is spelt so that it does not match itself).
bad=$(xargs -0 grep -IEl -- '\.\./shared' <"$T/files")
is "$bad" "" "no project file points at the documents outside the repository"
cd "$T" || exit 1

# The old spellings, for one release: taken, with a warning that names the
# new one on stderr; the exit status as with the new spelling (--help
# after them: 0).  program<TAB>old arguments<TAB>the new spelling.
while IFS='	' read -r n args new; do
    [ -n "$n" ] || continue
    "$SLUICE_BIN/$n" $args --help </dev/null >/dev/null 2>"$T/err"
    is "$?" 0 "$n $args: still taken"
    like "$(err)" "^$n: .* is now $new( [^;]*)?; the old spelling goes in the next release" \
        "  warned: now $new"
done <<'EOF'
sqlite-sink	-d x.db	-D
sqlite-sink	-t tbl	-T
pg-sink	-d dbname=x	-D
pg-sink	-t tbl	-T
sqlite-sink	--batch-ms 100	--batch-time
pg-sink	--batch-ms 100	--batch-time
parquet-sink	--roll-seconds 60	--roll-time
kafka-mock	--brokers 3	--broker-count
kafka-mock	--topic t:3	--create-topic
stream-window	--metrics h.jsonl	--health
schema-gen	-z	-c gzip
schema-gen	--gzip	-c gzip
schema-gen	--roll 10	--roll-rows
EOF

# What the renames guard against, and what a bare number means now.
while IFS='	' read -r want n args pat; do
    [ -n "$n" ] || continue
    "$SLUICE_BIN/$n" $args </dev/null >/dev/null 2>"$T/err"
    is "$?" "$want" "$n $args: exit $want"
    like "$(err)" "$pat" "  says: $pat"
done <<'EOF'
2	stream-window	--time t --size 1m --health sum:amount	sum:amount.*-m
2	stream-window	--time t --size 1m --metrics count:x	count:x.*-m
2	kafka-replay	--stdout -t a -t b	one topic
2	sqlite-sink	-D x.db -T t --batch-time 100	unit
2	parquet-sink	-d out --mode append --roll-time 5	unit
2	stream-window	--time t --size 1m --timeout 1x	--timeout
EOF
done_testing
