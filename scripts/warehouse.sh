# scripts/warehouse.sh - what the jobs that load cleanse's dead letters
# into the warehouse share: sourced by scripts/batch-pipeline and
# scripts/ingest-pipeline.  Needs $top, $bin and jq.

# schema_file NAME: the schema's file, a path or a bundled name looked up
# as the programs do (SLUICE_SCHEMAS, then beside the programs); empty
# when there is none.
schema_file() {
    if [ -f "$1" ]; then echo "$1"; return; fi
    for _d in ${SLUICE_SCHEMAS:-} "$bin/../share/sluice/schemas" "$bin/../gen/schemas" \
        "$top/gen/schemas" /usr/local/share/sluice/schemas; do
        [ -f "$_d/$1.json" ] && { echo "$_d/$1.json"; return; }
    done
    :
}

# dead_letters REJECTS FILE BATCH DEAD DUPS: cleanse's --reject lines as
# rows of dead_letter_events (to DEAD) and duplicate_events (to DUPS),
# JSON Lines for sqlite-sink: source (file:line), source_file (FILE, or
# when empty the source's file), line, batch_id (BATCH: a number or
# null); a dead letter's errors and record (or, when it had no names,
# its cells) as JSON text, and raw; a duplicate's key (event_id) and
# record.  Returns non-zero when a step failed.
dead_letters() {
    jq -c --arg f "$2" --argjson b "$3" '
        (.source // "") as $src
        | ([$src | capture(":(?<l>[0-9]+)$")? | .l | tonumber] | .[0]) as $line
        | {source: $src, source_file: (if $f != "" then $f else ($src | sub(":[0-9]+$"; "")) end),
           line: $line}
        + if any(.errors[]; .rule == "duplicate") then
            {t: "dup", event_id: (.record.event_id // null | if . == null then null else tostring end),
             record: (.record | tojson), batch_id: $b}
          else
            {t: "dead", errors: (.errors | tojson),
             record: ((.record // .fields) | if . == null then null else tojson end),
             raw: (.raw // null), batch_id: $b}
          end' "$1" >"$4.all" || return
    # One jq, split by sed: jq takes tens of milliseconds to start.
    sed -n 's/,"t":"dead",/,/p' "$4.all" >"$4" &&
        sed -n 's/,"t":"dup",/,/p' "$4.all" >"$5" &&
        rm -f "$4.all"
}

# sq TEXT: TEXT as an SQL string literal.
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

# move_plan TABLE [DELETE]: SQL that, run against the warehouse with a
# database of a batch's tables attached as s, writes the statements that
# move s.TABLE's rows in: the table made as the copy's when the
# warehouse lacks it, a column it lacks added (both made by SQLite from
# the two definitions, so any name is quoted right), DELETE (a statement
# on main."TABLE", run when the table was there) first, then the rows
# inserted.
move_plan() {
    _t=$(sq "$1")
    _has="EXISTS (SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = $_t)"
    cat <<SQL
SELECT sql || ';' FROM s.sqlite_master WHERE type = 'table' AND name = $_t AND NOT $_has;
SELECT printf('ALTER TABLE main."%w" ADD COLUMN "%w" %s;', $_t, c.name, c.type)
    FROM pragma_table_info($_t, 's') c WHERE $_has
    AND c.name NOT IN (SELECT name FROM pragma_table_info($_t, 'main'));
SQL
    [ -z "${2:-}" ] || echo "SELECT $(sq "$2") WHERE $_has;"
    cat <<SQL
SELECT printf('INSERT INTO main."%w" (%s) SELECT %s FROM s."%w";', $_t, cols, cols, $_t)
    FROM (SELECT group_concat(printf('"%w"', name), ', ') AS cols
    FROM pragma_table_info($_t, 's')) WHERE cols IS NOT NULL;
SQL
}
