# window/: stream-window.
PROGRAMS += $(B)/stream-window
WINDOW_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard window/*.c))

$(B)/stream-window: $(WINDOW_OBJ) $(AGG_LIBA) $(KAFKA_LIBA) $(LIBA)
	$(link)
LIBS_stream-window := -lrdkafka
