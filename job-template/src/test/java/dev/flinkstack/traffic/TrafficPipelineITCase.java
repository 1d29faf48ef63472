package dev.flinkstack.traffic;

import dev.flinkstack.traffic.functions.AlertDetector;
import dev.flinkstack.traffic.functions.ParseFlowRecords;
import dev.flinkstack.traffic.parse.FlowParser;
import dev.flinkstack.traffic.parse.InvalidFlowException;
import dev.flinkstack.traffic.records.Alert;
import dev.flinkstack.traffic.records.AlertType;
import dev.flinkstack.traffic.records.MalformedRecord;
import dev.flinkstack.traffic.records.TrafficAggregate;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ITCase for {@link TrafficPipeline}: a hand-built finite input, exact outputs, parallelism 2. */
class TrafficPipelineITCase {

    private static final int PARALLELISM = 2;

    // Keeps metrics after the job finishes, so the counters can be checked by name.
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER_EXTENSION = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build());

    private static final long T = 1_767_225_600_000L; // 2026-01-01T00:00:00Z, a window boundary
    private static final String A = "10.0.0.1";
    private static final String B = "10.0.0.2";
    private static final String C = "10.0.0.3";

    static final List<String> INPUT = List.of(
            // Window [T, T+10s)
            json(T + 1_000, A, 443, 1_000, 2),
            csv(T + 2_000, A, 80, 3_000, 3),
            "{\"ts\":\"2026-01-01T00:00:09.999Z\",\"src\":\"10.0.0.1\",\"dst\":\"172.16.0.1\",\"dstPort\":443,"
                    + "\"proto\":\"TCP\",\"bytes\":500,\"packets\":1}",
            csv(T + 500, B, 1, 60, 1),
            csv(T + 600, B, 2, 60, 1),
            json(T + 700, B, 3, 60, 1),
            json(T + 3_000, C, 443, 5_001, 4),
            "not a flow record",
            // Window [T+10s, T+20s), with A's T+8s flow arriving late but within the 5s bound
            csv(T + 10_000, A, 22, 5_000, 4),
            json(T + 8_000, A, 80, 100, 1),
            "{\"ts\":\"2026-01-01T01:00:15+01:00\",\"src\":\"10.0.0.2\",\"dst\":\"172.16.0.1\",\"dstPort\":4,"
                    + "\"proto\":\"udp\",\"bytes\":70,\"packets\":1}",
            "",
            csv(T + 12_000, B, 70_000, 10, 1),
            // Window [T+20s, T+30s)
            csv(T + 25_000, C, 1, 2_000, 2),
            csv(T + 26_000, C, 2, 2_000, 2),
            json(T + 27_000, C, 3, 2_001, 2),
            "{\"ts\":" + (T + 28_000) + ",\"src\":\"10.0.0.3\",\"dst\":\"172.16.0.1\",\"dstPort\":3,",
            csv(T + 29_000, C, 443, -1, 1));

    /** The options this input is written for. */
    static final String[] ARGUMENTS = {
        "--window", "10s", "--out-of-orderness", "5s", "--bytes-threshold", "5000", "--port-scan-threshold", "3"};

    static final List<TrafficAggregate> AGGREGATES = List.of(
            new TrafficAggregate(A, T, T + 10_000, 4_600, 7, 4, 2),
            new TrafficAggregate(B, T, T + 10_000, 180, 3, 3, 3),
            new TrafficAggregate(C, T, T + 10_000, 5_001, 4, 1, 1),
            new TrafficAggregate(A, T + 10_000, T + 20_000, 5_000, 4, 1, 1),
            new TrafficAggregate(B, T + 10_000, T + 20_000, 70, 1, 1, 1),
            new TrafficAggregate(C, T + 20_000, T + 30_000, 6_001, 6, 3, 3));

    static final List<Alert> ALERTS = List.of(
            new Alert(AlertType.PORT_SCAN, B, T, T + 10_000, 3, 3),
            new Alert(AlertType.VOLUME, C, T, T + 10_000, 5_001, 5_000),
            new Alert(AlertType.VOLUME, C, T + 20_000, T + 30_000, 6_001, 5_000),
            new Alert(AlertType.PORT_SCAN, C, T + 20_000, T + 30_000, 3, 3));

    static final List<MalformedRecord> MALFORMED = List.of(
            new MalformedRecord(
                    "expected 7 CSV fields (ts,src,dst,dstPort,proto,bytes,packets) but got 1",
                    "not a flow record"),
            new MalformedRecord("empty line", ""),
            new MalformedRecord("dstPort out of range 0..65535: 70000", csv(T + 12_000, B, 70_000, 10, 1)),
            new MalformedRecord(jsonError(INPUT.get(16)), INPUT.get(16)),
            new MalformedRecord("negative bytes: -1", csv(T + 29_000, C, 443, -1, 1)));

    @Test
    void producesExactAggregatesAlertsAndMalformedRecords() throws Exception {
        JobOptions options = JobOptions.parse(ARGUMENTS);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);

        TrafficPipeline.Outputs outputs = TrafficPipeline.build(env.fromData(INPUT), options);
        CloseableIterator<TrafficAggregate> aggregates = outputs.aggregates().collectAsync();
        CloseableIterator<Alert> alerts = outputs.alerts().collectAsync();
        CloseableIterator<MalformedRecord> malformed = outputs.malformed().collectAsync();
        JobClient job = env.executeAsync("traffic-pipeline-itcase");

        assertThat(drain(aggregates)).containsExactlyInAnyOrderElementsOf(AGGREGATES);
        assertThat(drain(alerts)).containsExactlyInAnyOrderElementsOf(ALERTS);
        assertThat(drain(malformed)).containsExactlyInAnyOrderElementsOf(MALFORMED);
        assertThat(job.getJobExecutionResult().get().isJobExecutionResult()).isTrue();

        assertThat(counterTotal(job.getJobID(), ParseFlowRecords.PARSED_RECORDS_METRIC)).isEqualTo(13);
        assertThat(counterTotal(job.getJobID(), ParseFlowRecords.MALFORMED_RECORDS_METRIC)).isEqualTo(5);
        assertThat(counterTotal(job.getJobID(), AlertDetector.ALERTS_RAISED_METRIC)).isEqualTo(4);
    }

    /** Sum of a counter over all subtasks; the name is what Prometheus shows after "operator_". */
    private static long counterTotal(JobID job, String name) {
        Map<String, Metric> metrics = METRICS.findMetrics(job, name);
        assertThat(metrics.keySet()).as("metrics named %s", name).isNotEmpty().allMatch(id -> id.endsWith("." + name));
        return metrics.values().stream().mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    private static <T> List<T> drain(CloseableIterator<T> iterator) throws Exception {
        List<T> items = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(items::add);
        }
        return items;
    }

    // The JSON library words this reason; the parser's own tests pin the "invalid JSON: " prefix.
    private static String jsonError(String line) {
        assertThatThrownBy(() -> FlowParser.parse(line)).hasMessageStartingWith("invalid JSON: ");
        try {
            FlowParser.parse(line);
            throw new AssertionError("not reached");
        } catch (InvalidFlowException e) {
            return e.getMessage();
        }
    }

    private static String csv(long ts, String src, int dstPort, long bytes, long packets) {
        return ts + "," + src + ",172.16.0.1," + dstPort + ",TCP," + bytes + "," + packets;
    }

    private static String json(long ts, String src, int dstPort, long bytes, long packets) {
        return "{\"ts\":" + ts + ",\"src\":\"" + src + "\",\"dst\":\"172.16.0.1\",\"dstPort\":" + dstPort
                + ",\"proto\":\"TCP\",\"bytes\":" + bytes + ",\"packets\":" + packets + "}";
    }
}
