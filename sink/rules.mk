# sink/: parquet-sink, sqlite-sink and pg-sink (they share the column
# conversions and type inference; the two database sinks table.c).
PROGRAMS += $(B)/parquet-sink $(B)/sqlite-sink $(B)/pg-sink
SINK_SHARED := $(O)/sink/column.o $(O)/sink/infer.o $(O)/sink/names.o
TABLE_OBJ := $(SINK_SHARED) $(O)/sink/table.o
PQ_OBJ := $(SINK_SHARED) $(addprefix $(O)/sink/,compress.o encoding.o \
	file.o parts.o parquet-sink.o)
LIBS_parquet-sink := -lsnappy -lzstd
LIBS_sqlite-sink := -lsqlite3
LIBS_pg-sink := $(call pc_libs,libpq)

$(B)/parquet-sink: $(PQ_OBJ) $(LIBA)
	$(link)

$(B)/sqlite-sink: $(TABLE_OBJ) $(O)/sink/sqlite-sink.o $(LIBA)
	$(link)

$(B)/pg-sink: $(TABLE_OBJ) $(O)/sink/pg-sink.o $(LIBA)
	$(link)
