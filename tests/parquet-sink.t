#!/bin/sh
# parquet-sink: every type, nulls in each, unicode, empty and long
# strings, 0 and 1 rows, many row groups, many partitions, each codec;
# every file read back by DuckDB and by hyparquet (a second, independent
# reader) and compared value by value; metadata as DuckDB sees it;
# overwrite, append, rolling, rejects, and a SIGKILL mid-run.
. "$SLUICE_TOP/tests/lib.sh"
SG=$(prog schema-gen)
DUCK=$SLUICE_TOP/scripts/duckdb
READ=$SLUICE_TOP/scripts/parquet-read
"$DUCK" --install || { echo "Bail out! no DuckDB"; exit 1; }
"$READ" --install || { echo "Bail out! no hyparquet"; exit 1; }

# --- Every type, by hand ----------------------------------------------------
long=$(awk 'BEGIN { for (i = 0; i < 5000; i++) printf "%c", 97 + i % 26 }')
cat >"$T/types.json" <<'END'
{"name": "types", "fields": [
  {"name": "s", "gen": "uuid"},
  {"name": "i", "type": "int", "gen": "sequence"},
  {"name": "f", "type": "float", "gen": "uniform", "min": 0, "max": 1},
  {"name": "d", "type": "decimal", "gen": "uniform", "min": 0, "max": 1},
  {"name": "b", "type": "bool", "gen": "bool"},
  {"name": "dt", "type": "date", "gen": "time"},
  {"name": "ts", "type": "timestamp", "gen": "time"}]}
END
{
    echo 's,i,f,d,b,dt,ts'
    echo 'plain,1,0.1,12.50,true,2025-01-15,2025-01-15T10:30:00.123Z'
    echo '"",-9223372036854775808,-2.5,-0.05,false,1970-01-01,1970-01-01T00:00:00Z'
    echo 'héllo ✓ 日本,9223372036854775807,1e300,99999999.99,TRUE,2099-12-31,2099-12-31T23:59:59.999Z'
    echo '"comma, ""quote""",0,0,0,0,1969-12-31,1969-12-31T23:59:59Z'
    echo ',,,,,,'
    echo "$long,42,3.14159,1.5,1,2000-02-29,2000-02-29T12:00:00+05:30"
} >"$T/types.csv"
cat >"$T/types-want.jsonl" <<END
{"s":"plain","i":"1","f":0.1,"d":"12.50","b":true,"dt":"2025-01-15","ts":"2025-01-15T10:30:00.123Z"}
{"s":"","i":"-9223372036854775808","f":-2.5,"d":"-0.05","b":false,"dt":"1970-01-01","ts":"1970-01-01T00:00:00.000Z"}
{"s":"héllo ✓ 日本","i":"9223372036854775807","f":1e+300,"d":"99999999.99","b":true,"dt":"2099-12-31","ts":"2099-12-31T23:59:59.999Z"}
{"s":"comma, \\"quote\\"","i":"0","f":0,"d":"0.00","b":false,"dt":"1969-12-31","ts":"1969-12-31T23:59:59.000Z"}
{"s":null,"i":null,"f":null,"d":null,"b":null,"dt":null,"ts":null}
{"s":"$long","i":"42","f":3.14159,"d":"1.50","b":true,"dt":"2000-02-29","ts":"2000-02-29T06:30:00.000Z"}
END
# DuckDB reads the CSV with the same types: the oracle for its own
# reading of the Parquet file.
canon="SELECT s, i::VARCHAR AS i, f::VARCHAR AS f, d::VARCHAR AS d, b::VARCHAR AS b,
    dt::VARCHAR AS dt, strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts"
"$DUCK" "SET TimeZone = 'UTC'" "$canon FROM read_csv('$T/types.csv', header = true,
    allow_quoted_nulls = false, columns = {'s': 'VARCHAR', 'i': 'BIGINT', 'f': 'DOUBLE',
    'd': 'DECIMAL(18,2)', 'b': 'BOOLEAN', 'dt': 'DATE', 'ts': 'TIMESTAMPTZ'})" >"$T/types-duck-want.jsonl"
