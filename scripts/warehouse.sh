# shellcheck shell=sh disable=SC2034,SC2154
# scripts/warehouse.sh - what the jobs that load the warehouse share:
# sourced by scripts/batch-pipeline and scripts/ingest-pipeline, and
# through scripts/pipeline.sh by the streaming jobs.  Needs $top, $bin
# and jq.
#
# The warehouse is SQLite, a file of the data folder (the default), or
# PostgreSQL, when WAREHOUSE names a database by a libpq connection
# string or URI.  The jobs talk to it through the wh_ functions below,
# which choose sqlite3 and sqlite-sink, or psql and pg-sink: the jobs'
# SQL is the same where the two dialects agree, and made here where they
# do not.

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
# its cells) as JSON (wh_json: text in SQLite, JSON values for
# PostgreSQL's json columns), and raw; a duplicate's key (event_id) and
# record.  Returns non-zero when a step failed.
dead_letters() {
    jq -c --arg f "$2" --argjson b "$3" "$(wh_json)"'
        (.source // "") as $src
        | ([$src | capture(":(?<l>[0-9]+)$")? | .l | tonumber] | .[0]) as $line
        | {source: $src, source_file: (if $f != "" then $f else ($src | sub(":[0-9]+$"; "")) end),
           line: $line}
        + if any(.errors[]; .rule == "duplicate") then
            {t: "dup", event_id: (.record.event_id // null | if . == null then null else tostring end),
             record: (.record | j), batch_id: $b}
          else
            {t: "dead", errors: (.errors | j),
             record: ((.record // .fields) | if . == null then null else j end),
             raw: (.raw // null), batch_id: $b}
          end' "$1" >"$4.all" || return
    # One jq, split by sed: jq takes tens of milliseconds to start.
    sed -n 's/,"t":"dead",/,/p' "$4.all" >"$4" &&
        sed -n 's/,"t":"dup",/,/p' "$4.all" >"$5" &&
        rm -f "$4.all"
}

# wh_json: a jq function j, a JSON value as the warehouse's sink takes
# it for a JSON column: its text in SQLite, itself for PostgreSQL.
wh_json() {
    if [ "${wh:-sqlite}" = pg ]; then echo 'def j: .;'; else echo 'def j: tojson;'; fi
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

# --- The warehouse: SQLite, or PostgreSQL with WAREHOUSE ---------------------------
# wh_init DB: the warehouse the job writes: WAREHOUSE when set (a libpq
# connection string, host=... dbname=..., or a URI, postgresql://...),
# else DB, a SQLite file.  Sets wh (sqlite or pg), wh_dest (the
# database, as the sinks' -d takes it), wh_sink (the sink), wh_label
# (SQLite, PostgreSQL), wh_name (for messages: the file, or the
# connection string less any password) and wh_tab (SQL for a tab).
# Exits 2 when WAREHOUSE is something else.
wh_init() {
    case ${WAREHOUSE:-} in
    '')
        wh=sqlite wh_dest=$1 wh_sink=$bin/sqlite-sink wh_label=SQLite wh_name=$1
        wh_tab="char(9)" ;;
    postgres://* | postgresql://* | *=*)
        wh=pg wh_dest=$WAREHOUSE wh_sink=$bin/pg-sink wh_label=PostgreSQL wh_tab="chr(9)"
        wh_name=$(printf '%s' "$WAREHOUSE" | sed -e 's#^\(postgres[a-z]*://[^:@/]*\):[^@/]*@#\1@#' \
            -e 's/\([?&]\)password=[^&]*&\{0,1\}/\1/g' -e 's/[?&]$//' \
            -e "s/ *password *= *\('[^']*'\|[^ ]*\)//g") ;;
    *)
        echo "$me: WAREHOUSE must be a PostgreSQL connection string or URI (host=... dbname=..., postgresql://...); unset, the warehouse is $1" >&2
        exit 2 ;;
    esac
}

# wh_sql [SQL]: run SQL (the argument, else stdin) in the warehouse,
# stopping at the first error (exit non-zero; a transaction not
# committed is rolled back); rows out as sqlite3 prints them: columns
# apart by |, no header, NULL as nothing.  SQLite waits for another
# writer as the sinks do.
wh_sql() {
    if [ "$wh" = pg ]; then
        psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$wh_dest" ${1:+-c "$1"}
    else
        sqlite3 -bail -cmd ".timeout 10000" "$wh_dest" "$@"
    fi
}

# wh_has_table TABLE: the warehouse has TABLE.
wh_has_table() {
    if [ "$wh" = pg ]; then
        [ "$(wh_sql "SELECT to_regclass($(sq "\"$1\"")) IS NOT NULL")" = t ]
    else
        [ -n "$(wh_sql "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $(sq "$1")")" ]
    fi
}

# wh_setup WORK: the warehouse DDL (sink/warehouse.sql, or
# sink/warehouse-pg.sql) applied, its tables and views made where
# missing; a table from before missing some of their columns gets them
# first (its rows kept).  WORK is a folder for what it needs aside.
# Returns non-zero when the warehouse refused.
wh_setup() {
    if [ "$wh" = pg ]; then
        # The definitions made first as temporary tables, compared with
        # the warehouse's, then dropped; all in one transaction, one
        # setup at a time.
        {
            echo "SET client_min_messages = warning;"
            echo "BEGIN;"
            echo "SELECT pg_advisory_xact_lock(hashtext('sluice warehouse-pg.sql'));"
            echo "SET LOCAL search_path = pg_temp;"
            cat "$top/sink/warehouse-pg.sql"
            cat <<'SQL'
RESET search_path;
DO $widen$
DECLARE c record;
BEGIN
    FOR c IN SELECT r.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS ty
        FROM pg_class r JOIN pg_attribute a ON a.attrelid = r.oid
        JOIN pg_class w ON w.relname = r.relname AND w.relkind IN ('r', 'p')
            AND w.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
        WHERE r.relnamespace = pg_my_temp_schema() AND r.relkind = 'r'
            AND a.attnum > 0 AND NOT a.attisdropped
            AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = w.oid
                AND b.attname = a.attname AND NOT b.attisdropped)
        ORDER BY r.relname, a.attnum
    LOOP
        EXECUTE format('ALTER TABLE %I.%I ADD COLUMN %I %s', current_schema(),
            c.relname, c.attname, c.ty);
    END LOOP;
END
$widen$;
DISCARD TEMP;
SQL
            cat "$top/sink/warehouse-pg.sql"
            echo "COMMIT;"
        } | wh_sql >/dev/null
    else
        sqlite3 -bail "$1/ref.db" <"$top/sink/warehouse.sql" >/dev/null &&
            wh_sql "ATTACH $(sq "$1/ref.db") AS r;
            SELECT printf('ALTER TABLE main.\"%w\" ADD COLUMN \"%w\" %s;', t.name, c.name, c.type)
            FROM r.sqlite_master t, pragma_table_info(t.name, 'r') c
            WHERE t.type = 'table' AND t.name IN (SELECT name FROM main.sqlite_master WHERE type = 'table')
            AND c.name NOT IN (SELECT name FROM pragma_table_info(t.name, 'main'));" >"$1/widen.sql" &&
            wh_sql <"$1/widen.sql" && wh_sql <"$top/sink/warehouse.sql" >/dev/null
    fi
}

# wh_summaries WORK: the batch view's summaries made for batch_daily as
# it is now: the script the DDL's view batch_daily_rollup_sql gives (in
# one transaction, batch_daily_by_date and batch_daily_by_dim filled
# from its rows, the triggers that keep them made, its columns
# recorded), none when batch_daily lacks a date, a revenue or a
# dimension column.  WORK is a folder for the script.  Returns non-zero
# when the warehouse refused.
wh_summaries() {
    wh_sql "SELECT sql FROM batch_daily_rollup_sql" >"$1/summaries.sql" &&
        wh_sql <"$1/summaries.sql" >/dev/null
}

# A stage: where a job loads a batch's tables before they move into the
# warehouse in one transaction.  SQLite: a database file of its own;
# PostgreSQL: a schema of the warehouse (the role needs CREATE on the
# database), dropped in the transaction that moves its rows in.
#
# wh_stage_name WORK: a new stage's name: WORK/stage.db, or a schema
# sluice_stage_ and 12 random hex digits (jobs on several machines may
# share one warehouse).
wh_stage_name() {
    if [ "$wh" = pg ]; then
        echo "sluice_stage_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    else
        echo "$1/stage.db"
    fi
}

# wh_stage_make STAGE WORK DDL_TABLES WH_TABLES: make the stage STAGE
# (empty) with the warehouse's tables WH_TABLES (those it has) and,
# SQLite, the DDL_TABLES as sink/warehouse.sql makes them (on
# PostgreSQL, wh_setup made those in the warehouse: name them in
# WH_TABLES); their columns, types and checks, and their unique keys on
# PostgreSQL, so a row the warehouse would refuse is refused there.
wh_stage_make() {
    if [ "$wh" = pg ]; then
        wh_stage_drop "$1" || return
        {
            echo "SET client_min_messages = warning;"
            echo "BEGIN;"
            echo "CREATE SCHEMA \"$1\";"
            for _t in $4; do
                echo "SELECT format('CREATE TABLE %I.%I (LIKE %s INCLUDING CONSTRAINTS INCLUDING INDEXES)',"
                echo "    $(sq "$1"), $(sq "$_t"), to_regclass($(sq "\"$_t\""))) WHERE to_regclass($(sq "\"$_t\"")) IS NOT NULL \\gexec"
            done
            echo "COMMIT;"
        } | wh_sql >/dev/null
    else
        rm -f "$1" &&
            sqlite3 -bail "$2/ref.db" <"$top/sink/warehouse.sql" >/dev/null &&
            sqlite3 -bail "$2/ref.db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'table'
                AND name IN ($(wh_list "$3"))" >"$2/tables.sql" || return
        if [ -s "$wh_dest" ]; then
            wh_sql "SELECT sql || ';' FROM sqlite_master WHERE type = 'table'
                AND name IN ($(wh_list "$4"))" >>"$2/tables.sql" || return
        fi
        sqlite3 -bail "$1" <"$2/tables.sql"
    fi
}

# wh_list WORDS: the words as a list of SQL strings ('a', 'b'; '' for none).
wh_list() {
    _l=
    for _w in $1; do _l="$_l${_l:+, }$(sq "$_w")"; done
    echo "${_l:-''}"
}

# wh_stage_drop STAGE: PostgreSQL: drop the stage schema, if there is one
# (a job's own, left by a run that was killed).
wh_stage_drop() {
    [ "$wh" = pg ] || return 0
    case $1 in sluice_stage_*) ;; *) return 1 ;; esac
    wh_sql "SET client_min_messages = warning; DROP SCHEMA IF EXISTS \"$1\" CASCADE" >/dev/null
}

