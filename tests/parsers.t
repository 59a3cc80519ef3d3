#!/bin/sh
# The parsers of outside input, end to end: JSON Lines (stray control
# bytes, \u0000, big integers), CSV (recovery after bad quoting, one-column
# files, random documents against Python's csv module) and times (the
# range, offsets, eight digits), through rec-cat and the programs.
. "$SLUICE_TOP/tests/lib.sh"

# --- JSON Lines ----------------------------------------------------------------
# jansson takes a raw NUL after a number or a literal for the token's end.
printf '{"v": 123\000}\n{"v":true\000}\n{"v":1}\n' >"$T/nul.jsonl"
run rec-cat -q -f jsonl --reject "$T/rej.jsonl" "$T/nul.jsonl"
is "$rc:$(out)" '0:{"v":1}' "a raw NUL after a number or true: not read as the value before it"
is "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["source"].split(":")[-1], r["errors"][0]["message"])
' "$T/rej.jsonl")" "1 column 10: control character 0x00 outside a string
2 column 10: control character 0x00 outside a string" "  both diverted, with where and why"

# \u0000 in a value is kept, whatever writes it; in a key it is a bad record.
printf '{"s":"a\\u0000b","t":"\\u0000"}\n{"a\\u0000b":1}\n' >"$T/nulesc.jsonl"
run rec-cat -f jsonl "$T/nulesc.jsonl"
is "$(out)" '{"s":"a\u0000b","t":"\u0000"}' "\\u0000 in a string value is kept (JSON out)"
like "$(err)" 'nulesc.jsonl:2: column 11: NUL byte in object key not supported' \
    "  and a key holding one is a bad record, saying so"
run rec-cat -q -f csv "$T/nulesc.jsonl"
is "$(od -An -c "$T/out" | tr -s ' ' | tr -d '\n')" " s , t \n a \0 b , \0 \n" \
    "  CSV out writes the NUL, not a shortened value"
cp "$T/out" "$T/nulesc.csv"
run rec-cat -q -f jsonl "$T/nulesc.csv"
is "$(out)" '{"s":"a\u0000b","t":"\u0000"}' "  and reads it back"
printf '{"id":1,"s":"ab\\u0000cd"}\n{"id":2,"s":"ab"}\n' >"$T/nuls.jsonl"
run sqlite-sink -q -D "$T/w.db" -T t "$T/nuls.jsonl"
is "$rc:$(sqlite3 "$T/w.db" 'SELECT id, hex(s) FROM t ORDER BY id')" "0:1|6162006364
2|6162" "  sqlite-sink stores every byte of it"
run batch-agg -q -g s --date none -m count "$T/nuls.jsonl"
is "$(out)" '{"s":"ab","record_count":1}
{"s":"ab\u0000cd","record_count":1}' "  batch-agg keeps it a group of its own"

# Integers beyond 64 bits: the same digits, unquoted, JSON in to JSON out.
cat >"$T/big.jsonl" <<'END'
{"id":123456789012345678901234567890,"n":1}
{"id":-99999999999999999999,"s":"\u0041"}
{"id":18446744073709551616,"nested":{"k":1}}
END
run rec-cat -q -f jsonl "$T/big.jsonl"
sed 's/"\\u0041"/"A"/' "$T/big.jsonl" >"$T/big.want"
is_file "$T/out" "$T/big.want" \
    "big integers pass through as the same digits, unquoted (both paths)"
is "$(python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
print(a == b and all(type(r["id"]) is int for r in b))
' "$T/big.jsonl" "$T/out")" True "  Python reads the same integers back"
run rec-cat -q -f csv "$T/big.jsonl"
is "$(head -n 2 "$T/out")" "id,n
123456789012345678901234567890,1" "  and CSV out writes the digits"
printf '%s\n' '{"id":123456789012345678901234567890}' '{"id":-99999999999999999999}' \
    '{"id":18446744073709551616}' >"$T/bigs.jsonl"
run parquet-sink -o "$T/big.parquet" "$T/bigs.jsonl"
is "$("$SLUICE_TOP/scripts/duckdb" "select string_agg(id, ' ' order by id) as ids from '$T/big.parquet'" | jq -r .ids)" \
    "-99999999999999999999 123456789012345678901234567890 18446744073709551616" \
    "  parquet-sink keeps their digits (as text: no column type holds them)"