for codec in snappy zstd gzip none; do
    run parquet-sink --schema "$T/types.json" -c "$codec" -o "$T/types-$codec.parquet" "$T/types.csv"
    is "$rc:$(err)" "0:parquet-sink: 6 in, 6 out, 0 rejected, 0 duplicates, 0 filtered, 6 written, 1 files, $(sed -n 's/.*files, //p' "$T/err")" \
        "$codec: written"
    "$DUCK" "SET TimeZone = 'UTC'" "$canon FROM '$T/types-$codec.parquet'" >"$T/got.jsonl"
    is_file "$T/got.jsonl" "$T/types-duck-want.jsonl" \
        "$codec: DuckDB reads every value as it reads the CSV (every type, nulls, unicode, \"\", 5000 bytes)"
    "$READ" "$T/types-$codec.parquet" >"$T/got2.jsonl"
    is_file "$T/got2.jsonl" "$T/types-want.jsonl" "$codec: hyparquet reads the same values"
done
got=$("$DUCK" "SELECT string_agg(column_name || ' ' || column_type, ', ') AS t FROM (DESCRIBE SELECT * FROM '$T/types-zstd.parquet')")
is "$got" '{"t":"s VARCHAR, i BIGINT, f DOUBLE, d DECIMAL(18,2), b BOOLEAN, dt DATE, ts TIMESTAMP WITH TIME ZONE"}' \
    "the schema's types: STRING, INT64, DOUBLE, DECIMAL, BOOLEAN, DATE, TIMESTAMP(UTC)"
got=$("$DUCK" "SELECT string_agg(path_in_schema || ':' || compression || ':' || stats_null_count || ':' ||
    coalesce(stats_min_value, '-') || '..' || coalesce(stats_max_value, '-'), ' | ' ORDER BY column_id) AS m
  FROM parquet_metadata('$T/types-zstd.parquet') WHERE path_in_schema <> 's'")
is "$got" '{"m":"i:ZSTD:1:-9223372036854775808..9223372036854775807 | f:ZSTD:1:-2.5..1e+300 | d:ZSTD:1:-0.05..99999999.99 | b:ZSTD:1:false..true | dt:ZSTD:1:1969-12-31..2099-12-31 | ts:ZSTD:1:1969-12-31 23:59:59+00..2099-12-31 23:59:59.999+00"}' \
    "statistics: null count, min and max of every column, and the codec"
got=$("$DUCK" "SELECT created_by FROM parquet_file_metadata('$T/types-zstd.parquet')")
like "$got" '"created_by":"parquet-sink version [0-9.]+ \(build sluice\)"' "created_by names sluice"
got=$("$DUCK" "SELECT count(*) AS n FROM '$T/types-zstd.parquet' WHERE s IS NULL")
is "$got" '{"n":"1"}' "IS NULL finds the null (null counts are right, so pruning is)"

# --- 0 rows, 1 row ------------------------------------------------------------
head -n 1 "$T/types.csv" >"$T/empty.csv"
run parquet-sink --schema "$T/types.json" -o "$T/empty.parquet" "$T/empty.csv"
got=$("$DUCK" "SELECT count(*) AS n, (SELECT count(*) FROM (DESCRIBE SELECT * FROM '$T/empty.parquet')) AS cols FROM '$T/empty.parquet'")
is "$got" '{"n":"0","cols":"7"}' "0 rows: a valid file with the header's 7 columns"
is "$("$READ" "$T/empty.parquet" | wc -l)" 0 "which hyparquet reads as empty too"
head -n 2 "$T/types.csv" >"$T/one.csv"
run parquet-sink -o "$T/one.parquet" "$T/one.csv"
is "$("$READ" "$T/one.parquet")" '{"s":"plain","i":"1","f":0.1,"d":12.5,"b":true,"dt":"2025-01-15","ts":"2025-01-15T10:30:00.123Z"}' \
    "1 row, no schema: types inferred (int, float, bool, date, timestamp)"

# --- Pages: a chunk of 6 MB goes out as pages of about 1 MiB ---------------------
awk 'BEGIN { print "id,s"; for (i = 0; i < 3000; i++) { printf "%d,", i;
    for (k = 0; k < 2000; k++) printf "%c", 97 + (i + k) % 26; print "" } }' >"$T/wide.csv"
