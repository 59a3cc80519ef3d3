# Unit tests (tests/unit/*.c, one TAP program each) and test tools.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/unit/%.t)
# rec-cat and trickle for the tests; lat-* time events through a stream
# (tests/stream-clock.t, bench/stream-latency.bench).
TOOL_BINS := $(addprefix $(O)/tests/bin/,rec-cat trickle lat-emit lat-tap \
	lat-poll lat-stats)
TEST_BINS += $(UNIT_BINS) $(TOOL_BINS)
LIBS_lat-poll := $(call pc_libs,sqlite3)

$(O)/tests/unit/%.t: $(O)/tests/unit/%.o $(LIBA)
	$(link)

# The unit tests of lib/'s other libraries link theirs.
$(O)/tests/unit/hll.t $(O)/tests/unit/group_table.t \
	$(O)/tests/unit/metric_state.t: $(AGG_LIBA)
$(O)/tests/unit/thrift.t $(O)/tests/unit/parquet.t $(O)/tests/unit/pq_rows.t: \
    $(PARQUET_LIBA)
LIBS_parquet.t := $(PARQUET_LIBS)
LIBS_pq_rows.t := $(PARQUET_LIBS)

$(O)/tests/bin/rec-cat: $(O)/tests/tools/rec-cat.o $(LIBA)
	$(link)

$(O)/tests/bin/trickle: $(O)/tests/tools/trickle.o
	$(link)

$(O)/tests/bin/lat-emit: $(O)/tests/tools/lat-emit.o $(LIBA)
	$(link)

$(O)/tests/bin/lat-tap: $(O)/tests/tools/lat-tap.o $(LIBA)
	$(link)

$(O)/tests/bin/lat-poll: $(O)/tests/tools/lat-poll.o $(LIBA)
	$(link)

$(O)/tests/bin/lat-stats: $(O)/tests/tools/lat-stats.o $(LIBA)
	$(link)

# faults.so: LD_PRELOAD'ed by tests/faults.t to make the Nth write, fsync,
# rename, open or malloc fail.  Never sanitized: a sanitizer's runtime
# must come first in the process, and it has its own malloc.
FAULTS_SO := $(O)/tests/bin/faults.so
TEST_BINS += $(FAULTS_SO)

$(FAULTS_SO): tests/tools/faults.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -std=c11 $(WARNINGS) $(WERROR) $(CFLAGS) -fPIC \
		-shared -o $@ $< -ldl
