# window/: stream-window.
PROGRAMS += $(B)/stream-window
WINDOW_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard window/*.c))

$(B)/stream-window: $(WINDOW_OBJ) $(LIBA)
	$(link)
LIBS_stream-window := -lrdkafka
