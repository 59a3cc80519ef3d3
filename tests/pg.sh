# tests/pg.sh - a throwaway PostgreSQL server for a test.  Source it after
# lib.sh, then:
#
#   pg_up                 initdb into a new folder, start the server on a
#                         Unix socket in that folder and a loopback port;
#                         sets PG (a connection string for the database
#                         "sluice"), PGURI (the same as a URI over TCP, its
#                         password in $PGPASSFILE), PGHOST/PGPORT/PGUSER/
#                         PGDATABASE exported for psql
#   pg_stop [MODE]        stop the server (fast; immediate is a crash)
#   pg_start              start it again
#   pg_down               stop it and remove its folder (on EXIT, too)
#   psql_q SQL            psql, unaligned, no headers: the query's rows
#
# Never the system's cluster: the server is ours, its folder under /tmp
# (traversable by the postgres user: as root, the server runs as it), and
# it goes when the test ends, passed or failed.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
pg_dir=

# As the server's user: postgres when we are root (PostgreSQL will not
# run as root), ourselves otherwise.
_pg_as() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
    pg_dir=$(mktemp -d "${PG_TMPDIR:-/tmp}/sluice-pg.XXXXXX")
    chmod 755 "$pg_dir"
    [ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
    printf 'sluice-test\n' >"$pg_dir/pw"
    _pg_as "$PG_BIN/initdb" -D "$pg_dir/data" -U sluice -E UTF8 \
        --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$pg_dir/pw" >"$pg_dir/initdb.log" 2>&1 ||
        { cat "$pg_dir/initdb.log" >&2; return 1; }
    # Speed over durability: a test's server never outlives its machine.
    cat >>"$pg_dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_dir'
fsync = off
full_page_writes = off
max_connections = 40
EOF
    # A free loopback port: a few tries, the server says when one is taken.
    for _try in 1 2 3 4 5 6 7 8; do
        PGPORT=$(( 20000 + (RANDOM * 7 + $$) % 40000 ))
        sed -i '/^port = /d' "$pg_dir/data/postgresql.conf"
        echo "port = $PGPORT" >>"$pg_dir/data/postgresql.conf"
        pg_start && break
        PGPORT=
    done
    [ -n "$PGPORT" ] || { cat "$pg_dir/log" >&2; return 1; }
    PGHOST=$pg_dir PGUSER=sluice PGDATABASE=sluice
    export PGHOST PGPORT PGUSER PGDATABASE
    "$PG_BIN/createdb" sluice || return 1
    PG="host=$pg_dir port=$PGPORT user=sluice dbname=sluice"
    PGPASSFILE=$T/pgpass
    echo "127.0.0.1:$PGPORT:sluice:sluice:sluice-test" >"$PGPASSFILE"
    chmod 600 "$PGPASSFILE"
    export PGPASSFILE
    PGURI="postgresql://sluice@127.0.0.1:$PGPORT/sluice"
    trap 'pg_down; kill ${mock:-} ${pids:-} 2>/dev/null; rm -rf "$T"' EXIT
}

pg_start() {
    _pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 30 \
        start >/dev/null 2>&1
}

pg_stop() {
    _pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m "${1:-fast}" -w stop \
        >/dev/null 2>&1
}

pg_down() {
    [ -n "$pg_dir" ] || return 0
    pg_stop immediate
    rm -rf "$pg_dir"
    pg_dir=
}

psql_q() {
    "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}
