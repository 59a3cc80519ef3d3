# bench/data.sh - inputs shared by benchmarks, made once under $W.
#
# retail_csv N: $W/retail-N.csv, N rows shaped like the retail job's daily
# files (order_id, order_date, store_id, store_city, product, quantity,
# unit_price, amount), deterministic.  Until schema-gen exists this is awk.
retail_csv() {
    local n=$1 f=$W/retail-$1.csv
    [ -s "$f" ] && return 0
    awk -v n="$n" 'BEGIN {
        split("Masala Dosa|Filter Coffee|Idli Vada|Paneer Tikka, Large|Veg Biryani|Gulab Jamun|Chole Bhature|Mango Lassi", prod, "|");
        split("Bengaluru|Chennai|Mumbai|Delhi|Hyderabad", city, "|");
        srand(42);
        print "order_id,order_date,store_id,store_city,product,quantity,unit_price,amount";
        for (i = 0; i < n; i++) {
            d = 15 + i % 7; c = 1 + int(rand() * 5); p = 1 + int(rand() * 8);
            q = 1 + int(rand() * 5); u = 20 + int(rand() * 38000) / 100;
            pr = prod[p]; if (index(pr, ",")) pr = "\"" pr "\"";
            printf "202501%02d-%06d,2025-01-%02d,%s-%02d,%s,%s,%d,%.2f,%.2f\n",
                d, i, d, substr(city[c], 1, 3), c, city[c], pr, q, u, q * u;
        }
    }' >"$f.tmp" && mv "$f.tmp" "$f"
}

# dashboard_db: $W/warehouse-1m.db, a warehouse of 1M batch rows and
# 1M stream windows.  The batch rows are batch-agg's daily output as it
# piles up: 2,000 days of 500 products (order_date, product,
# total_amount, loaded in date order), with the batch view's summaries
# (the warehouse DDL's, made as the batch job makes them); the windows
# have the upsert key's index.
dashboard_db() {
    local db=$W/warehouse-1m.db
    [ -s "$db" ] && return
    rm -f "$db" "$db-wal" "$db-shm"
    awk 'BEGIN { print "order_date,product,total_amount"; srand(7)
        for (d = 0; d < 2000; d++) { day = strftime("%Y-%m-%d", 1577836800 + d * 86400, 1)
            for (p = 0; p < 500; p++)
                printf "%s,Product %03d,%.2f\n", day, p, 100 + rand() * 90000 } }' \
        >"$W/daily-1m.csv"
    "$SLUICE_BIN/sqlite-sink" -q -D "$db" -T batch_daily "$W/daily-1m.csv"
    sqlite3 "$db" <"$TOP/sink/warehouse.sql" >/dev/null
    sqlite3 "$db" "SELECT sql FROM batch_daily_rollup_sql" | sqlite3 "$db"
    awk 'BEGIN { print "window_start,window_end,product,revenue"
        for (i = 0; i < 50000; i++) { t = 1736935200 + i * 60
            for (p = 0; p < 20; p++)
                printf "%s,%s,P%02d,%d.%02d\n", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1),
                    strftime("%Y-%m-%dT%H:%M:%SZ", t + 60, 1), p, (i * 7 + p * 13) % 1000, p } }' \
        >"$W/win-1m.csv"
    "$SLUICE_BIN/sqlite-sink" -q -D "$db" -T stream_windows --mode upsert \
        --key window_start,product "$W/win-1m.csv"
}
