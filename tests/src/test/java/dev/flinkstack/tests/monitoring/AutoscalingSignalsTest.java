package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Values;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Flink autoscaling signals are defined once, as the recording rules of charts/flink/rules: the
 * prometheus-adapter configuration of monitoring/ serves each of them, every External metric of the
 * chart's HPA is served by exactly one adapter rule, and the chart's KEDA triggers query them.
 */
class AutoscalingSignalsTest {

    private static final Values FLINK_SIGNALS = Values.of("mode", "application", "autoscaling.enabled", true,
            "autoscaling.flinkMetrics.busyTimeMsPerSecond", 700,
            "autoscaling.flinkMetrics.backPressuredTimeMsPerSecond", 300,
            "autoscaling.flinkMetrics.pendingRecordsPerTaskManager", 100000);

    @Test
    void shouldServeEachRecordingRuleUnderItsNameWithUnderscores() {
        List<String> served = new ArrayList<>();
        for (JsonNode rule : adapterRules()) {
            String series = seriesName(rule.path("seriesQuery").asText());
            assertThat(rule.at("/name/as").asText()).as(series).isEqualTo(series.replace(':', '_'));
            assertThat(rule.at("/resources/overrides/namespace/resource").asText())
                    .as("the HPA's namespace selects the series").isEqualTo("namespace");
            assertThat(rule.path("metricsQuery").asText()).isEqualTo("<<.Series>>{<<.LabelMatchers>>}");
            served.add(series);
        }
        assertThat(served).containsExactlyInAnyOrderElementsOf(recordingRules());
    }

    @HelmTest
    void shouldServeEveryExternalMetricOfTheHpaWithExactlyOneAdapterRule(Helm helm) {
        List<String> metrics = new ArrayList<>();
        for (JsonNode metric : helm.render(FLINK_SIGNALS).get("HorizontalPodAutoscaler", "flink-taskmanager").at("/spec/metrics")) {
            if (metric.path("type").asText().equals("External")) {
                metrics.add(metric.at("/external/metric/name").asText());
            }
        }
        assertThat(metrics).hasSize(recordingRules().size());
        for (String metric : metrics) {
            assertThat(adapterRules()).as("adapter rules serving " + metric)
                    .filteredOn(rule -> rule.at("/name/as").asText().equals(metric)).hasSize(1);
        }
    }

    @HelmTest
    void shouldQueryTheRecordingRulesFromKedaTriggers(Helm helm) {
        JsonNode triggers = helm.render(FLINK_SIGNALS.with("autoscaling.engine", "keda",
                        "autoscaling.keda.serverAddress", "http://prometheus-operated.monitoring.svc:9090"), Helm.KEDA_API)
                .get("ScaledObject", "flink-taskmanager").at("/spec/triggers");
        List<String> queried = new ArrayList<>();
        for (JsonNode trigger : triggers) {
            if (trigger.path("type").asText().equals("prometheus")) {
                queried.add(seriesName(trigger.at("/metadata/query").asText()));
            }
        }
        assertThat(queried).containsExactlyInAnyOrderElementsOf(recordingRules());
    }

    /** The external rules of monitoring/prometheus-adapter/values.yaml. */
    private static List<JsonNode> adapterRules() {
        List<JsonNode> rules = new ArrayList<>();
        MonitoringFiles.read(MonitoringFiles.dir().resolve("prometheus-adapter/values.yaml")).at("/rules/external").forEach(rules::add);
        return rules;
    }

    /** The names of the recording rules of every rules file. */
    private static List<String> recordingRules() {
        List<String> names = new ArrayList<>();
        for (Path file : MonitoringFiles.ruleFiles()) {
            for (JsonNode group : MonitoringFiles.read(file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("record")) {
                        names.add(rule.path("record").asText());
                    }
                }
            }
        }
        return names;
    }

    /** The metric name of a selector, e.g. {@code a:b:c} of {@code a:b:c{namespace="x"}}. */
    private static String seriesName(String selector) {
        return selector.replaceFirst("\\{.*", "").strip();
    }
}
