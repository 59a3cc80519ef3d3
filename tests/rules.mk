# Unit tests (tests/unit/*.c, one TAP program each) and test tools.
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/unit/%.t)
TOOL_BINS := $(O)/tests/bin/rec-cat $(O)/tests/bin/trickle
TEST_BINS += $(UNIT_BINS) $(TOOL_BINS)

$(O)/tests/unit/%.t: $(O)/tests/unit/%.o $(LIBA)
	$(link)

$(O)/tests/bin/rec-cat: $(O)/tests/tools/rec-cat.o $(LIBA)
	$(link)

$(O)/tests/bin/trickle: $(O)/tests/tools/trickle.o
	$(link)
