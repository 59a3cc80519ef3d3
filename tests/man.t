#!/bin/bash
# The man pages: lint clean, one per program, and their EXAMPLES run (so
# the documentation cannot drift from the programs).
. "$SLUICE_TOP/tests/lib.sh"
. "$SLUICE_TOP/tests/pg.sh"
MAN=$SLUICE_TOP/man
# A PostgreSQL server for pg-sink's examples (the PG* variables name it).
pg_up

for page in "$MAN"/*.[1-9]; do
    name=$(basename "$page")
    # STYLE-level notes about pages not installed yet are left out.
    out=$(mandoc -Tlint -W warning "$page" 2>&1)
    is "$out" "" "$name: mandoc -Tlint finds nothing"
done
# The sections every page has, the file format's and the overview's too.
want="NAME SYNOPSIS DESCRIPTION OPTIONS EXIT_STATUS ENVIRONMENT EXAMPLES SEE_ALSO"
for page in "$MAN"/*.[1-9]; do
    name=$(basename "$page")
    missing=""
    for sec in $want; do
        grep -q "^\.Sh $(echo $sec | tr _ ' ')\$" "$page" || missing="$missing $sec"
    done
    is "$missing" "" "$name: has $(echo $want | tr ' _' ', ')"
done
for p in "$SLUICE_BIN"/*; do
    [ -x "$p" ] || continue
    n=$(basename "$p")
    ok "$(ls "$MAN/$n".[1-9] >/dev/null 2>&1; echo $?)" "$n has a man page"
done

# Each literal block of EXAMPLES is a shell script: run it in a scratch
# folder with the programs on PATH; it must succeed.
for page in "$MAN"/*.[1-9]; do
    name=$(basename "$page")
    awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
        on && /^\.Bd -literal/ { inb = 1; n++; next }
        on && /^\.Ed/ { inb = 0; next }
        on && inb { gsub(/\\e/, "\\"); gsub(/\\\(dq/, "\""); print > (dir "/ex" n ".sh") }' \
        dir="$T" "$page"
    for ex in "$T"/ex*.sh; do
        [ -f "$ex" ] || continue
        mkdir -p "$T/run"
        (cd "$T/run" && PATH="$SLUICE_BIN:$PATH" sh -e "$ex") >"$T/exout" 2>&1
        rc=$?
        ok $rc "$name: example $(basename "$ex" .sh) runs: $(head -c 60 "$ex" | head -n 1)"
        [ $rc -eq 0 ] || sed 's/^/#   /' "$T/exout" >&2
        rm -rf "$T/run" "$ex"
    done
done
done_testing
