package dev.flinkstack.tests.support;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * A real Kafka broker (KRaft, one node): the project's Kafka image (images/kafka) in a container on a
 * test network, reachable there as {@code alias:9092} and from the test through a port published on
 * 127.0.0.1, which the broker advertises as such.
 */
public final class KafkaBroker implements AutoCloseable {

    /** The listener other containers on the network use. */
    public static final int PORT = 9092;

    private static final int EXTERNAL_PORT = 9094;
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(1);

    private final ContainerEngine engine;
    private final String name;
    private final String alias;
    private final int hostPort;

    private KafkaBroker(ContainerEngine engine, String name, String alias, int hostPort) {
        this.engine = engine;
        this.name = name;
        this.alias = alias;
        this.hostPort = hostPort;
    }

    public static String image() {
        return System.getProperty("image.kafka", "flinkstack/kafka:4.2.0");
    }

    /**
     * Starts the broker as container {@code name} on {@code network} with the given topics (name to
     * partition count) and waits until they exist.
     */
    public static KafkaBroker start(ContainerEngine engine, String name, String network, String alias,
                                    Map<String, Integer> topics) {
        int hostPort = freePort();
        KafkaBroker broker = new KafkaBroker(engine, name, alias, hostPort);
        try {
            engine.start(new ContainerEngine.Container(name, image())
                    .network(network, alias)
                    .env("KAFKA_HOST", alias)
                    .env("KAFKA_EXTERNAL_ADDRESS", "127.0.0.1:" + hostPort)
                    // The advertised port must be the published one, so it is chosen here.
                    .option("--publish", "127.0.0.1:" + hostPort + ":" + EXTERNAL_PORT)
                    .option("--read-only")
                    .tmpfs("/tmp"));
            try (Admin admin = broker.admin()) {
                Await.condition("Kafka to answer", STARTUP_TIMEOUT, () -> {
                    try {
                        return !get(admin.describeCluster().nodes()).isEmpty();
                    } catch (IllegalStateException e) {
                        return false;
                    }
                });
                // Kept forever: the tests' records carry event times of 2026-01-01, which the broker's
                // 7-day time retention would delete in its first pass, 30 s after it starts.
                get(admin.createTopics(topics.entrySet().stream()
                        .map(topic -> new NewTopic(topic.getKey(), topic.getValue(), (short) 1)
                                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")))
                        .toList()).all());
            }
            return broker;
        } catch (RuntimeException | AssertionError e) {
            broker.close();
            throw e;
        }
    }

    /** The bootstrap servers of the containers on the network. */
    public String bootstrapServers() {
        return alias + ":" + PORT;
    }

    /**
     * Writes {@code count} lines to {@code topic} in order, line {@code i} being {@code lines.apply(i)},
     * at most {@code perSecond} a second (0: as fast as the broker takes them), and waits until all are
     * acknowledged.
     */
    public void produce(String topic, long count, LongFunction<String> lines, long perSecond) {
        produce(topic, count, lines, perSecond, () -> false);
    }

    /**
     * As {@link #produce(String, long, LongFunction, long)}, but stops early once {@code stop} says so;
     * returns how many lines were written (and acknowledged).
     */
    public long produce(String topic, long count, LongFunction<String> lines, long perSecond, BooleanSupplier stop) {
        Properties properties = clientProperties();
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
            long start = System.nanoTime();
            long i = 0;
            for (; i < count && !stop.getAsBoolean(); i++) {
                if (perSecond > 0) {
                    long wait = start + i * 1_000_000_000L / perSecond - System.nanoTime();
                    if (wait > 0) {
                        Await.sleep(Duration.ofNanos(wait));
                    }
                }
                producer.send(new ProducerRecord<>(topic, lines.apply(i)));
            }
            producer.flush();
            return i;
        }
    }

    /** Every message of {@code topic} a {@code read_committed} consumer sees, read to the topic's end. */
    public List<String> readCommitted(String topic) {
        Properties properties = clientProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(partition -> new TopicPartition(topic, partition.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<String> values = new ArrayList<>();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
            }
            return values;
        }
    }

    /** The offsets {@code group} has committed for {@code topic}, summed over its partitions. */
    public long committedOffsets(String group, String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
            return offsets.entrySet().stream()
                    .filter(entry -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
                    .mapToLong(entry -> entry.getValue().offset())
                    .sum();
        }
    }

    /** The end offset of {@code topic}, summed over its partitions: the messages written to it. */
    public long endOffsets(String topic) {
        try (Admin admin = admin()) {
            int partitions = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return get(admin.listOffsets(request).all()).values().stream().mapToLong(info -> info.offset()).sum();
        }
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String logs() {
        return engine.logs(name);
    }

    private Admin admin() {
        return Admin.create(clientProperties());
    }

    private Properties clientProperties() {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", "127.0.0.1:" + hostPort);
        return properties;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        engine.remove(name);
    }
}
