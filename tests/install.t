#!/bin/sh
# make install DESTDIR=... PREFIX=/usr: the programs, the man pages and
# the bundled schemas where they belong; the installed programs find
# their schemas (beside them, wherever the tree was put) with no help
# from the environment or the build tree.
. "$SLUICE_TOP/tests/lib.sh"
X=$T/x
# Built in a folder of its own: PREFIX=/usr relinks every program (the
# schemas' folder is compiled in), and bin/ is in use by the other tests.
make -s -j2 -C "$SLUICE_TOP" O="$T/build" B="$T/bin" LIBA="$T/build/libsluice.a" \
    install DESTDIR="$X" PREFIX=/usr >"$T/out" 2>&1
is "$?" 0 "make install DESTDIR=$X PREFIX=/usr: exit 0"
for p in schema-gen kafka-replay kafka-mock cleanse batch-agg stream-window \
    parquet-sink sqlite-sink pg-sink dashboard.cgi; do
    ok "$( [ -x "$X/usr/bin/$p" ]; echo $?)" "usr/bin/$p"
    ok "$( [ -f "$X/usr/share/man/man1/$p.1" ]; echo $?)" "  and usr/share/man/man1/$p.1"
done
ok "$( [ -f "$X/usr/share/man/man5/sluice-schema.5" ] && [ -f "$X/usr/share/man/man7/sluice.7" ]; echo $?)" \
    "sluice-schema(5) and sluice(7)"
is "$(ls "$X/usr/share/sluice/schemas" | tr '\n' ' ')" "$(ls "$SLUICE_TOP/gen/schemas" | tr '\n' ' ')" \
    "the bundled schemas in usr/share/sluice/schemas"
is "$(cmp "$X/usr/share/sluice/warehouse.sql" "$SLUICE_TOP/sink/warehouse.sql" &&
    cmp "$X/usr/share/sluice/warehouse-pg.sql" "$SLUICE_TOP/sink/warehouse-pg.sql" && echo same)" same \
    "the warehouse DDL, SQLite's and PostgreSQL's, in usr/share/sluice"
# From elsewhere, with nothing in the environment pointing at schemas.
cd "$T"
is "$(env -u SLUICE_SCHEMAS "$X/usr/bin/schema-gen" --list | tr '\n' ' ')" \
    "$(ls "$SLUICE_TOP/gen/schemas" | sed 's/\.json$//' | tr '\n' ' ')" "the installed schema-gen lists them"
env -u SLUICE_SCHEMAS "$X/usr/bin/schema-gen" -q ecommerce --per-day 50 --days 1 >"$T/e.csv"
is "$?" 0 "  and generates from one by name"
env -u SLUICE_SCHEMAS "$X/usr/bin/cleanse" -q --schema ecommerce "$T/e.csv" >"$T/c.csv" 2>"$T/err"
is "$?" 0 "the installed cleanse finds --schema ecommerce"
is "$(MANPATH="$X/usr/share/man" man -w stream-window 2>/dev/null)" "$X/usr/share/man/man1/stream-window.1" \
    "man finds the installed pages"
done_testing
