package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.Processes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's Prometheus alert rules (charts/flink/rules): promtool accepts every rules file and passes every
 * unit test file; every alert has a severity, a summary, a description and a runbook section in
 * monitoring/README.md, and unit tests that show it firing and not firing.
 */
class AlertRulesTest {

    /** The alerts the issue asks for, by what they detect. */
    private static final Set<String> REQUIRED = Set.of(
            "FlinkJobNotRunning", "FlinkJobRestarting", "FlinkCheckpointFailures", "FlinkCheckpointsNotCompleting",
            "FlinkCheckpointDurationHigh", "FlinkBackpressureHigh", "FlinkJobManagerHeapUsageHigh",
            "FlinkTaskManagerHeapUsageHigh", "FlinkTaskManagersLost");

    static Stream<Path> ruleFiles() {
        return MonitoringFiles.ruleFiles().stream();
    }

    static Stream<Path> ruleTestFiles() {
        return MonitoringFiles.ruleTestFiles().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ruleFiles")
    void shouldPassPromtoolCheckRules(Path file) {
        Processes.Result result = Promtool.run("check", "rules", file.toString());
        assertThat(result.succeeded()).as(result.describe()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ruleTestFiles")
    void shouldPassPromtoolTestRules(Path file) {
        Processes.Result result = Promtool.run("test", "rules", file.toString());
        assertThat(result.succeeded()).as(result.describe()).isTrue();
        assertThat(result.stdout()).contains("SUCCESS");
    }

    @Test
    void shouldShipTheRequiredAlerts() {
        assertThat(alerts().keySet()).containsAll(REQUIRED);
    }

    @Test
    void shouldGiveEveryAlertASeverityAndAnnotations() {
        List<String> problems = new ArrayList<>();
        alerts().forEach((name, rule) -> {
            if (!Set.of("critical", "warning", "info").contains(rule.at("/labels/severity").asText())) {
                problems.add(name + ": severity must be critical, warning or info");
            }
            for (String annotation : List.of("summary", "description", "runbook_url")) {
                if (rule.at("/annotations/" + annotation).asText().isBlank()) {
                    problems.add(name + ": no " + annotation);
                }
            }
            String runbook = rule.at("/annotations/runbook_url").asText();
            if (!runbook.startsWith("https://github.com/flinkstack/flinkstack/blob/main/monitoring/README.md#")) {
                problems.add(name + ": runbook_url must point into monitoring/README.md: " + runbook);
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldHaveARunbookSectionForEveryRunbookUrl() throws IOException {
        Set<String> anchors = new HashSet<>();
        for (String line : Files.readAllLines(MonitoringFiles.dir().resolve("README.md"))) {
            if (line.startsWith("#")) {
                // GitHub's anchor: lower case, punctuation dropped, spaces to dashes.
                anchors.add(line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
            }
        }
        List<String> missing = new ArrayList<>();
        alerts().forEach((name, rule) -> {
            String anchor = rule.at("/annotations/runbook_url").asText().replaceFirst(".*#", "");
            if (!anchors.contains(anchor)) {
                missing.add(name + " -> #" + anchor);
            }
        });
        assertThat(missing).isEmpty();
    }

    @Test
    void shouldWrapEveryCounterInRateOrIncrease() {
        List<String> problems = new ArrayList<>();
        alerts().forEach((name, rule) -> MonitoringFiles.unwrappedCounters(rule.path("expr").asText())
                .forEach(metric -> problems.add(name + ": " + metric)));
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldReadOnlyMetricsThatFlinkServes() throws IOException {
        Set<String> known = DashboardQueriesTest.knownMetrics();
        List<String> unknown = new ArrayList<>();
        alerts().forEach((name, rule) -> MonitoringFiles.metricsIn(rule.path("expr").asText()).stream()
                .filter(metric -> !known.contains(metric))
                .forEach(metric -> unknown.add(name + ": " + metric)));
        assertThat(unknown).isEmpty();
    }

    @Test
    void shouldTestEveryAlertFiringAndNotFiring() {
        Set<String> firing = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (Path file : MonitoringFiles.ruleTestFiles()) {
            for (JsonNode test : MonitoringFiles.read(file).path("tests")) {
                for (JsonNode check : test.path("alert_rule_test")) {
                    String alert = check.path("alertname").asText();
                    (check.path("exp_alerts").isEmpty() ? quiet : firing).add(alert);
                }
            }
        }
        assertThat(firing).as("alerts shown firing").containsAll(alerts().keySet());
        assertThat(quiet).as("alerts shown not firing").containsAll(alerts().keySet());
    }

    /** Every alerting rule of every rules file, by alert name. */
    static Map<String, JsonNode> alerts() {
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        for (Path file : MonitoringFiles.ruleFiles()) {
            for (JsonNode group : MonitoringFiles.read(file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) {
                        assertThat(alerts.put(rule.path("alert").asText(), rule)).as("duplicate alert").isNull();
                    }
                }
            }
        }
        return alerts;
    }
}
