# sink/: parquet-sink and sqlite-sink (they share the column conversions
# and type inference).
PROGRAMS += $(B)/parquet-sink $(B)/sqlite-sink
SINK_SHARED := $(O)/sink/column.o $(O)/sink/infer.o $(O)/sink/names.o
TABLE_OBJ := $(SINK_SHARED) $(O)/sink/table.o
PQ_OBJ := $(SINK_SHARED) $(addprefix $(O)/sink/,compress.o encoding.o \
	file.o parts.o parquet-sink.o)
LIBS_parquet-sink := -lsnappy -lzstd
LIBS_sqlite-sink := -lsqlite3

$(B)/parquet-sink: $(PQ_OBJ) $(LIBA)
	$(link)

$(B)/sqlite-sink: $(TABLE_OBJ) $(O)/sink/sqlite-sink.o $(LIBA)
	$(link)
