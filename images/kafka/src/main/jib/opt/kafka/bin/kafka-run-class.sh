#!/usr/bin/env bash
# Runs a Kafka class on the image's Java with its jars, as kafka-run-class.sh in Kafka's distribution:
# kafka-run-class.sh [JVM OPTIONS] CLASS [ARGUMENTS].
exec /opt/java/bin/java -cp "/app/resources:/app/libs/*" "$@"