run parquet-sink -c none -o "$T/wide.parquet" "$T/wide.csv"
got=$("$DUCK" "SELECT count(*) AS n, sum(length(s)) AS bytes, count(DISTINCT s) AS d FROM '$T/wide.parquet'")
is "$got" '{"n":"3000","bytes":"6000000","d":"26"}' "a 6 MB chunk in several pages: every value read back"
is "$("$READ" "$T/wide.parquet" | wc -l | tr -d ' ')" 3000 "and hyparquet reads them all"
is "$(sed -n 's/.*/&/p' "$T/wide.csv" | tail -n +2 | cut -d, -f2 | md5sum)" \
    "$("$DUCK" "SELECT s FROM '$T/wide.parquet'" | sed 's/^{"s":"//; s/"}$//' | md5sum)" "in order, byte for byte"

# --- Edge cases: no columns, everything rejected, schema fields, strays -------------
printf 'p\na\nb\n' >"$T/ponly.csv"
run parquet-sink -d "$T/ponly" -p p "$T/ponly.csv"
like "$rc:$(err)" "^1:parquet-sink: no columns to write: the only field is the partition column" \
    "only the partition column: an error, not a file readers refuse"
: >"$T/nothing.csv"
run parquet-sink -o "$T/nothing.parquet" "$T/nothing.csv"
is "$rc" 1 "no header, no records, no schema: no columns, an error"
printf 'i\nx\ny\n' >"$T/allbad.csv"
cat >"$T/ionly.json" <<'END'
{"fields": [{"name": "i", "type": "int", "gen": "sequence"}]}
END
run parquet-sink --schema "$T/ionly.json" -o "$T/allbad.parquet" "$T/allbad.csv"
is "$rc:$("$DUCK" "SELECT count(*) AS n FROM '$T/allbad.parquet'")" '0:{"n":"0"}' \
    "every record rejected: still a file, of 0 rows"
cat >"$T/ab.json" <<'END'
{"fields": [{"name": "a", "type": "int", "gen": "sequence"}, {"name": "b", "type": "int", "gen": "sequence"}]}
END
printf '{"a":1}\n{"a":2,"b":7}\n{"a":3,"c":9}\n' >"$T/ab.jsonl"
run parquet-sink --schema "$T/ab.json" --reject "$T/ab-rej.jsonl" -o "$T/ab.parquet" "$T/ab.jsonl"
is "$("$DUCK" "SELECT string_agg(a || ':' || coalesce(b::VARCHAR, 'null'), ' ' ORDER BY a) AS r FROM '$T/ab.parquet'")" \
    '{"r":"1:null 2:7"}' "the schema's fields are the columns, though the first record lacks one"
like "$(cat "$T/ab-rej.jsonl")" '"rule":"column","message":"field \\"c\\" is not one of the file' \
    "a field with no column: the record rejected, not the value dropped"

# --- Many row groups, the retail schema, DuckDB against the CSV --------------
$SLUICE_WRAP "$SG" -q retail --per-day 2500 --days 2 >"$T/retail.csv"
run parquet-sink --schema retail --row-group-rows 700 -c zstd -o "$T/retail.parquet" "$T/retail.csv"
got=$("$DUCK" "SELECT count(DISTINCT row_group_id) AS groups, max(row_group_num_rows) AS most FROM parquet_metadata('$T/retail.parquet')")
is "$got" '{"groups":"8","most":"700"}' "5000 rows in row groups of 700: 8 of them"
cmp_sql="WITH a AS (SELECT order_id, order_date, store_id, store_city, product, quantity,
    unit_price::DECIMAL(18,2) AS unit_price, amount::DECIMAL(18,2) AS amount FROM read_csv('$T/retail.csv')),
  b AS (SELECT * FROM '$T/retail.parquet')
  SELECT (SELECT count(*) FROM a) AS n, (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)) AS missing,
    (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a)) AS extra"
