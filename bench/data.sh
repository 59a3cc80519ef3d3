# bench/data.sh - inputs shared by benchmarks, made once under $W.
#
# retail_csv N: $W/retail-N.csv, N rows shaped like seed 000's daily
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

# dashboard_db: $W/dash.db, a warehouse of 1M batch rows and 1M stream
# windows (those with the upsert key's index).
dashboard_db() {
    [ -s "$W/retail-5m.csv" ] ||
        "$SLUICE_BIN/schema-gen" -q retail -n 5000000 --days 1 >"$W/retail-5m.csv"
    [ -s "$W/dash.db" ] && return
    head -n 1000001 "$W/retail-5m.csv" | mlr --csv cut -o -f order_date,product,amount \
        then rename amount,total_amount >"$W/daily-1m.csv"
    "$SLUICE_BIN/sqlite-sink" -q -d "$W/dash.db" -t batch_daily "$W/daily-1m.csv"
    awk 'BEGIN { print "window_start,window_end,product,revenue"
        for (i = 0; i < 50000; i++) { t = 1736935200 + i * 60
            for (p = 0; p < 20; p++)
                printf "%s,%s,P%02d,%d.%02d\n", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1),
                    strftime("%Y-%m-%dT%H:%M:%SZ", t + 60, 1), p, (i * 7 + p * 13) % 1000, p } }' \
        >"$W/win-1m.csv"
    "$SLUICE_BIN/sqlite-sink" -q -d "$W/dash.db" -t stream_windows --mode upsert \
        --key window_start,product "$W/win-1m.csv"
}
