# sink/: parquet-sink.
PROGRAMS += $(B)/parquet-sink
PQ_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard sink/*.c))
LIBS_parquet-sink := -lsnappy -lzstd

$(B)/parquet-sink: $(PQ_OBJ) $(LIBA)
	$(link)
