# gen/: schema-gen and its bundled schemas (installed by make install).
PROGRAMS += $(B)/schema-gen
GEN_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard gen/*.c))

$(B)/schema-gen: $(GEN_OBJ) $(LIBA)
	$(link)
