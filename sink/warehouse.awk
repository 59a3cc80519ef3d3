# sink/warehouse.awk - the warehouse's DDL in one dialect, from
# sink/warehouse.sql.in: awk -v dialect=sqlite (or pg) -f warehouse.awk.
# make runs it (sink/warehouse.sql, sink/warehouse-pg.sql).  The source:
#
#   @sqlite LINE, @pg LINE   LINE in that dialect only
#   @sqlite, @pg ... @end    the lines between, in that dialect only
#   @text@ @int@ @real@      a column's type, each dialect's word for it:
#   @money@ @time@ @date@    text, integer, floating point, money
#   @flag@ @json@ @jsonb@    (exact), time, date, boolean, JSON kept as
#                            it came, JSON as a value
#   @int(X)                  a comparison X summed as an integer
#   CREATE VIEW V AS         made anew: SQLite drops it first, PostgreSQL
#                            replaces it
#
# Comments after a column stand at the 29th character, whatever the
# length of its type.
BEGIN {
    if (dialect == "sqlite")
        split("TEXT INTEGER REAL REAL TEXT TEXT INTEGER TEXT TEXT", t, " ")
    else if (dialect == "pg")
        split("text bigint double#precision numeric(18,2) timestamptz date boolean json jsonb", t, " ")
    else {
        print "warehouse.awk: dialect must be sqlite or pg" > "/dev/stderr"
        exit 2
    }
    split("text int real money time date flag json jsonb", name, " ")
    for (i = 1; i in name; i++) {
        gsub(/#/, " ", t[i])
        type["@" name[i] "@"] = t[i]
    }
    block = ""
}
/^@(sqlite|pg)$/ { block = substr($0, 2); next }
/^@end$/ { block = ""; next }
block != "" && block != dialect { next }
/^@(sqlite|pg) / {
    tag = substr($0, 2, index($0, " ") - 2)
    if (tag != dialect)
        next
    $0 = substr($0, length(tag) + 3)
}
{
    for (m in type)
        gsub(m, type[m])
    while (match($0, /@int\([^()]*\)/)) {
        x = substr($0, RSTART + 5, RLENGTH - 6)
        $0 = substr($0, 1, RSTART - 1) (dialect == "pg" ? "(" x ")::int" : x) \
            substr($0, RSTART + RLENGTH)
    }
    if (match($0, /^CREATE VIEW [a-z_]+ AS$/)) {
        v = $3
        if (dialect == "pg")
            $0 = "CREATE OR REPLACE VIEW " v " AS"
        else
            print "DROP VIEW IF EXISTS " v ";"
    }
    if (match($0, /^    [^ -].*[^ ] +-- /)) {
        code = substr($0, 1, RLENGTH)
        sub(/ +-- $/, "", code)
        rest = substr($0, RLENGTH - 2)
        $0 = sprintf("%-27s %s", code, rest)
    }
    print
}
