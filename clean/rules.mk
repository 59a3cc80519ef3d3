# clean/: cleanse.
PROGRAMS += $(B)/cleanse
CLEAN_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard clean/*.c))

$(B)/cleanse: $(CLEAN_OBJ) $(LIBA)
	$(link)