is "$("$DUCK" "$cmp_sql")" '{"n":"5000","missing":"0","extra":"0"}' "every row the same as the CSV's, across row groups"
got=$("$DUCK" "SELECT DISTINCT path_in_schema || ':' || encodings AS e FROM parquet_metadata('$T/retail.parquet')
  WHERE path_in_schema IN ('store_city', 'order_id') ORDER BY 1")
is "$(printf '%s\n' "$got" | tr '\n' ' ')" '{"e":"order_id:PLAIN, RLE"} {"e":"store_city:PLAIN, RLE, RLE_DICTIONARY"} ' \
    "dictionary where it pays (a city), plain where it does not (unique ids)"
"$READ" "$T/retail.parquet" >"$T/retail-hyp.jsonl"
"$DUCK" "SELECT * FROM read_csv('$T/retail.csv', columns = {'order_id': 'VARCHAR', 'order_date': 'DATE',
    'store_id': 'VARCHAR', 'store_city': 'VARCHAR', 'product': 'VARCHAR', 'quantity': 'BIGINT',
    'unit_price': 'DECIMAL(18,2)', 'amount': 'DECIMAL(18,2)'})" >"$T/retail-want.jsonl"
is_file "$T/retail-hyp.jsonl" "$T/retail-want.jsonl" \
    "hyparquet reads all 8 row groups, every value as DuckDB reads the CSV ($(wc -l <"$T/retail-hyp.jsonl") rows)"

# --- Partitions ------------------------------------------------------------------
run parquet-sink --schema retail -d "$T/lake" -p store_city "$T/retail.csv"
nparts=$(ls "$T/lake" | wc -l)
ok "$(( nparts >= 5 ? 0 : 1 ))" "one folder a city ($nparts)"
got=$("$DUCK" "SELECT count(*) AS n FROM (DESCRIBE SELECT * FROM read_parquet('$T/lake/*/*.parquet',
    hive_partitioning = false)) WHERE column_name = 'store_city'")
is "$got" '{"n":"0"}' "the partition column is kept out of the files"
part_sql="WITH a AS (SELECT order_id, store_city, amount::DECIMAL(18,2) AS amount FROM read_csv('$T/retail.csv')),
  b AS (SELECT order_id, store_city, amount FROM read_parquet('$T/lake/**/*.parquet', hive_partitioning = true))
  SELECT (SELECT count(*) FROM b) AS n, (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)) AS diff"
is "$("$DUCK" "$part_sql")" '{"n":"5000","diff":"0"}' "DuckDB reads the partitions back as one table, city from the path"
printf 'k,v\na/b,1\n,2\n100%%,3\nx y,4\n' >"$T/odd.csv"
run parquet-sink -d "$T/odd" -p k "$T/odd.csv"
is "$(cd "$T/odd" && ls | sort | tr '\n' ' ')" 'k=100%25 k=__HIVE_DEFAULT_PARTITION__ k=a%2Fb k=x y ' \
    "partition values percent-encoded; a null is __HIVE_DEFAULT_PARTITION__"
got=$("$DUCK" "SELECT string_agg(coalesce(k, 'NULL') || '=' || v, ' ' ORDER BY v) AS r FROM read_parquet('$T/odd/**/*.parquet', hive_partitioning = true)")
is "$got" '{"r":"a/b=1 NULL=2 100%=3 x y=4"}' "and DuckDB decodes them"
# "" as null (a folder "k=" is refused by Spark), ".." as a name like any
# other; a value too long for a folder name is a bad record, not the end.
long=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "x" }')
printf '{"k":"","v":1}\n{"k":"..","v":2}\n{"k":"%s","v":3}\n{"k":".","v":4}\n' "$long" >"$T/odd.jsonl"
run parquet-sink --reject "$T/odd-rej.jsonl" -d "$T/odd2" -p k "$T/odd.jsonl"
is "$rc:$(cd "$T/odd2" && ls | sort | tr '\n' ' ')" '0:k=. k=.. k=__HIVE_DEFAULT_PARTITION__ ' \
    "an empty value is __HIVE_DEFAULT_PARTITION__, as Spark and Hive write it"
like "$(err)" '4 in, 3 out, 1 rejected, 0 duplicates, 0 filtered, 3 written' "a value too long for a folder name: the record rejected, the rest written"
like "$(cat "$T/odd-rej.jsonl")" '"rule":"partition","message":"the partition value makes a folder name of 302 bytes' \
    "  with its reason"