run sqlite-sink --db "$T/big.db" -T big "$T/bigs.jsonl"
is "$(sqlite3 "$T/big.db" "select group_concat(id || ':' || typeof(id), ' ') from (select id from big order by id)")" \
    "-99999999999999999999:text 123456789012345678901234567890:text 18446744073709551616:text" \
    "  and so does sqlite-sink"

# --- CSV -------------------------------------------------------------------------
printf 'a,b\nx"y,"first\n1,2\n"\nok,3\n' >"$T/rec.csv"
run rec-cat -f jsonl "$T/rec.csv"
is "$(out)" '{"a":"ok","b":3}' "after bad quoting, no record made of a quoted cell's lines"
is "$(grep -c 'malformed quoting' "$T/err")" 1 "  one bad record, the one at line 2"
like "$(err)" 'rec.csv:2: malformed' "  (at line 2)"

# quote_case LIMIT FILE COUNTS REASON FIRST ROWS LABEL: parquet-sink's
# counts and reason under SLUICE_MAX_LINE_BYTES=LIMIT, then rec-cat's
# first record and how many.
quote_case() {
    SLUICE_MAX_LINE_BYTES=$1 run parquet-sink -o "$T/q.parquet" "$2"
    is "$rc:$(sed -n 's/^parquet-sink: \([^,]*,[^,]*,[^,]*\),.*s$/\1/p' "$T/err")" \
        "0:$3" "$7"
    like "$(err)" "$4" "  saying which lines it took"
    SLUICE_MAX_LINE_BYTES=$1 run rec-cat -q -f jsonl "$2"
    is "$(head -n 1 "$T/out") $(wc -l <"$T/out")" "$5 $6" \
        "  and reading the lines after them"
}

# A quote that the bad record opens and never closes: what it took is a
# bad record of its own, with the lines, never a silent loss; past
# SLUICE_MAX_LINE_BYTES it is given up on and the lines after are read.
{ printf 'a,b\nx"y,"z\n'; seq 1 100000 | sed 's/$/,1/'; } >"$T/open.csv"
quote_case 16M "$T/open.csv" "2 in, 0 out, 2 rejected" \
    'open.csv:2: after bad quoting, a quote opened here never closes: lines 2\.\.100002 skipped, counted as this one bad record' \
    "" 0 "a bad record's quote that never closes: counted"
# 5 bytes skipped at line 2, then 4 to 8 a line: 102400 bytes at line 14190.
quote_case 100K "$T/open.csv" "85814 in, 85812 out, 2 rejected" \
    'open.csv:2: after bad quoting, a quote opened here is still open after SLUICE_MAX_LINE_BYTES: lines 2\.\.14190 skipped, counted as this one bad record' \
    '{"a":14189,"b":1}' 85812 "  past SLUICE_MAX_LINE_BYTES: given up on, the rest read"

# A record over the limit (a quote opened between records): the next
# line is read as usual, as for any over-long line.
{ printf 'a,b\n"open,1\n'; seq 1 1000 | sed 's/$/,1/'; } >"$T/long.csv"
quote_case 1K "$T/long.csv" "813 in, 812 out, 1 rejected" \
    'long.csv:2: record longer than SLUICE_MAX_LINE_BYTES \(an unclosed quote\?\): lines 2\.\.190 skipped, counted as this one bad record' \
    '{"a":189,"b":1}' 812 "an over-long CSV record: the lines after it are read"

printf 'a\r\r1\r\r2\r' >"$T/cr.csv"
run rec-cat -q -f jsonl "$T/cr.csv"
is "$(out)" '{"a":null}
{"a":1}
{"a":null}
{"a":2}' "one column, lone CR line ends: blank lines are nulls"

printf ',\n' >"$T/nulls.csv"
run rec-cat -q "$T/nulls.csv"
is "$rc:$(out)" "0:column1,column2" "a header of two empty names, no rows"
run cleanse "$T/nulls.csv"
like "$rc:$(tail -n 1 "$T/err")" '^0:cleanse: 0 in, 0 out' "  cleanse too (no memmove from NULL under ASan)"

