package dev.flinkstack.traffic;

import dev.flinkstack.traffic.JobOptions.KafkaStart;
import dev.flinkstack.traffic.JobOptions.KafkaStop;
import dev.flinkstack.traffic.JobOptions.Source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tests for {@link JobOptions}. */
class JobOptionsTest {

    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07.891Z");
    private static final Clock CLOCK = Clock.fixed(NOW.plusNanos(123_456), ZoneOffset.UTC);

    @Test
    void defaults() {
        JobOptions options = JobOptions.parse(CLOCK);

        assertThat(options.help()).isFalse();
        assertThat(options.source()).isEqualTo(Source.GENERATOR);
        assertThat(options.rate()).isEqualTo(1000);
        assertThat(options.records()).isZero();
        assertThat(options.keys()).isEqualTo(100);
        assertThat(options.seed()).isEqualTo(42);
        assertThat(options.malformedEvery()).isEqualTo(1000);
        assertThat(options.startTime()).isEqualTo(NOW);
        assertThat(options.inputDir()).isEqualTo("file:///flink-data/input");
        assertThat(options.monitorInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.bytesThreshold()).isEqualTo(10_000_000);
        assertThat(options.portScanThreshold()).isEqualTo(20);
        assertThat(options.output()).isEqualTo("file:///flink-data/output");
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.parallelism()).isEqualTo(-1);
        assertThat(options.kafkaBootstrapServers()).isEqualTo("localhost:9092");
        assertThat(options.kafkaTopic()).isEqualTo("flows");
        assertThat(options.kafkaGroupId()).isEqualTo("traffic-analytics");
        assertThat(options.kafkaStart()).isEqualTo(KafkaStart.COMMITTED);
        assertThat(options.kafkaStop()).isEqualTo(KafkaStop.NEVER);
        assertThat(options.kafkaProperties()).isEmpty();
        assertThat(options.alertsTopic()).isEmpty();
    }

    @Test
    void defaultStartTimeIsNow() {
        Instant before = Instant.now().minusMillis(1);
        Instant startTime = JobOptions.parse().startTime();
        assertThat(startTime).isBetween(before, Instant.now());
    }

    @Test
    void everyOption() {
        JobOptions options = JobOptions.parse(
                CLOCK,
                "--source", "files",
                "--rate", "0",
                "--records", "20_000",
                "--keys", "7",
                "--seed", "-3",
                "--malformed-every", "0",
                "--start-time", "2026-01-01T00:00:00Z",
                "--input-dir", "/data/in",
                "--monitor-interval", "500ms",
                "--window", "1min",
                "--out-of-orderness", "0",
                "--idle-timeout", "0s",
                "--bytes-threshold", "123",
                "--port-scan-threshold", "4",
                "--output", "file:///tmp/out",
                "--checkpoint-interval", "2s",
                "--parallelism", "3",
                "--kafka-bootstrap-servers", "k1:9092,k2:9092",
                "--kafka-topic", "netflow",
                "--kafka-group-id", "analytics-eu",
                "--kafka-start", "latest",
                "--kafka-stop", "latest",
                "--kafka-properties", "/etc/kafka/client.properties",
                "--alerts-topic", "netflow-alerts");

        assertThat(options.source()).isEqualTo(Source.FILES);
        assertThat(options.rate()).isZero();
        assertThat(options.records()).isEqualTo(20_000);
        assertThat(options.keys()).isEqualTo(7);
        assertThat(options.seed()).isEqualTo(-3);
        assertThat(options.malformedEvery()).isZero();
        assertThat(options.startTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(options.inputDir()).isEqualTo("/data/in");
        assertThat(options.monitorInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(options.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.outOfOrderness()).isZero();
        assertThat(options.idleTimeout()).isZero();
        assertThat(options.bytesThreshold()).isEqualTo(123);
        assertThat(options.portScanThreshold()).isEqualTo(4);
        assertThat(options.output()).isEqualTo("file:///tmp/out");
        assertThat(options.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.parallelism()).isEqualTo(3);
        assertThat(options.kafkaBootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(options.kafkaTopic()).isEqualTo("netflow");
        assertThat(options.kafkaGroupId()).isEqualTo("analytics-eu");
        assertThat(options.kafkaStart()).isEqualTo(KafkaStart.LATEST);
        assertThat(options.kafkaStop()).isEqualTo(KafkaStop.LATEST);
        assertThat(options.kafkaProperties()).contains("/etc/kafka/client.properties");
        assertThat(options.alertsTopic()).contains("netflow-alerts");
    }

    @Test
    void equalsSyntaxAndEpochMillisStartTime() {
        JobOptions options = JobOptions.parse(CLOCK, "--rate=50", "--start-time=1767225600000", "--source=GENERATOR");
        assertThat(options.rate()).isEqualTo(50);
        assertThat(options.startTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(options.source()).isEqualTo(Source.GENERATOR);
    }

    @Test
    void helpWinsOverEverythingElse() {
        assertThat(JobOptions.parse(CLOCK, "--help").help()).isTrue();
        assertThat(JobOptions.parse(CLOCK, "--rate", "5", "-h").help()).isTrue();
    }

    @Test
    void usageListsEveryOptionWithItsDefault() {
        String usage = JobOptions.usage();
        for (String expected : new String[] {
            "--source generator|files|kafka", "(default: generator)",
            "--kafka-bootstrap-servers LIST", "(default: localhost:9092)", "--kafka-topic NAME", "(default: flows)",
            "--kafka-group-id ID", "--kafka-start POSITION", "(default: committed)", "--kafka-stop never|latest",
            "--kafka-properties PATH", "--alerts-topic NAME", "(default: none)",
            "--rate N", "(default: 1000)",
            "--records N", "--keys N", "(default: 100)", "--seed N", "(default: 42)",
            "--malformed-every N", "--start-time", "(default: now)",
            "--input-dir PATH", "(default: file:///flink-data/input)",
            "--monitor-interval DURATION", "--window DURATION", "(default: 10s)",
            "--out-of-orderness DURATION", "(default: 5s)", "--idle-timeout DURATION", "(default: 30s)",
            "--bytes-threshold BYTES", "(default: 10000000)", "--port-scan-threshold N", "(default: 20)",
            "--output PATH", "(default: file:///flink-data/output)", "--checkpoint-interval DURATION",
            "--parallelism N", "(default: cluster default)", "--help"
        }) {
            assertThat(usage).contains(expected);
        }
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({
        "--source, s3, Invalid value for --source: 's3' (expected generator or files or kafka)",
        "--kafka-start, beginning, Invalid value for --kafka-start: 'beginning' (expected committed or earliest or latest)",
        "--kafka-stop, '', Invalid value for --kafka-stop: '' (expected never or latest)",
        "--alerts-topic, '', Invalid value for --alerts-topic: '' (expected a non-empty value)",
        "--rate, abc, Invalid value for --rate: 'abc' (expected an integer >= 0)",
        "--rate, -5, Invalid value for --rate: '-5' (expected an integer >= 0)",
        "--records, 1.5, Invalid value for --records: '1.5'",
        "--keys, 0, Invalid value for --keys: '0' (expected an integer in 1..16777216)",
        "--seed, x, Invalid value for --seed: 'x' (expected an integer)",
        "--malformed-every, -1, Invalid value for --malformed-every: '-1'",
        "--start-time, yesterday, Invalid value for --start-time: 'yesterday'",
        "--monitor-interval, 0, Invalid value for --monitor-interval: '0'",
        "--window, 10 parsecs, Invalid value for --window: '10 parsecs'",
        "--window, 0ms, Invalid value for --window: '0ms'",
        "--out-of-orderness, -1s, Invalid value for --out-of-orderness: '-1s'",
        "--idle-timeout, soon, Invalid value for --idle-timeout: 'soon'",
        "--bytes-threshold, 10MB, Invalid value for --bytes-threshold: '10MB'",
        "--port-scan-threshold, 0, Invalid value for --port-scan-threshold: '0'",
        "--checkpoint-interval, 5ms, Invalid value for --checkpoint-interval: '5ms'",
        "--parallelism, 0, Invalid value for --parallelism: '0'",
    })
    void badValuesNameTheOption(String option, String value, String message) {
        assertThatThrownBy(() -> JobOptions.parse(CLOCK, option, value))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .startsWith(message)
                .contains("Usage: TrafficAnalyticsJob");
    }

    @Test
    void emptyPathsAreRejected() {
        assertThatThrownBy(() -> JobOptions.parse(CLOCK, "--output="))
                .hasMessageStartingWith("Invalid value for --output: ''");
    }

    @Test
    void unknownOptionIsRejected() {
        assertThatThrownBy(() -> JobOptions.parse(CLOCK, "--rtae", "5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unknown option: --rtae")
                .hasMessageContaining("Usage: TrafficAnalyticsJob");
    }

    @Test
    void missingValueIsRejected() {
        assertThatThrownBy(() -> JobOptions.parse(CLOCK, "--rate"))
                .hasMessageStartingWith("Missing value for --rate");
        assertThatThrownBy(() -> JobOptions.parse(CLOCK, "--rate", "--keys", "5"))
                .hasMessageStartingWith("Missing value for --rate");
    }

    @Test
    void strayArgumentIsRejected() {
        assertThatThrownBy(() -> JobOptions.parse(CLOCK, "generator"))
                .hasMessageStartingWith("Unexpected argument: 'generator'");
    }
}