got=$("$DUCK" "SELECT string_agg(coalesce(k, 'NULL') || '=' || v, ' ' ORDER BY v) AS r FROM read_parquet('$T/odd2/**/*.parquet', hive_partitioning = true)")
is "$got" '{"r":"NULL=1 ..=2 .=4"}' "DuckDB reads __HIVE_DEFAULT_PARTITION__ back as NULL"
run parquet-sink -d "$T/odd3" -p "$long" "$T/odd.jsonl"
like "$rc:$(err)" "^2:.*-p: the column's name makes folder names too long" "a partition column whose name cannot make a folder: a usage error"

# --- More partitions than files can be open -----------------------------------------
# 1100 days under a limit of 64 open files: the least recently used file
# is finished and the partition's later rows go into a new part file.
# days N: three rows a day for N days, the days taking turns.
days() {
    awk -v n="$1" 'BEGIN { print "day,v"; for (r = 0; r < 3; r++) for (i = 0; i < n; i++)
        printf "%s,%d\n", strftime("%Y-%m-%d", 1577880000 + i * 86400, 1), i * 10 + r }'
}
days 1100 >"$T/days.csv"
days 200 >"$T/days200.csv"
days 50 >"$T/days50.csv"
days_sql="SELECT count(*) AS n, count(DISTINCT day) AS days, (SELECT count(*) FROM (
    SELECT day::VARCHAR, count(*), sum(v) FROM read_csv('CSV') GROUP BY 1 EXCEPT
    SELECT day::VARCHAR, count(*), sum(v) FROM read_parquet('DIR/**/*.parquet', hive_partitioning = true) GROUP BY 1)) AS diff
    FROM read_parquet('DIR/**/*.parquet', hive_partitioning = true)"
(ulimit -n 64; run parquet-sink -d "$T/days" -p day "$T/days.csv"; echo "$rc" >"$T/rc")
is "$(cat "$T/rc"):$(ls "$T/days" | wc -l | tr -d ' ')" 0:1100 "ulimit -n 64: 1100 partitions written, one folder a day"
like "$(err)" "3300 in, 3300 out, 0 rejected, 0 duplicates, 0 filtered, 3300 written, 1100 files" "  a file a day, as the summary says"
is "$("$DUCK" "$(echo "$days_sql" | sed "s|DIR|$T/days|g; s|CSV|$T/days.csv|")")" '{"n":"3300","days":"1100","diff":"0"}' \
    "  DuckDB reads every row back, each day's count and sum as in the input"
(ulimit -n 64; run parquet-sink --row-group-rows 2 -d "$T/days2" -p day "$T/days200.csv"; echo "$rc" >"$T/rc")
files=$(find "$T/days2" -name '*.parquet' | wc -l | tr -d ' ')
is "$(cat "$T/rc"):$(( files > 200 ))" 0:1 "a row group full in each partition: files finished to make room, later rows in more part files ($files)"
like "$(err)" "600 in, 600 out, 0 rejected, 0 duplicates, 0 filtered, 600 written, $files files" "  the summary counts the files there"
is "$("$DUCK" "$(echo "$days_sql" | sed "s|DIR|$T/days2|g; s|CSV|$T/days200.csv|")")" '{"n":"600","days":"200","diff":"0"}' \
    "  DuckDB reads every row back, each day's count and sum as in the input"
run parquet-sink --max-open-files 2 --row-group-rows 1 -d "$T/days3" -p day --mode append "$T/days50.csv"
is "$rc:$(find "$T/days3" -name '*.parquet' | wc -l | tr -d ' ')" 0:150 "--max-open-files 2, append: a file a row, none lost"
is "$("$DUCK" "$(echo "$days_sql" | sed "s|DIR|$T/days3|g; s|CSV|$T/days50.csv|")")" '{"n":"150","days":"50","diff":"0"}' \
    "  every row read back"