# Random documents, read by rec-cat (one run, many files) and by Python's
# csv module.  Python reads bad quoting leniently; where the text of a row
# is not strict RFC 4180 we divert it, and every record after it must
# still be Python's.  Null and "" are both '' to Python.
python3 - "$T" <<'END'
import random, sys
random.seed(20250115)
cells = ['', 'x', 'ab', ' y ', '\u00e9', '""', '"q"', '"a\nb"', '"c,d"',
         '"e""f"', '"g\r\nh"', '"\r"', 'x"y', '"p"q', '"open', '"']
for d in range(300):
    ncol = random.choice([1, 1, 2, 3])
    nl = random.choice(['\n', '\r\n', '\r'])
    text = ','.join('d%d_%d' % (d, i) for i in range(ncol)) + nl
    for _ in range(random.randint(0, 8)):
        n = ncol + (random.random() < 0.1) - (random.random() < 0.1)
        text += ','.join(random.choice(cells if random.random() < 0.3
                                       else cells[:10]) for _ in range(n))
        text += random.choice([nl, nl, nl, '\n', '\r', '\r\n'])
    with open('%s/r%03d.csv' % (sys.argv[1], d), 'w', newline='') as f:
        f.write(text[:random.choice([len(text), len(text), len(text) - 1])])
END
ls "$T"/r[0-9]*.csv >"$T/list"
# shellcheck disable=SC2046
run rec-cat -q -f jsonl --reject "$T/rrej.jsonl" $(cat "$T/list")
is "$rc" 0 "300 random CSV documents read"
python3 - "$T" >"$T/cmp" <<'END'
import csv, io, json, re, sys
t = sys.argv[1]
F = r'(?:"(?:[^"]|"")*"|[^",\r\n]*)'
strict = re.compile(F + r'(?:,' + F + r')*(?:\r\n|\n|\r)?\Z', re.S)
want_good, want_bad = [], []
for d in range(300):
    path = '%s/r%03d.csv' % (t, d)
    text = open(path, newline='').read()
    lines = io.StringIO(text, newline='').readlines()
    r = csv.reader(io.StringIO(text, newline=''))
    prev, ncol = 0, None
    for row in r:
        start, prev = prev + 1, r.line_num
        raw = ''.join(lines[start - 1:prev])
        if ncol is None:
            if row:
                ncol = len(row)
            continue
        if not row:
            if ncol == 1:
                want_good.append((d, ['']))
            continue
        if not strict.match(raw) or len(row) != ncol:
            want_bad.append('r%03d.csv:%d' % (d, start))
        else:
            want_good.append((d, row))
got_good = []
for l in open(t + '/out'):
    rec = json.loads(l)
    d = int(next(iter(rec)).split('_')[0][1:])
    got_good.append((d, ['' if v is None else v for v in rec.values()]))
got_bad = [json.loads(l)['source'].rsplit('/', 1)[-1]
           for l in open(t + '/rrej.jsonl')]
print(len(want_good), len(want_bad))
for w, g in zip(want_good, got_good):
    if w != g:
        print('first difference: python', w, 'sluice', g)
        break
print(want_good == got_good, want_bad == got_bad)
if want_bad != got_bad:
    print('bad rows: python', [b for b in want_bad if b not in got_bad][:5],
          'sluice', [b for b in got_bad if b not in want_bad][:5])
END
is "$(tail -n +2 "$T/cmp" | head -n 1)" "True True" \
    "every record and every bad row as Python's csv module reads them"
like "$(head -n 1 "$T/cmp")" '^[0-9]{3,} [0-9]{2,}$' "  (hundreds of records, dozens of bad rows: $(head -n 1 "$T/cmp"))"
[ "$(tail -n +2 "$T/cmp" | head -n 1)" = "True True" ] || sed 's/^/# /' "$T/cmp" >&2

