package dev.flinkstack.traffic.kafka;

import dev.flinkstack.traffic.JobOptions;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The Kafka client settings of {@code --kafka-properties} (security, timeouts), shared by the source
 * and the alerts topic. Read where the job is built (the client or the JobManager), so the file need
 * not exist on the TaskManagers; the settings travel with the job graph.
 */
public final class KafkaClientProperties {

    private KafkaClientProperties() {}

    /** The settings file's properties; none without {@code --kafka-properties}. */
    public static Properties of(JobOptions options) {
        Properties properties = new Properties();
        options.kafkaProperties().ifPresent(file -> {
            try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read --kafka-properties " + file + ": " + e.getMessage(), e);
            }
        });
        return properties;
    }
}