# --- Overwrite replaces only the partitions written; append adds -------------------
printf 'day,n\n2025-01-01,1\n2025-01-02,2\n' >"$T/d1.csv"
printf 'day,n\n2025-01-02,20\n2025-01-03,30\n' >"$T/d2.csv"
run parquet-sink -d "$T/ow" -p day "$T/d1.csv"
run parquet-sink -d "$T/ow" -p day "$T/d2.csv"
got=$("$DUCK" "SELECT string_agg(day || ':' || n, ' ' ORDER BY day) AS r FROM read_parquet('$T/ow/**/*.parquet', hive_partitioning = true)")
is "$got" '{"r":"2025-01-01:1 2025-01-02:20 2025-01-03:30"}' \
    "overwrite: the partitions in the input replaced, the others kept (dynamic partition overwrite)"
run parquet-sink -d "$T/ow" -p day "$T/d1.csv" "$T/no-such.csv"
like "$rc:$(err | sed -n 2p)" "^1:parquet-sink: an input was not read whole: nothing replaced, every partition in .*/ow is as it was" \
    "overwrite with an input that cannot be read: exit 1, nothing replaced"
got=$("$DUCK" "SELECT string_agg(day || ':' || n, ' ' ORDER BY day) AS r FROM read_parquet('$T/ow/**/*.parquet', hive_partitioning = true)")
is "$got" '{"r":"2025-01-01:1 2025-01-02:20 2025-01-03:30"}' "  the partitions as they were"
is "$(ls -a "$T" | grep -c '^\.ow\.stage')" 0 "no staging folder left"
run parquet-sink -d "$T/ow" -p day --mode append "$T/d2.csv"
got=$("$DUCK" "SELECT count(*) AS n FROM read_parquet('$T/ow/**/*.parquet', hive_partitioning = true)")
is "$got" '{"n":"5"}' "append: new files beside the old"
# A quiet stream: its rows land within --roll-time, not at the next record.
{ printf 'k,v\na,1\nb,2\n'; sleep 5; printf 'c,3\n'; } |
    "$(prog parquet-sink)" -q -d "$T/quiet" --mode append --roll-time 0.5s &
sink=$!
for i in $(seq 20); do	# up to 4 s, while the stream is quiet
    [ "$(ls "$T/quiet" 2>/dev/null | wc -l)" -ge 1 ] && break
    sleep 0.2
done
quiet=$(ls "$T/quiet" 2>/dev/null | wc -l)
wait $sink
is "$quiet:$(ls "$T/quiet" | wc -l)" "1:2" \
    "--roll-time on an idle stream: the first rows in a file after 0.5 s, the last at the end"
run parquet-sink -d "$T/roll" --mode append --roll-rows 1000 "$T/retail.csv"
is "$(ls "$T/roll" | wc -l | tr -d ' ')" 5 "--roll-rows 1000: 5000 rows in 5 files"
like "$(err)" "5000 in, 5000 out, 0 rejected, 0 duplicates, 0 filtered, 5000 written, 5 files" "and the summary says so"

# --- Rejects ------------------------------------------------------------------------
printf 'i,when\n1,2025-01-01\nnope,2025-01-02\n3,someday\n4,2025-01-04\n' >"$T/bad.csv"
cat >"$T/bad.json" <<'END'
{"fields": [{"name": "i", "type": "int", "gen": "sequence"}, {"name": "when", "type": "date", "gen": "time"}]}
END
run parquet-sink --schema "$T/bad.json" --reject "$T/rej.jsonl" -o "$T/bad.parquet" "$T/bad.csv"
like "$(err)" '4 in, 2 out, 2 rejected, 0 duplicates, 0 filtered, 2 written' "values not of their type: rejected and counted, never nulls"
like "$(cat "$T/rej.jsonl")" 'bad.csv:3".*"i: \\"nope\\" is not an int"' "with the reason and the place"
is "$("$DUCK" "SELECT string_agg(i::VARCHAR, ',') AS r FROM '$T/bad.parquet'")" '{"r":"1,4"}' "the rest written"
printf 'i,x\n1,a\nbad,b\n3,c\n' >"$T/mixed.csv"
run parquet-sink --schema "$T/ionly.json" --reject "$T/mixed-rej.jsonl" -o "$T/mixed.parquet" "$T/mixed.csv"
like "$(err)" '3 in, 2 out, 1 rejected, 0 duplicates, 0 filtered, 2 written' "a schema column's misfit among rows held to type the others: rejected"
like "$(cat "$T/mixed-rej.jsonl")" 'mixed.csv:3"' "with its place"
printf 'n\n1\n2\n' >"$T/inf.csv"
{ cat "$T/inf.csv"; echo x; } >"$T/inf2.csv"
run parquet-sink --row-group-rows 2 -o "$T/inf.parquet" "$T/inf2.csv"
like "$(err)" '3 in, 2 out, 1 rejected, 0 duplicates, 0 filtered, 2 written' "after the first row group the types are fixed: a later misfit is rejected"

