#!/bin/sh
# scripts/cleanup: removes what is under the data folder and recreates its
# skeleton; --dry-run removes nothing; a path outside the folder (by ..,
# by a symbolic link, or absolute) is refused and nothing is removed.
. "$SLUICE_TOP/tests/lib.sh"
C=$SLUICE_TOP/scripts/cleanup
D=$T/data
mkdir -p "$D/input" "$D/output/analysis_csv" "$D/checkpoints/stream" "$T/outside"
touch "$D/input/a.csv" "$D/output/analysis_csv/part.csv" "$D/warehouse.db" "$T/outside/keep"
ln -s ../outside "$D/link"

"$C" --data "$D" --dry-run >"$T/out" 2>&1
is "$?" 2 "something the pipelines do not make (link): refused"
like "$(cat "$T/out")" "link is not something the pipelines make" "  said"
"$C" --data "$D" --dry-run --force >"$T/out" 2>&1
is "$?" 0 "--dry-run --force: exit 0"
is "$(grep -c "^would remove" "$T/out")" 5 "  lists the five entries"
ok "$(( $(find "$D" | wc -l) != 10 ))" "  and removes nothing"

for bad in "$D/../outside/keep" "$D/link/keep" "$T/outside" / "$D"; do
    "$C" --data "$D" --force "$bad" >"$T/out" 2>&1
    is "$?" 2 "outside the data folder: $bad refused (exit 2)"
done
like "$(cat "$T/out")" "outside the data folder" "  said so"
is "$(ls "$T/outside")" keep "  the outside file is still there"
is "$(find "$D" -type f | wc -l | tr -d ' ')" 3 "  and nothing inside went"

"$C" --data "$D" --force "$D/link" "$D/input/a.csv" >"$T/out" 2>&1
is "$?" 0 "paths inside: removed"
ok "$(( $(ls "$T/outside" | wc -l) != 1 ))" "  a symbolic link goes as a link, not what it points to"
ok "$(( $(ls "$D/input" | wc -l) != 0 ))" "  the file is gone"

# What a stream-pipeline stopped before it could tidy leaves is its own.
mkdir "$D/.stream-pipeline.run"
"$C" --data "$D" >"$T/out" 2>&1
is "$?" 0 "everything (a stream-pipeline's run folder among it): exit 0"
is "$(ls "$D" | tr '\n' ' ')" "checkpoints input logs output " "  the skeleton, empty"
is "$(find "$D" -type f | wc -l | tr -d ' ')" 0 "  no file left"
[ ! -e "$D/.stream-pipeline.run" ]
ok $? "  the run folder gone"
"$C" --data / --dry-run >"$T/out" 2>&1   # (--dry-run: nothing goes, whatever)
is "$?" 2 "the root as the data folder: refused"
"$C" --data "$SLUICE_TOP" --force --dry-run >"$T/out" 2>&1
is "$?" 2 "a source tree: refused, even with --force"
# Not while a pipeline runs on it.
touch "$D/.batch-pipeline.lock"
flock "$D/.batch-pipeline.lock" sleep 3 &
holder=$!
sleep 0.5
"$C" --data "$D" >"$T/out" 2>&1
is "$?" 75 "a pipeline holds its lock: exit 75"
is "$(ls "$D" | wc -l | tr -d ' ')" 4 "  nothing removed"
wait $holder
done_testing
