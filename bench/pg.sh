# bench/pg.sh - a throwaway PostgreSQL server for a benchmark (tests/pg.sh's,
# its folder in /dev/shm, removed by pg_bench_down).  Sourced by a .bench's
# setup; PG names it, PGHOST... are exported for psql.  In memory, as
# tests/pg.sh's server runs without fsync: what is timed is the work of
# the client and the server, not the disk's moods (its writeback made
# runs of the same command differ by a third).
pg_bench_up() {
    [ -n "${pg_dir:-}" ] && return 0
    T=$W/pg-tmp
    PG_TMPDIR=/dev/shm
    mkdir -p "$T"
    # shellcheck disable=SC1091
    . "$TOP/tests/pg.sh"
    pg_up >&2
    # pg_up's trap would remove $T alone: the server goes too.
    trap pg_bench_down EXIT
}

pg_bench_down() {
    [ -n "${pg_dir:-}" ] && pg_down
    rm -rf "$W/pg-tmp"
}
