# lib/parquet/: the Parquet writer (columns, encodings, compression, the
# file and its Thrift footer), libsluice-parquet.a: parquet-sink, which
# links -lsnappy -lzstd.
PARQUET_SRC := $(wildcard lib/parquet/*.c)
PARQUET_LIBA := $(O)/lib/parquet/libsluice-parquet.a
PARQUET_LIBS := -lsnappy -lzstd

$(PARQUET_LIBA): $(PARQUET_SRC:%.c=$(O)/%.o)
	$(archive)