# --- SIGKILL mid-run: only complete files ---------------------------------------------
# wait_files DIR N: until DIR holds N entries (at most 20 s).
wait_files() {
    for i in $(seq 100); do
        [ "$(ls "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return
        sleep 0.2
    done
}
if [ -z "$SLUICE_WRAP" ]; then
    "$SG" -q ecommerce --rate 20000 -n 1000000 -f jsonl 2>/dev/null |
        "$(prog parquet-sink)" -q -d "$T/kill" --mode append --roll-rows 2000 &
    sink=$!
    # Kill it once a few files are out, mid-file (however fast it runs).
    wait_files "$T/kill" 3
    sleep 0.05
    pkill -KILL -f "parquet-sink -q -d $T/kill" || true
    wait $sink 2>/dev/null || true
    files=$(ls "$T/kill" 2>/dev/null | wc -l)
    ok "$(( files >= 3 ? 0 : 1 ))" "killed mid-run: $files files"
    bad=0
    for f in "$T/kill"/*.parquet; do
        "$DUCK" "SELECT count(*) AS n FROM '$f'" >/dev/null 2>&1 || bad=$((bad + 1))
    done
    is "$bad" 0 "every file there is complete (DuckDB reads each)"
    run parquet-sink -d "$T/kill" --mode append "$T/one.csv"
    is "$(ls -a "$T/kill" | grep -c '\.tmp-')" 0 "the next run removes the dead run's temporary file"
    # SIGTERM: the file in progress is finished, nothing read is lost.
    "$SG" -q ecommerce --rate 20000 -n 1000000 -f jsonl 2>/dev/null |
        "$(prog parquet-sink)" -d "$T/term" --mode append --roll-rows 5000 2>"$T/term.err" &
    sink=$!
    wait_files "$T/term" 1
    sleep 0.1
    pkill -TERM -f "parquet-sink -d $T/term" || true
    wait $sink 2>/dev/null || true
    written=$(sed -n 's/.* \([0-9]*\) written, .*/\1/p' "$T/term.err")
    got=$("$DUCK" "SELECT count(*) AS n FROM read_parquet('$T/term/*.parquet')")
    is "$got" "{\"n\":\"$written\"}" "SIGTERM: every row it says it wrote is in the files ($written)"
else
    for i in 1 2 3 4; do ok 0 "# SKIP signals under valgrind (timing)"; done
fi

# --- Wide records ----------------------------------------------------------------------
# 50000 fields: each found by hash, not a scan of the columns a field
# (it took over a minute).
awk 'BEGIN { printf "{\"id\":1"; for (i = 0; i < 50000; i++) printf ",\"k%d\":%d", i, i; print "}" }' >"$T/wide.jsonl"
start=$(date +%s)
export SLUICE_MAX_COLUMNS=60000	# past the default limit (sluice(7))
run parquet-sink -o "$T/wide.parquet" "$T/wide.jsonl"
unset SLUICE_MAX_COLUMNS
secs=$(( $(date +%s) - start ))
is "$rc:$("$DUCK" "SELECT count(*) AS n, sum(k49999) AS s FROM '$T/wide.parquet'")" '0:{"n":"1","s":"49999"}' \
    "a record of 50000 fields: written, read back"
[ -n "$SLUICE_WRAP" ] && secs=0
ok "$(( secs > 15 ))" "  in seconds ($secs), not minutes"

run parquet-sink "$T/types.csv"
is "$rc" 2 "-o or -d is required"
run parquet-sink -o x.parquet -c lz4 "$T/types.csv"
is "$rc" 2 "an unknown codec: a usage error"

done_testing
