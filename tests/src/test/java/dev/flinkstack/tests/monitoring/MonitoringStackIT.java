package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.RunningJob;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboards and alerts against a real cluster: the example job on the project's images, scraped
 * by a real Prometheus that loads the chart's alert rules. Every panel query of every dashboard must return
 * data; the panels that stay at zero in steady state (failed checkpoints, restarts) must show the
 * faults this test causes (a checkpoint directory turned read-only, a TaskManager killed), and the
 * matching alerts must fire. The results go to target/monitoring-report.md.
 */
class MonitoringStackIT {

    /**
     * RocksDB native metrics the TaskManagers dashboard reads; Flink turns them all off by default.
     * column-family-as-variable makes the state name a label instead of part of the metric name.
     */
    static final String ROCKSDB_METRICS = String.join("\n",
            "state.backend.rocksdb.metrics.column-family-as-variable: true",
            "state.backend.rocksdb.metrics.estimate-num-keys: true",
            "state.backend.rocksdb.metrics.estimate-live-data-size: true",
            "state.backend.rocksdb.metrics.cur-size-all-mem-tables: true",
            "state.backend.rocksdb.metrics.block-cache-usage: true",
            "state.backend.rocksdb.metrics.block-cache-capacity: true",
            "state.backend.rocksdb.metrics.total-sst-files-size: true",
            "state.backend.rocksdb.metrics.num-running-compactions: true",
            "state.backend.rocksdb.metrics.compaction-pending: true",
            "state.backend.rocksdb.metrics.estimate-pending-compaction-bytes: true",
            "state.backend.rocksdb.metrics.compaction-read-bytes: true",
            "state.backend.rocksdb.metrics.compaction-write-bytes: true",
            "state.backend.rocksdb.metrics.background-errors: true",
            "state.backend.rocksdb.metrics.is-write-stopped: true") + "\n";

    /** The example job's name as Flink's reporter writes it in the job_name label. */
    private static final String JOB_NAME_LABEL = "traffic_analytics";

    /** Grafana's $__rate_interval for a 2 s scrape interval would be 8 s; a little more smooths restarts. */
    private static final Map<String, String> VARIABLES = MonitoringFiles.variables("20s", "30m", JOB_NAME_LABEL);

