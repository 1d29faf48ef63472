package dev.flinkstack.traffic;

import dev.flinkstack.traffic.functions.AlertDetector;
import dev.flinkstack.traffic.parse.FlowParser;
import dev.flinkstack.traffic.parse.InvalidFlowException;
import dev.flinkstack.traffic.records.Alert;
import dev.flinkstack.traffic.records.AlertType;
import dev.flinkstack.traffic.records.FlowRecord;
import dev.flinkstack.traffic.records.JsonLine;
import dev.flinkstack.traffic.records.MalformedRecord;
import dev.flinkstack.traffic.records.TrafficAggregate;
import dev.flinkstack.traffic.sinks.TrafficSinks;
import dev.flinkstack.traffic.sources.TrafficGenerator;

import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** ITCase for {@link TrafficAnalyticsJob}: stop-with-savepoint on RocksDB, restore, exactly-once output. */
class SavepointRestoreITCase {

    private static final int PARALLELISM = 2;
    private static final int RECORDS = 20_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER_EXTENSION = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build());

    @TempDir
    Path tmp;

    @Test
    void stopWithSavepointAndRestoreCommitsEveryRecordExactlyOnce(
            @InjectClusterClient ClusterClient<?> client) throws Exception {
        Path output = tmp.resolve("output");
        // 4000 records/s: the 20k records take ~5 s, so the stop lands part-way.
        JobOptions options = JobOptions.parse(
                "--records", Integer.toString(RECORDS),
                "--rate", "4000",
                "--keys", "20",
                "--seed", "7",
                "--start-time", "2026-01-01T00:00:00Z",
                "--malformed-every", "500",
                "--window", "1s",
                "--out-of-orderness", "200ms",
                "--checkpoint-interval", "200ms",
                "--parallelism", Integer.toString(PARALLELISM),
                "--output", output.toUri().toString());

        // First run: stop with a savepoint once some windows have been committed.
        JobID first = client.submitJob(jobGraph(options)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        waitForCommittedLines(output.resolve(TrafficSinks.AGGREGATES));
        String savepoint = client.stopWithSavepoint(
                        first, false, tmp.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        int committedByFirstRun = committedLines(output.resolve(TrafficSinks.AGGREGATES)).size();

        // Second run: the same job graph, restored from the savepoint, runs to the end.
        JobGraph restored = jobGraph(options);
        restored.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        JobID second = client.submitJob(restored).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JobResult result = client.requestJobResult(second).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(result.isSuccess()).as("restored job result %s", result.getSerializedThrowable()).isTrue();

        Expected expected = Expected.recompute(options);
        assertThat(expected.alerts()).extracting(Alert::type).contains(AlertType.VOLUME, AlertType.PORT_SCAN);
        assertThat(committedByFirstRun).isBetween(1, expected.aggregates().size() - 1);
        assertThat(committedLines(output.resolve(TrafficSinks.AGGREGATES)))
                .containsExactlyInAnyOrderElementsOf(json(expected.aggregates()));
        assertThat(committedLines(output.resolve(TrafficSinks.ALERTS)))
                .containsExactlyInAnyOrderElementsOf(json(expected.alerts()));
        assertThat(committedLines(output.resolve(TrafficSinks.MALFORMED)))
                .hasSize(RECORDS / 500)
                .containsExactlyInAnyOrderElementsOf(json(expected.malformed()));
    }

    /** Job-level settings of the real job, plus RocksDB with checkpoints in the temp dir. */
    private StreamExecutionEnvironment streamEnvironment(JobOptions options) {
        Configuration conf = TrafficAnalyticsJob.configuration(options);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, tmp.resolve("checkpoints").toUri().toString());
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    private JobGraph jobGraph(JobOptions options) {
        StreamExecutionEnvironment env = streamEnvironment(options);
        TrafficAnalyticsJob.build(env, options);
        return env.getStreamGraph().getJobGraph();
    }

    private static void waitForCommittedLines(Path dir) throws InterruptedException {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (committedLines(dir).isEmpty()) {
            assertThat(Instant.now()).as("committed output in %s", dir).isBefore(deadline);
            Thread.sleep(50);
        }
    }

    /** Lines of committed part files; in-progress and pending files are hidden (leading '.'). */
    static List<String> committedLines(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<String> lines = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .collect(Collectors.toList())) {
                lines.addAll(Files.readAllLines(file));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> json(List<? extends JsonLine> records) {
        return records.stream().map(JsonLine::toJson).collect(Collectors.toList());
    }

    /** What the job must output, computed directly from the generator without Flink. */
    private record Expected(List<TrafficAggregate> aggregates, List<Alert> alerts, List<MalformedRecord> malformed) {

        static Expected recompute(JobOptions options) {
            TrafficGenerator generator = new TrafficGenerator(
                    options.seed(), options.keys(), options.startTime().toEpochMilli(), options.rate(),
                    options.outOfOrderness().toMillis(), options.malformedEvery());
            long window = options.window().toMillis();
            Map<String, Totals> totals = new TreeMap<>();
            List<MalformedRecord> malformed = new ArrayList<>();
            for (long i = 0; i < options.records(); i++) {
                String line = generator.line(i);
                FlowRecord flow;
                try {
                    flow = FlowParser.parse(line);
                } catch (InvalidFlowException e) {
                    malformed.add(new MalformedRecord(e.getMessage(), line));
                    continue;
                }
                long start = flow.timestamp() - Math.floorMod(flow.timestamp(), window);
                totals.computeIfAbsent(flow.src() + "@" + start, k -> new Totals(flow.src(), start))
                        .add(flow);
            }
            List<TrafficAggregate> aggregates = new ArrayList<>();
            List<Alert> alerts = new ArrayList<>();
            AlertDetector detector = new AlertDetector(options.bytesThreshold(), options.portScanThreshold());
            for (Totals t : totals.values()) {
                TrafficAggregate aggregate = new TrafficAggregate(
                        t.src, t.start, t.start + window, t.bytes, t.packets, t.flows, t.ports.size());
                aggregates.add(aggregate);
                alerts.addAll(detector.detect(aggregate));
            }
            return new Expected(aggregates, alerts, malformed);
        }
    }

    /** A plain-Java window total. */
    private static final class Totals {
        final String src;
        final long start;
        long bytes;
        long packets;
        long flows;
        final TreeSet<Integer> ports = new TreeSet<>();

        Totals(String src, long start) {
            this.src = src;
            this.start = start;
        }

        void add(FlowRecord flow) {
            bytes += flow.bytes();
            packets += flow.packets();
            flows++;
            ports.add(flow.dstPort());
        }
    }
}
