#!/usr/bin/env bash
# Kafka's topic tool, with the options of Kafka's own kafka-topics.sh.
exec "$(dirname "$0")/kafka-run-class.sh" -Xmx256m org.apache.kafka.tools.TopicCommand "$@"