    @Test
    void everyPanelShowsDataAndAlertsFireOnRealFaults() throws IOException {
        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.MAIN_CLASS));
        args.addAll(ExampleJob.ARGUMENTS);
        args.addAll(List.of("--malformed-every", "500"));
        Report report = new Report();
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(args)
                        .flinkProperties(ROCKSDB_METRICS + PrometheusServer.CLUSTER_LABEL_PROPERTY)
                        .start();
                PrometheusServer prometheus = PrometheusServer.start(MonitoringFiles.ruleFiles())) {
            FlinkRest rest = cluster.rest();
            prometheus.scrape(cluster);
            String jobId = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(2)).id();
            Await.condition("the job RUNNING with 3 completed checkpoints", Duration.ofMinutes(3),
                    () -> rest.isFullyRunning(jobId) && rest.completedCheckpoints(jobId) >= 3);

            // 1. Steady state: every panel, and the job and TaskManager variables, have data.
            report.steadyState = awaitEveryPanelHasData(prometheus, "steady state");
            assertThat(prometheus.labelValues("job_name", "flink_jobmanager_job_uptime")).contains(JOB_NAME_LABEL);
            assertThat(prometheus.labelValues("tm_id", "flink_taskmanager_Status_JVM_CPU_Load")).hasSize(2);
            // The autoscaling signals: the chart's recording rules, one series for this cluster.
            for (String signal : List.of("flink_cluster:busy_time_ms_per_second:bottleneck_sum",
                    "flink_cluster:back_pressured_time_ms_per_second:max")) {
                Await.condition(signal + " of the cluster", Duration.ofMinutes(1), () -> prometheus
                        .query(signal + "{" + PrometheusServer.CLUSTER_SELECTOR + "} >= 0").size() == 1);
            }
            // At 500 records/s the busiest vertex is idle most of each second: some samples are 0.
            Await.condition("the busiest vertex's busy time above 0 while the job processes records",
                    Duration.ofMinutes(2), () -> prometheus.query("flink_cluster:busy_time_ms_per_second:bottleneck_sum > 0").size() == 1);

            // 2. Checkpoints fail while the job's checkpoint directory is read-only for Flink (uid 9999).
            //    FlinkCheckpointFailures ignores failures in 2-minute windows that begin less than a minute
            //    after a (re)start (Flink cannot trigger checkpoints while tasks deploy): let the job run 3 minutes.
            Await.condition("the job running for 3 minutes", Duration.ofMinutes(5),
                    () -> !prometheus.query("flink_jobmanager_job_uptime > 185000").isEmpty());
            Path checkpoints = cluster.dataDir().resolve("checkpoints").resolve(jobId);
            int failedBefore = failedCheckpoints(rest, jobId);
            double failedPanelBefore = panelValue(prometheus, "flink-job", "Failed checkpoints in range");
            Files.setPosixFilePermissions(checkpoints, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                Await.condition("a checkpoint to fail", Duration.ofMinutes(2), () -> failedCheckpoints(rest, jobId) > failedBefore);
            } finally {
                Files.setPosixFilePermissions(checkpoints, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            report.put("Failed checkpoints in range, above " + failedPanelBefore + " before",
                    awaitPanelAbove(prometheus, "flink-job", "Failed checkpoints in range", failedPanelBefore));
            report.alerts.put("FlinkCheckpointFailures", awaitFiring(prometheus, "FlinkCheckpointFailures", Duration.ofMinutes(5)));
            Await.condition("the job RUNNING again", Duration.ofMinutes(3), () -> rest.isFullyRunning(jobId));

            // 3. The TaskManager running the job's tasks is killed and not replaced: the job restarts on
            //    the other one, and Flink has one TaskManager fewer.
            String victim = cluster.taskManagersRunningTasks().get(0);
            double restartsBefore = panelValue(prometheus, "flink-job", "Restarts in range");
            cluster.kill(victim);
            report.put("Restarts in range, above " + restartsBefore + " before",
                    awaitPanelAbove(prometheus, "flink-job", "Restarts in range", restartsBefore));
            report.alerts.put("FlinkJobRestarting", awaitFiring(prometheus, "FlinkJobRestarting", Duration.ofMinutes(2)));
            report.alerts.put("FlinkTaskManagersLost", awaitFiring(prometheus, "FlinkTaskManagersLost", Duration.ofMinutes(4)));
            report.alertsJson = prometheus.alerts().toPrettyString();

            // 4. A replacement TaskManager: the cluster is whole again and every panel still has data.
            cluster.startTaskManager();
            prometheus.scrape(cluster);
            cluster.awaitTaskManagers(2);
            Await.condition("the job RUNNING after the TaskManager loss", Duration.ofMinutes(3), () -> rest.isFullyRunning(jobId));
            Await.condition("Prometheus to see 2 registered and 2 scraped TaskManagers", Duration.ofMinutes(2),
                    () -> !prometheus.query("sum(flink_jobmanager_numRegisteredTaskManagers) == 2").isEmpty()
                            && !prometheus.query("count(flink_taskmanager_Status_JVM_CPU_Load) == 2").isEmpty());
            report.afterFaults = awaitEveryPanelHasData(prometheus, "after the faults");
        } finally {
            report.write(Path.of("target", "monitoring-report.md"));
        }
    }

    private static int failedCheckpoints(FlinkRest rest, String jobId) {
        return rest.checkpoints(jobId).path("counts").path("failed").asInt();
    }

    /** Polls until every panel query returns at least one series; fails listing the empty ones. */
    private static Map<MonitoringFiles.PanelQuery, JsonNode> awaitEveryPanelHasData(PrometheusServer prometheus, String phase) {
        List<MonitoringFiles.PanelQuery> queries = MonitoringFiles.panelQueries();
        Map<MonitoringFiles.PanelQuery, JsonNode> results = new LinkedHashMap<>();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (true) {
            List<String> empty = new ArrayList<>();
            for (MonitoringFiles.PanelQuery query : queries) {
                // A query Prometheus rejects fails at once: that is a broken panel, not missing data.
                JsonNode result = prometheus.query(query.concrete(VARIABLES));
                results.put(query, result);
                if (result.isEmpty()) {
                    empty.add(query.id() + " '" + query.panelTitle() + "': " + query.concrete(VARIABLES));
                }
            }
            if (empty.isEmpty()) {
                return results;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("panels without data (" + phase + "):\n" + String.join("\n", empty));
            }
            Await.sleep(Duration.ofSeconds(5));
        }
    }

    /** The concrete (first) query of a panel. */
    private static String panelQuery(String dashboardUid, String panelTitle) {
        return MonitoringFiles.panelQueries().stream()
                .filter(q -> q.dashboardUid().equals(dashboardUid) && q.panelTitle().equals(panelTitle))
                .findFirst().orElseThrow(() -> new AssertionError("no panel '" + panelTitle + "' in " + dashboardUid))
                .concrete(VARIABLES);
    }

    /** The highest value of a panel's (first) query now, 0 without data. */
    private static double panelValue(PrometheusServer prometheus, String dashboardUid, String panelTitle) {
        double max = 0;
        for (JsonNode series : prometheus.query(panelQuery(dashboardUid, panelTitle))) {
            max = Math.max(max, Double.parseDouble(series.at("/value/1").asText()));
        }
        return max;
    }

    /** Polls a panel's (first) query until some series of it is above {@code before}; returns the result. */
    private static JsonNode awaitPanelAbove(PrometheusServer prometheus, String dashboardUid, String panelTitle,
                                            double before) {
        String promql = panelQuery(dashboardUid, panelTitle);
        return Await.until("'" + panelTitle + "' above " + before + ": " + promql, Duration.ofMinutes(2), () -> {
            JsonNode result = prometheus.query(promql);
            for (JsonNode series : result) {
                if (Double.parseDouble(series.at("/value/1").asText()) > before) {
                    return Optional.of(result);
                }
            }
            return Optional.empty();
        });
    }

    /** Polls until the alert fires; returns how long that took. */
    private static Duration awaitFiring(PrometheusServer prometheus, String alert, Duration timeout) {
        Instant start = Instant.now();
        Await.condition(alert + " firing in Prometheus", timeout,
                () -> prometheus.alertState(alert).filter("firing"::equals).isPresent());
        return Duration.between(start, Instant.now());
    }

    /** What the run showed, for the closing note. */
    private static final class Report {
        Map<MonitoringFiles.PanelQuery, JsonNode> steadyState = Map.of();
        Map<MonitoringFiles.PanelQuery, JsonNode> afterFaults = Map.of();
        final Map<String, JsonNode> faultPanels = new LinkedHashMap<>();
        final Map<String, Duration> alerts = new LinkedHashMap<>();
        String alertsJson = "";

        void put(String what, JsonNode result) {
            faultPanels.put(what, result);
        }

        void write(Path file) throws IOException {
            StringBuilder out = new StringBuilder("# Monitoring run against a real cluster\n\n");
            out.append("Variables: ").append(VARIABLES).append("\n\n");
            out.append("| Dashboard | Panel | Query | Steady state | After faults |\n|---|---|---|---|---|\n");
            for (MonitoringFiles.PanelQuery query : MonitoringFiles.panelQueries()) {
                out.append("| ").append(query.dashboardUid()).append(" | ").append(query.panelTitle()).append(" (")
                        .append(query.refId()).append(") | `").append(query.expr().replace("|", "\\|")).append("` | ")
                        .append(summary(steadyState.get(query))).append(" | ").append(summary(afterFaults.get(query)))
                        .append(" |\n");
            }
            out.append("\n## Panels made non-zero by faults\n\n");
            faultPanels.forEach((what, result) -> out.append("- ").append(what).append(": ").append(summary(result)).append('\n'));
            out.append("\n## Alerts firing in Prometheus\n\n");
            alerts.forEach((alert, took) -> out.append("- ").append(alert).append(": firing after ")
                    .append(took.toSeconds()).append(" s\n"));
            out.append("\n```json\n").append(alertsJson).append("\n```\n");
            Files.createDirectories(file.getParent());
            Files.writeString(file, out);
        }

        private static String summary(JsonNode result) {
            if (result == null) {
                return "not run";
            }
            if (result.isEmpty()) {
                return "**no data**";
            }
            return result.size() + " series, e.g. " + result.get(0).at("/value/1").asText();
        }
    }
}
