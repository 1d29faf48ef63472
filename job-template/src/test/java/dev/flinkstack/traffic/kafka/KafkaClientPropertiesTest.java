package dev.flinkstack.traffic.kafka;

import dev.flinkstack.traffic.JobOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** Tests for {@link KafkaClientProperties}. */
class KafkaClientPropertiesTest {

    @TempDir
    Path tmp;

    @Test
    void noneWithoutAFile() {
        assertThat(KafkaClientProperties.of(JobOptions.parse())).isEmpty();
    }

    @Test
    void readsTheFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("client.properties"),
                "security.protocol=SASL_SSL\nsasl.mechanism = SCRAM-SHA-512\n# a comment\n");
        assertThat(KafkaClientProperties.of(JobOptions.parse("--kafka-properties", file.toString())))
                .containsOnly(
                        entry("security.protocol", "SASL_SSL"),
                        entry("sasl.mechanism", "SCRAM-SHA-512"));
    }

    @Test
    void aMissingFileNamesTheOption() {
        JobOptions options = JobOptions.parse("--kafka-properties", tmp.resolve("missing").toString());
        assertThatThrownBy(() -> KafkaClientProperties.of(options))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("Cannot read --kafka-properties " + tmp.resolve("missing"));
    }
}
