# aggregate/: batch-agg.
PROGRAMS += $(B)/batch-agg
AGG_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard aggregate/*.c))

$(B)/batch-agg: $(AGG_OBJ) $(AGG_LIBA) $(LIBA)
	$(link)