# --- Times -------------------------------------------------------------------------
cat >"$T/ts.json" <<'END'
{"name": "t", "fields": [{"name": "t", "type": "timestamp"}]}
END
cat >"$T/ts.csv" <<'END'
t
2025-01-15T10:30:00+05:30
9999-12-31T23:30:00-01:00
9999-12-31T23:30:00+01:00
0000-01-01T00:30:00+01:00
-62167219200
-62167219201
20250115.5
20250115
2025-01-15T10:30:00+14:00
2025-01-15T10:30:00+14:01
2025-01-15T10:30:00-12:00
2025-01-15T10:30:00-12:30
2025-01-15T10:30:00+23:59
END
run cleanse -f jsonl --schema "$T/ts.json" "$T/ts.csv"
is "$(out)" '{"t":"2025-01-15T05:00:00Z"}
{"t":"9999-12-31T22:30:00Z"}
{"t":"0000-01-01T00:00:00Z"}
{"t":"2025-01-15T00:00:00Z"}
{"t":"2025-01-14T20:30:00Z"}
{"t":"2025-01-15T22:30:00Z"}' "times: only 0000-9999 UTC, real offsets, eight digits a date"
is "$(grep -o '"[^"]*" is not a timestamp' "$T/err" | tr '\n' ' ')" \
    '"9999-12-31T23:30:00-01:00" is not a timestamp "0000-01-01T00:30:00+01:00" is not a timestamp "-62167219201" is not a timestamp "20250115.5" is not a timestamp "2025-01-15T10:30:00+14:01" is not a timestamp "2025-01-15T10:30:00-12:30" is not a timestamp "2025-01-15T10:30:00+23:59" is not a timestamp ' \
    "  the others are bad values"

# The same instants as Python's datetime reads them (years 1 to 9999).
python3 - "$T" <<'END'
import datetime as dt, random, sys
random.seed(7)
utc = dt.timezone.utc
with open(sys.argv[1] + '/tsr.csv', 'w') as f, \
        open(sys.argv[1] + '/tsr.want', 'w') as w:
    f.write('t\n')
    for _ in range(500):
        y = random.choice([1, 2, 1969, 1970, 2025, 9998, 9999,
                           random.randint(1, 9999)])
        d = dt.datetime(y, random.randint(1, 12), random.randint(1, 28),
                        random.randint(0, 23), random.randint(0, 59),
                        random.randint(0, 59),
                        random.choice([0, 0, 500000, 123456]))
        tz = dt.timezone(dt.timedelta(minutes=random.randint(-720, 840)))
        try:
            u = d.replace(tzinfo=tz).astimezone(utc)
        except OverflowError:
            if y < 9999:
                continue        # before year 1: Python cannot say
            u = None            # past 9999: a bad value
        f.write(d.replace(tzinfo=tz).isoformat() + '\n')
        if u is None:
            continue
        z = '%04d-%02d-%02dT%02d:%02d:%02d' % (u.year, u.month, u.day,
                                                 u.hour, u.minute, u.second)
        if u.microsecond % 1000 == 0 and u.microsecond:
            z += '.%03d' % (u.microsecond // 1000)
        elif u.microsecond:
            z += '.%06d' % u.microsecond
        w.write('{"t":"%sZ"}\n' % z)
END
run cleanse -q -f jsonl --schema "$T/ts.json" "$T/tsr.csv"
is_file "$T/out" "$T/tsr.want" \
    "500 random ISO times with offsets: the instants Python's datetime gives"

# stream-window: an out-of-range time is a bad record, not a watermark
# in the year 10000; nor is INT64_MIN (no negation overflow under UBSan).
cat >"$T/w.jsonl" <<'END'
{"t":"2025-01-15T10:00:00Z"}
{"t":"9999-12-31T23:30:00-01:00"}
{"t":-9223372036854775808}
{"t":"2025-01-15T10:20:00Z"}
END
run stream-window --time t --size 1h "$T/w.jsonl"
is "$rc:$(out)" '0:{"window_start":"2025-01-15T10:00:00Z","window_end":"2025-01-15T11:00:00Z","record_count":2}' \
    "stream-window: an instant past 9999 moves no watermark"
like "$(err)" '4 in, 2 out, 2 rejected, 0 duplicates, 0 filtered, 2 aggregated, 0 late' "  it and INT64_MIN are rejected"

done_testing
