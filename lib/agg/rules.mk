# lib/agg/: the aggregation engine (metrics, their states, the group
# table, HyperLogLog), libsluice-agg.a: batch-agg and stream-window.
AGG_SRC := $(wildcard lib/agg/*.c)
AGG_LIBA := $(O)/lib/agg/libsluice-agg.a

$(AGG_LIBA): $(AGG_SRC:%.c=$(O)/%.o)
	$(archive)
