# scripts/counts.sh - the chain of counts the pipelines print when they
# stop: sourced by scripts/batch-pipeline and scripts/stream-pipeline.
# Each program of a pipeline writes its counts with --stats FILE (one
# JSON object, read here with jq) as $stats/NAME.json; the pipeline
# says each step's "in = out + the rest" with step, and the chain
# closes when every step does.  Needs say() and sets closed=0 when a
# step does not close.

# n NAME KEY: a count from $stats/NAME.json (0 when it has none).  jq
# reads each file once, into $stats/NAME.counts (KEY=VALUE lines): it
# takes tens of milliseconds to start, and a chain asks for some twenty
# counts.
n() {
    if [ ! -e "$stats/$1.counts" ]; then
        if [ -s "$stats/$1.json" ]; then
            jq -r 'to_entries[] | select(.value | type == "number")
                | "\(.key)=\(.value)"' "$stats/$1.json" >"$stats/$1.counts"
        else
            : >"$stats/$1.counts"
        fi
    fi
    _v=$(sed -n "s/^$2=//p" "$stats/$1.counts")
    echo "${_v:-0}"
}

# lag_by NAME: the partitions stream-window left messages in ("events[1]
# 5, events[2] ?"), as it asked Kafka at the end; empty when none.
lag_by() {
    [ -s "$stats/$1.json" ] || return 0
    jq -r '[.left_by_partition // {} | to_entries[] | select(.value != 0)
        | "\(.key) \(.value // "?")"] | join(", ")' "$stats/$1.json"
}

# step NAME TOTAL TEXT SUM: say "NAME: TEXT", and note when TOTAL, what
# came in, is not SUM, what went out and aside.
step() {
    if [ "$2" = "$4" ]; then
        say "  $1: $3"
    else
        say "  $1: $3: DOES NOT CLOSE, $(($2 - $4)) unaccounted for"
        closed=0
    fi
}
