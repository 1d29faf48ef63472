package dev.flinkstack.traffic.kafka;

import dev.flinkstack.traffic.JobOptions;
import dev.flinkstack.traffic.records.Alert;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code --alerts-topic}: a transactional Kafka sink. Alerts become visible to {@code read_committed}
 * consumers when the checkpoint that covers them completes, exactly once.
 */
public final class KafkaAlerts {

    /** Operator uid of the sink; keep it stable so savepoints still restore. */
    public static final String UID = "alerts-kafka-sink";

    // Kafka brokers refuse longer transactions (transaction.max.timeout.ms); Flink's default is 1 h.
    // A transaction stays open from one checkpoint to the next, plus any recovery time.
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private KafkaAlerts() {}

    public static KafkaSink<Alert> sink(String topic, JobOptions options) {
        return KafkaSink.<Alert>builder()
                .setBootstrapServers(options.kafkaBootstrapServers())
                .setKafkaProducerConfig(KafkaClientProperties.of(options))
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(TRANSACTION_TIMEOUT.toMillis()))
                .setRecordSerializer(new AlertMessages(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.kafkaGroupId() + "-alerts")
                .build();
    }

    /** One alert's JSON per message, keyed by its source host so a host's alerts stay in order on one partition. */
    private record AlertMessages(String topic) implements KafkaRecordSerializationSchema<Alert> {

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Alert alert, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, timestamp,
                    alert.src().getBytes(StandardCharsets.UTF_8), alert.toJson().getBytes(StandardCharsets.UTF_8));
        }
    }
}
