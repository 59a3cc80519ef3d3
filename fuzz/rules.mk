# fuzz/: libFuzzer targets, one a parser of outside input (`make fuzz`).
# Built with clang under build/fuzz/ only, the project's sources compiled
# again there with the same sanitizers and coverage; nothing here is part
# of `make`, `make check` or `make asan`.
#
#   make fuzz                     each target FUZZ_SECONDS (60) seconds
#   make fuzz FUZZ_TARGETS=csv    some of them
#   make fuzz FUZZ_FLAGS='-fork=1 -ignore_crashes=1'   to explore past a
#                                 known crash (the run still fails)
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_TARGETS ?= csv jsonl json-diff csv-json ts schema expr checkpoint partial query
FUZZ_O := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# Warnings are shown, not fatal: the gcc build is the one kept clean.
FUZZ_CFLAGS := -std=c11 $(WARNINGS) $(PC_CFLAGS) -O1 -g $(FUZZ_SAN) -MMD -MP

FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_O)/%.o)
FUZZ_LIBA := $(FUZZ_O)/libsluice.a
# lib/'s other libraries, for the targets that use them.
FUZZ_AGG_LIBA := $(FUZZ_O)/lib/agg/libsluice-agg.a
FUZZ_KAFKA_LIBA := $(FUZZ_O)/lib/kafka/libsluice-kafka.a
# What a target links besides fuzz.o and the library: the program's
# own files, without its main().
FUZZ_OBJ_checkpoint := $(patsubst %.c,$(FUZZ_O)/%.o,$(filter-out \
	window/stream-window.c,$(wildcard window/*.c)))
FUZZ_OBJ_partial := $(patsubst %.c,$(FUZZ_O)/%.o,$(filter-out \
	aggregate/batch-agg.c,$(wildcard aggregate/*.c)))
FUZZ_OBJ_query := $(patsubst %.c,$(FUZZ_O)/%.o,$(filter-out \
	serve/dashboard.c,$(wildcard serve/*.c)))
FUZZ_LIBS_checkpoint := -lrdkafka
FUZZ_LIBS_query := $(call pc_libs,sqlite3 libpq)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_O)/bin/%)

.PHONY: fuzz-build
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	fuzz/run $(FUZZ_O) $(FUZZ_SECONDS) '$(FUZZ_FLAGS)' $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BINS)

# The project's sources and the targets' (build/fuzz/fuzz/*.o):
# coverage for the fuzzer; libFuzzer's main() comes at the link.
$(FUZZ_O)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-c -o $@ $<

$(FUZZ_LIBA): $(FUZZ_LIB_OBJ)
	$(archive)
$(FUZZ_AGG_LIBA): $(AGG_SRC:%.c=$(FUZZ_O)/%.o)
	$(archive)
$(FUZZ_KAFKA_LIBA): $(KAFKA_SRC:%.c=$(FUZZ_O)/%.o)
	$(archive)

$(FUZZ_O)/bin/checkpoint: $(FUZZ_OBJ_checkpoint) $(FUZZ_AGG_LIBA) \
	$(FUZZ_KAFKA_LIBA)
$(FUZZ_O)/bin/partial: $(FUZZ_OBJ_partial) $(FUZZ_AGG_LIBA)
$(FUZZ_O)/bin/schema: $(FUZZ_AGG_LIBA)
$(FUZZ_O)/bin/query: $(FUZZ_OBJ_query)
$(FUZZ_O)/bin/%: $(FUZZ_O)/fuzz/%.o $(FUZZ_O)/fuzz/fuzz.o $(FUZZ_LIBA)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o,$^) \
		$(filter-out $(FUZZ_LIBA),$(filter %.a,$^)) $(FUZZ_LIBA) \
		$(FUZZ_LIBS_$*) $(LIB_LIBS)
