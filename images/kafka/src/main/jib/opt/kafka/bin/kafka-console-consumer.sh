#!/usr/bin/env bash
# Kafka's console consumer, with the options of Kafka's own kafka-console-consumer.sh.
exec "$(dirname "$0")/kafka-run-class.sh" -Xmx256m org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
