#!/bin/bash
# The layout keeps its layering (docs/ARCHITECTURE.md): every quoted
# #include of the C sources is checked against what may include what.
#   lib/*            the core: lib/ headers only
#   lib/SUB/*        its own folder's headers and the core's
#   a program's folder   its own, the core's, and SUB/x.h of a library
#                    lib/SUB/ it links (its rules.mk names SUB's archive)
# and the database sinks (sink/table.*, sqlite-sink.c, pg-sink.c) reach no
# Parquet header, directly or through sink/'s own headers.
. "$SLUICE_TOP/tests/lib.sh"
cd "$SLUICE_TOP" || exit 1

# The quoted includes of file $1, one a line.
includes() { sed -n 's/^#include "\(.*\)"/\1/p' "$1"; }

# The libraries a folder's rules.mk links: AGG_LIBA -> agg.
links() {
    grep -o '\$([A-Z]*_LIBA)' "$1/rules.mk" 2>/dev/null |
        sed 's/\$(\(.*\)_LIBA)/\1/' | tr 'A-Z' 'a-z' | sort -u
}

bad=""
for f in lib/*.[ch]; do
    for i in $(includes "$f"); do
        [ -f "lib/$i" ] && case $i in */*) false ;; esac ||
            bad="$bad $f:$i"
    done
done
is "$bad" "" "lib/ (the core) includes only its own headers"

subs=$(cd lib && for d in */; do [ -f "$d/rules.mk" ] && echo "${d%/}"; done)
ok "$([ -n "$subs" ]; echo $?)" "lib/ has libraries in folders ($(echo $subs))"
for s in $subs; do
    bad=""
    for f in lib/"$s"/*.[ch]; do
        for i in $(includes "$f"); do
            case $i in */*) bad="$bad $f:$i"; continue ;; esac
            [ -f "lib/$s/$i" ] || [ -f "lib/$i" ] || bad="$bad $f:$i"
        done
    done
    is "$bad" "" "lib/$s/ includes only its own headers and the core's"
done

# The programs' folders: those with a rules.mk, but the tests' and fuzz/.
progs=$(for d in */rules.mk; do d=${d%/rules.mk}; case $d in
    tests | fuzz) ;; *) echo "$d" ;; esac; done)
for dir in $progs; do
    linked=$(links "$dir")
    bad=""
    for f in "$dir"/*.[ch]; do
        [ -f "$f" ] || continue
        for i in $(includes "$f"); do
            case $i in
            */*)
                sub=${i%%/*}
                [ -f "lib/$i" ] && printf '%s\n' $linked | grep -qx "$sub" ||
                    bad="$bad $f:$i"
                ;;
            *)
                [ -f "$dir/$i" ] || [ -f "lib/$i" ] || bad="$bad $f:$i"
                ;;
            esac
        done
    done
    is "$bad" "" "$dir/: its own headers, the core's, its libraries' ($(echo $linked))"
done

# The database sinks and the headers of sink/ they include, transitively.
seen=""
todo="sink/table.c sink/table.h sink/sqlite-sink.c sink/pg-sink.c"
reach=""
while [ -n "$todo" ]; do
    set -- $todo
    f=$1
    shift
    todo="$*"
    case " $seen " in *" $f "*) continue ;; esac
    seen="$seen $f"
    for i in $(includes "$f"); do
        reach="$reach $i"
        [ -f "sink/$i" ] && todo="$todo sink/$i"
    done
done
is "$(printf '%s\n' $reach | grep -c '^parquet/')" 0 \
    "sqlite-sink and pg-sink reach no Parquet header"
# A check that can fail: parquet-sink does reach one.
like "$(includes sink/sink.h)" '^parquet/' "parquet-sink's sink.h does"

done_testing
