#!/usr/bin/env bash
# A single-node Kafka cluster in KRaft mode (broker and controller in one process), for tests and
# local runs: nothing to set up, data under /tmp unless KAFKA_DATA_DIR points at a volume.
#
# Listeners: INTERNAL on 9092, advertised as $KAFKA_HOST:9092 (the name other containers use);
# EXTERNAL on 9094, advertised as $KAFKA_EXTERNAL_ADDRESS (what the host uses through --publish).
# KAFKA_HEAP sets the heap (default 512m). Arguments are passed to Kafka: `--override key=value`
# changes any broker setting.
set -euo pipefail

readonly data_dir=${KAFKA_DATA_DIR:-/tmp/kafka-data}
readonly config=/tmp/kafka-server.properties
readonly run_class=/opt/kafka/bin/kafka-run-class.sh
# A fixed id: one node, whose data is formatted once for this cluster.
readonly cluster_id=${KAFKA_CLUSTER_ID:-F-tFw5kOehTixq_QnhJuTA}

cat >"$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
controller.listener.names=CONTROLLER
listeners=INTERNAL://:9092,EXTERNAL://:9094,CONTROLLER://127.0.0.1:9093
advertised.listeners=INTERNAL://${KAFKA_HOST:-localhost}:9092,EXTERNAL://${KAFKA_EXTERNAL_ADDRESS:-localhost:9094}
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
log.dirs=$data_dir
# One node: the internal topics cannot have more replicas, and consumer groups need not wait for more members.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES

if [[ ! -f $data_dir/meta.properties ]]; then
  "$run_class" kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$config" >/dev/null
fi
exec "$run_class" "-Xmx${KAFKA_HEAP:-512m}" kafka.Kafka "$config" "$@"
