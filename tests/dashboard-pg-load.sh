# shellcheck shell=sh
# tests/dashboard-pg-load.sh - the same data into a SQLite warehouse and
# into PostgreSQL, for tests/dashboard-pg.t.  Source it after lib.sh and
# pg.sh (pg_up done).
#
#   jsonl_of DB TABLE            a table's rows as JSON Lines (sqlite3)
#   load_both WH TABLE JSONL [COL:TYPE...]
#                                the JSONL into WH (sqlite-sink) and into
#                                PostgreSQL's TABLE (in $PGDATABASE), its
#                                columns typed as pg-sink types them:
#                                bigint, double precision and text by
#                                the SQLite column's type, else as said
#                                (NUMERIC(18,2), boolean, date,
#                                timestamptz, jsonb, "SERIAL PRIMARY KEY")
#
# Until pg-sink is here, PostgreSQL is loaded with psql: \copy of the CSV
# sqlite3 writes of what sqlite-sink loaded (NULL unquoted and empty, an
# empty text as ""), so both hold the values sqlite-sink typed.

jsonl_of() {
    sqlite3 -json "$1" "SELECT * FROM \"$2\"" | jq -c '.[]'
}

load_both() {
    _wh=$1 _t=$2 _jsonl=$3
    shift 3
    $SLUICE_WRAP "$(prog sqlite-sink)" -q -d "$_wh" -t "$_t" "$_jsonl" || return 1
    _ddl=$(sqlite3 "$_wh" "SELECT '\"' || name || '\" ' || CASE type WHEN 'INTEGER' THEN 'bigint'
        WHEN 'REAL' THEN 'double precision' ELSE 'text' END FROM pragma_table_info('$_t')")
    for _ct in "$@"; do
        _ddl=$(printf '%s\n' "$_ddl" | sed "s/^\"${_ct%%:*}\" .*/\"${_ct%%:*}\" ${_ct#*:}/")
    done
    psql_q "CREATE TABLE \"$_t\" ($(printf '%s\n' "$_ddl" | paste -sd, -))" || return 1
    _cols=$(sqlite3 "$_wh" "SELECT group_concat('\"' || name || '\"', ',') FROM pragma_table_info('$_t')")
    sqlite3 -csv "$_wh" "SELECT $_cols FROM \"$_t\" ORDER BY rowid" >"$T/load.csv" || return 1
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -c "\\copy \"$_t\" ($_cols) FROM '$T/load.csv' WITH (FORMAT csv)"
}
