package dev.flinkstack.traffic.kafka;

import dev.flinkstack.traffic.JobOptions;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.AbstractDeserializationSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.charset.StandardCharsets;

/**
 * {@code --source kafka}: the messages of {@code --kafka-topic} as lines. The offsets are part of each
 * checkpoint, so a restarted job reads on from its last checkpoint, exactly once.
 */
public final class KafkaLines {

    /** Operator uid of the Kafka source; keep it stable so savepoints still restore. */
    public static final String UID = "traffic-kafka";

    private KafkaLines() {}

    public static DataStream<String> create(StreamExecutionEnvironment env, JobOptions options) {
        KafkaSourceBuilder<String> builder = KafkaSource.<String>builder()
                .setBootstrapServers(options.kafkaBootstrapServers())
                .setProperties(KafkaClientProperties.of(options))
                .setTopics(options.kafkaTopic())
                .setGroupId(options.kafkaGroupId())
                .setStartingOffsets(switch (options.kafkaStart()) {
                    case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                })
                .setValueOnlyDeserializer(new LineDeserializer());
        if (options.kafkaStop() == JobOptions.KafkaStop.LATEST) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        // Rebalance: subtasks beyond the partition count read nothing, and their parse subtasks
        // would hold back the watermark until --idle-timeout.
        return env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "traffic-kafka")
                .uid(UID)
                .rebalance();
    }

    /**
     * A message's value as UTF-8 text. A message without a value (a tombstone) becomes an empty line,
     * which the parser sends to the dead-letter output like any other bad record.
     */
    static final class LineDeserializer extends AbstractDeserializationSchema<String> {

        private static final long serialVersionUID = 1L;

        @Override
        public String deserialize(byte[] message) {
            return message == null ? "" : new String(message, StandardCharsets.UTF_8);
        }
    }
}
