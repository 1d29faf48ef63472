package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.faulttolerance.KafkaTrafficJob;
import dev.flinkstack.tests.support.ChartDefaults;
import dev.flinkstack.tests.support.FlinkContainerCluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The chart's autoscaling on busy time without Kubernetes, for tests and benchmarks: a real
 * Prometheus evaluates the chart's recording rules on a reactive-mode cluster, and the HPA's (and
 * KEDA's) formula turns the signal into a TaskManager count, which the caller applies to the cluster
 * as the HPA controller would to the Deployment.
 */
public final class BusyTimeAutoscaling implements AutoCloseable {

    /** The signal the chart's HPA or ScaledObject reads, for the cluster under test. */
    private static final String SIGNAL = "flink_cluster:busy_time_ms_per_second:bottleneck_sum{"
            + PrometheusServer.CLUSTER_SELECTOR + "}";
    /**
     * autoscaling.flinkMetrics.busyTimeMsPerSecond for the example job reading Kafka, one slot per
     * TaskManager: a backlog read at full speed keeps the busiest vertex at ~1000 ms/s, as does the
     * job's start-up; a job keeping up with 2000 records/s stays below it, and an idle one peaks at
     * 30-110 ms/s (checkpoints).
     */
    public static final double TARGET_PER_TASK_MANAGER = 150;
    public static final int MIN_TASK_MANAGERS = 1;
    public static final int MAX_TASK_MANAGERS = 2;

    private final PrometheusServer prometheus;

    private BusyTimeAutoscaling(PrometheusServer prometheus) {
        this.prometheus = prometheus;
    }

    /**
     * An application cluster running {@code job} in reactive mode with the chart's settings, one slot
     * per TaskManager and the minimum of TaskManagers, its metrics labelled as the chart labels them.
     */
    public static FlinkContainerCluster.Builder reactiveCluster(KafkaTrafficJob job) {
        return FlinkContainerCluster.application(job.standaloneJobArguments())
                .kafka(KafkaTrafficJob.TOPICS)
                .taskManagers(MIN_TASK_MANAGERS)
                .flinkProperties(ChartDefaults.reactiveProperties() + "taskmanager.numberOfTaskSlots: 1\n"
                        + PrometheusServer.CLUSTER_LABEL_PROPERTY);
    }

    /** Prometheus with the chart's rules, scraping {@code cluster}. */
    public static BusyTimeAutoscaling start(FlinkContainerCluster cluster) throws IOException {
        BusyTimeAutoscaling autoscaling = new BusyTimeAutoscaling(PrometheusServer.start(MonitoringFiles.ruleFiles()));
        autoscaling.scrape(cluster);
        return autoscaling;
    }

    /** Scrapes the cluster's containers as they are now (after a TaskManager started). */
    public void scrape(FlinkContainerCluster cluster) {
        prometheus.scrape(cluster);
    }

    /** The signal now, if Prometheus has it. */
    public Optional<Double> signal() {
        return value(SIGNAL);
    }

    /** The signal's highest value over the last {@code window}. */
    public Optional<Double> peakOver(Duration window) {
        return value("max_over_time(" + SIGNAL + "[" + window.toSeconds() + "s])");
    }

    /** The formula for an AverageValue target: ceil(value / target per pod) pods, within the bounds. */
    public static int desiredTaskManagers(double busyTime) {
        int wanted = (int) Math.ceil(busyTime / TARGET_PER_TASK_MANAGER);
        return Math.max(MIN_TASK_MANAGERS, Math.min(MAX_TASK_MANAGERS, wanted));
    }

    /** The single series' value of an instant query, if there is one. */
    private Optional<Double> value(String promql) {
        JsonNode result = prometheus.query(promql);
        return result.size() == 1 ? Optional.of(result.at("/0/value/1").asDouble()) : Optional.empty();
    }

    @Override
    public void close() {
        prometheus.close();
    }
}
