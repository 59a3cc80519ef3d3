# replay/: kafka-replay (records to Kafka) and kafka-mock (a Kafka for
# tests and demos).
PROGRAMS += $(B)/kafka-replay $(B)/kafka-mock
REPLAY_OBJ := $(addprefix $(O)/replay/,event.o pace.o producer.o kafka-replay.o)
LIBS_kafka-replay := -lrdkafka
LIBS_kafka-mock := -lrdkafka

$(B)/kafka-replay: $(REPLAY_OBJ) $(KAFKA_LIBA) $(LIBA)
	$(link)

$(B)/kafka-mock: $(O)/replay/kafka-mock.o $(KAFKA_LIBA) $(LIBA)
	$(link)