# wh_stage_sink STAGE SINK-OPTIONS... [FILE...]: the sink, writing into
# the stage.  On PostgreSQL the stage schema is pg-sink's search_path
# (PGOPTIONS).
wh_stage_sink() {
    _s=$1
    shift
    if [ "$wh" = pg ]; then
        PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c search_path=$_s" "$wh_sink" -D "$wh_dest" "$@"
    else
        "$wh_sink" -D "$_s" "$@"
    fi
}

# wh_stage_table STAGE TABLE: the stage's table, in SQL, within the
# transaction wh_move_begin starts.
wh_stage_table() {
    if [ "$wh" = pg ]; then echo "\"$1\".\"$2\""; else echo "s.\"$2\""; fi
}

# wh_stage_sql STAGE SQL: run SQL in the stage (its tables by their
# names), rows out as wh_sql's.
wh_stage_sql() {
    if [ "$wh" = pg ]; then
        PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c search_path=$1" wh_sql "$2"
    else
        sqlite3 -bail "$1" "$2"
    fi
}

# The move: wh_move_begin STAGE [EXTRA], then wh_move STAGE TABLE
# [WHERE] for each table, then wh_move_end STAGE print the SQL (run with
# wh_sql) of one transaction that moves the stage's tables into the
# warehouse: a table made as the stage's when the warehouse lacks it, a
# column it lacks added, with WHERE (a clause, or empty for all) its rows
# deleted when it was there, then the stage's rows inserted; on PostgreSQL the stage schema
# dropped.  wh_move_begin's EXTRA (SQL) runs on the stage before the
# transaction.  Returns non-zero when a step failed; wh_moves FILE counts
# the tables a load moves.
wh_move_begin() {
    if [ "$wh" = pg ]; then
        echo "SET client_min_messages = warning;"
        echo "BEGIN;"
        [ -z "${2:-}" ] || echo "$2"
    else
        echo "ATTACH $(sq "$1") AS s;"
        [ -z "${2:-}" ] || echo "$2"
        echo "BEGIN IMMEDIATE;"
    fi
}
wh_move() {
    if [ "$wh" = pg ]; then
        cat <<SQL
-- move $2
DO \$move\$
DECLARE
    s text := $(sq "$1");
    t text := $(sq "$2");
    w text := current_schema();
    st regclass := to_regclass(format('%I.%I', s, t));
    wt regclass := to_regclass(format('%I.%I', w, t));
    c record;
    cols text;
BEGIN
    IF wt IS NULL AND st IS NOT NULL THEN
        EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING CONSTRAINTS INCLUDING INDEXES)', w, t, st);
    ELSIF wt IS NOT NULL THEN
        FOR c IN SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS ty
            FROM pg_attribute a WHERE a.attrelid = st AND a.attnum > 0 AND NOT a.attisdropped
            AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = wt
                AND b.attname = a.attname AND NOT b.attisdropped)
            ORDER BY a.attnum
        LOOP
            EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', wt, c.attname, c.ty);
        END LOOP;
SQL
        [ $# -lt 3 ] || echo "        EXECUTE format('DELETE FROM %s ', wt) || $(sq "$3");"
        cat <<SQL
    END IF;
    IF st IS NOT NULL THEN
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
            FROM pg_attribute WHERE attrelid = st AND attnum > 0 AND NOT attisdropped;
        EXECUTE format('INSERT INTO %I.%I (%s) SELECT %s FROM %s', w, t, cols, cols, st);
    END IF;
END
\$move\$;
SQL
    else
        {
            echo "ATTACH $(sq "$1") AS s;"
            if [ $# -ge 3 ]; then move_plan "$2" "DELETE FROM main.\"$2\" $3;"; else move_plan "$2"; fi
        } | wh_sql
    fi
}
wh_move_end() {
    if [ "$wh" = pg ]; then
        echo "DROP SCHEMA \"$1\" CASCADE;"
    fi
    echo "COMMIT;"
}
wh_moves() {
    if [ "$wh" = pg ]; then
        grep -c '^-- move ' "$1"
    else
        grep -c '^INSERT INTO main\.' "$1"
    fi
}
