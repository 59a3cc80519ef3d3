# sink/: parquet-sink (on lib/parquet/), sqlite-sink and pg-sink (they
# share table.c and its main(), table_main.c; pg-sink's pieces are
# pg_*.c); all three names.c, and lib/coltype's column types.
PROGRAMS += $(B)/parquet-sink $(B)/sqlite-sink $(B)/pg-sink
TABLE_OBJ := $(O)/sink/names.o $(O)/sink/table.o
PQ_OBJ := $(addprefix $(O)/sink/,names.o parts.o pqsink.o pqjobs.o parquet-sink.o) \
	$(PARQUET_LIBA)
LIBS_parquet-sink := $(PARQUET_LIBS)
LIBS_sqlite-sink := -lsqlite3
LIBS_pg-sink := $(call pc_libs,libpq)

$(B)/parquet-sink: $(PQ_OBJ) $(LIBA)
	$(link)

$(B)/sqlite-sink: $(TABLE_OBJ) $(O)/sink/table_main.o $(O)/sink/sqlite-sink.o \
	$(LIBA)
	$(link)

$(B)/pg-sink: $(TABLE_OBJ) $(O)/sink/table_main.o \
	$(addprefix $(O)/sink/,pg_binary.o pg_conn.o pg_row.o pg-sink.o) \
	$(LIBA)
	$(link)

# The unit tests of sink/'s own modules link them.
$(O)/tests/unit/pg_binary.t: $(O)/sink/pg_binary.o
$(O)/tests/unit/pg_row.t: $(addprefix $(O)/sink/,pg_row.o pg_binary.o) \
	$(TABLE_OBJ)
$(O)/tests/unit/pqsink.t: $(filter-out %/parquet-sink.o,$(PQ_OBJ))
LIBS_pqsink.t := $(PARQUET_LIBS)
