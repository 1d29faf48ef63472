package dev.flinkstack.traffic;

import dev.flinkstack.traffic.records.MalformedRecord;
import dev.flinkstack.traffic.sinks.TrafficSinks;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ITCase for {@code --source kafka} and {@code --alerts-topic} against a real Kafka cluster (KRaft,
 * in this JVM): the connector built for Flink 2.2 on Flink 2.3, the pipeline test's input read from a
 * topic, its alerts written in transactions and read back with {@code read_committed}.
 */
class KafkaITCase {

    private static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER_EXTENSION = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build());

    private static KafkaClusterTestKit kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                // One broker: the internal topics of offsets and transactions cannot have three replicas.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void readsLinesFromATopicAndWritesAlertsToATopicExactlyOnce() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            // One input partition keeps the input's order, which the expected late records depend on.
            // Kept forever: the alerts carry event times of 2026-01-01, which time retention (7 days) would delete.
            Map<String, String> keep = Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1");
            admin.createTopics(List.of(new NewTopic("flows", 1, (short) 1).configs(keep),
                    new NewTopic("alerts", 2, (short) 1).configs(keep))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(clientProperties(), new StringSerializer(), new StringSerializer())) {
            for (String line : TrafficPipelineITCase.INPUT) {
                producer.send(new ProducerRecord<>("flows", line));
            }
            producer.send(new ProducerRecord<>("flows", null)); // a tombstone: no value at all
        }

        Path output = tmp.resolve("output");
        JobOptions options = JobOptions.parse(Stream.concat(Stream.of(TrafficPipelineITCase.ARGUMENTS), Stream.of(
                "--source", "kafka",
                "--kafka-bootstrap-servers", kafka.bootstrapServers(),
                "--kafka-topic", "flows",
                "--kafka-stop", "latest",
                "--alerts-topic", "alerts",
                "--checkpoint-interval", "500ms",
                "--output", output.toUri().toString())).toArray(String[]::new));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(TrafficAnalyticsJob.configuration(options));
        env.setParallelism(PARALLELISM);
        TrafficAnalyticsJob.build(env, options);
        env.execute("kafka-itcase");

        assertThat(SavepointRestoreITCase.committedLines(output.resolve(TrafficSinks.AGGREGATES)))
                .containsExactlyInAnyOrderElementsOf(SavepointRestoreITCase.json(TrafficPipelineITCase.AGGREGATES));
        assertThat(output.resolve(TrafficSinks.ALERTS)).doesNotExist();
        List<MalformedRecord> malformed = new ArrayList<>(TrafficPipelineITCase.MALFORMED);
        malformed.add(new MalformedRecord("empty line", ""));
        assertThat(SavepointRestoreITCase.committedLines(output.resolve(TrafficSinks.MALFORMED)))
                .containsExactlyInAnyOrderElementsOf(SavepointRestoreITCase.json(malformed));

        List<ConsumerRecord<String, String>> alerts = readCommitted("alerts");
        assertThat(alerts).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(SavepointRestoreITCase.json(TrafficPipelineITCase.ALERTS));
        assertThat(alerts).allSatisfy(alert -> assertThat(alert.value()).contains("\"src\":\"" + alert.key() + "\""));
    }

    /** Every committed message of the topic, read to its end as a read_committed consumer sees it. */
    private static List<ConsumerRecord<String, String>> readCommitted(String topic) {
        Properties properties = clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static Properties clientProperties() {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", kafka.bootstrapServers());
        return properties;
    }
}
