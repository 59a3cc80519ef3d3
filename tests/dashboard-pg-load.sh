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
# The PostgreSQL table is made first with those types, then pg-sink loads
# the same JSONL into it, as a warehouse made by its DDL is loaded (into
# the database PGDATABASE names).

jsonl_of() {
    sqlite3 -json "$1" "SELECT * FROM \"$2\"" | jq -c '.[]'
}

load_both() {
    _wh=$1 _t=$2 _jsonl=$3
    shift 3
    $SLUICE_WRAP "$(prog sqlite-sink)" -q -D "$_wh" -T "$_t" "$_jsonl" || return 1
    _ddl=$(sqlite3 "$_wh" "SELECT '\"' || name || '\" ' || CASE type WHEN 'INTEGER' THEN 'bigint'
        WHEN 'REAL' THEN 'double precision' ELSE 'text' END FROM pragma_table_info('$_t')")
    for _ct in "$@"; do
        _ddl=$(printf '%s\n' "$_ddl" | sed "s/^\"${_ct%%:*}\" .*/\"${_ct%%:*}\" ${_ct#*:}/")
    done
    psql_q "CREATE TABLE \"$_t\" ($(printf '%s\n' "$_ddl" | paste -sd, -))" || return 1
    # SQLite keeps JSON as text, which its JSON Lines carry as a string;
    # a jsonb column takes a JSON value (a string would stay a string).
    _jq=.
    for _ct in "$@"; do
        [ "${_ct#*:}" = jsonb ] &&
            _jq="$_jq | .\"${_ct%%:*}\" |= (if type == \"string\" then fromjson else . end)"
    done
    jq -c "$_jq" "$_jsonl" >"$T/load.jsonl" || return 1
    $SLUICE_WRAP "$(prog pg-sink)" -q -T "$_t" "$T/load.jsonl"
}
