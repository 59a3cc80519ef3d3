# lib/kafka/: librdkafka the sluice way (configuration, errors, the
# brokers' health), libsluice-kafka.a: kafka-replay, kafka-mock and
# stream-window, which link -lrdkafka.
KAFKA_SRC := $(wildcard lib/kafka/*.c)
KAFKA_LIBA := $(O)/lib/kafka/libsluice-kafka.a

$(KAFKA_LIBA): $(KAFKA_SRC:%.c=$(O)/%.o)
	$(archive)
