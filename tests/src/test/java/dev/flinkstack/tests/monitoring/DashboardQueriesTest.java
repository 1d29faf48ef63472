package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.Processes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PromQL of every dashboard panel, without a cluster: it parses (promtool), reads only metrics a
 * real Flink 2.3.0 cluster serves, wraps counters in rate/increase, and filters by the dashboard's
 * namespace variable. MonitoringStackIT runs the same queries against a real cluster.
 */
class DashboardQueriesTest {

    private static final Pattern SELECTOR = Pattern.compile("\\b(flink_\\w+)(\\{[^}]*})?");

    @Test
    void shouldParseEveryPanelQueryWithPromtool(@TempDir Path dir) throws IOException {
        ObjectNode file = MonitoringFiles.YAML.createObjectNode();
        ArrayNode rules = file.putArray("groups").addObject().put("name", "dashboard-queries").putArray("rules");
        Map<String, String> variables = MonitoringFiles.variables("1m", "1h", ".*");
        for (MonitoringFiles.PanelQuery query : MonitoringFiles.panelQueries()) {
            rules.addObject()
                    .put("record", "dashboard:" + query.id().replaceAll("\\W", "_"))
                    .put("expr", query.concrete(variables));
        }
        Path rulesFile = dir.resolve("dashboard-queries.yaml");
        MonitoringFiles.YAML.writeValue(rulesFile.toFile(), file);

        Processes.Result result = Promtool.run("check", "rules", rulesFile.toString());
        assertThat(result.succeeded()).as(result.describe()).isTrue();
        assertThat(result.stdout()).contains("SUCCESS: " + rules.size() + " rules found");
    }

    @Test
    void shouldReadOnlyMetricsThatFlinkServes() throws IOException {
        Set<String> known = knownMetrics();
        List<String> unknown = new ArrayList<>();
        for (MonitoringFiles.PanelQuery query : MonitoringFiles.panelQueries()) {
            for (String metric : MonitoringFiles.metricsIn(query.expr())) {
                if (!known.contains(metric)) {
                    unknown.add(query.id() + " '" + query.panelTitle() + "': " + metric);
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void shouldWrapEveryCounterInRateOrIncrease() {
        List<String> problems = new ArrayList<>();
        for (MonitoringFiles.PanelQuery query : MonitoringFiles.panelQueries()) {
            MonitoringFiles.unwrappedCounters(query.expr())
                    .forEach(metric -> problems.add(query.id() + " '" + query.panelTitle() + "': " + metric));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldRecogniseUnwrappedCounters() {
        assertThat(MonitoringFiles.unwrappedCounters("sum(flink_jobmanager_job_numRestarts{a=\"b\"})"))
                .containsExactly("flink_jobmanager_job_numRestarts");
        assertThat(MonitoringFiles.unwrappedCounters("max_over_time(flink_jobmanager_job_numRestarts[5m])"))
                .containsExactly("flink_jobmanager_job_numRestarts");
        assertThat(MonitoringFiles.unwrappedCounters(
                "sum by (x) (rate(flink_taskmanager_job_task_operator_numRecordsIn{a=~\"$b\"}[$__rate_interval]))"))
                .isEmpty();
        assertThat(MonitoringFiles.unwrappedCounters("flink_taskmanager_job_task_numRecordsInPerSecond")).isEmpty();
    }

    @Test
    void shouldFilterEverySelectorByNamespace() {
        List<String> problems = new ArrayList<>();
        for (MonitoringFiles.PanelQuery query : MonitoringFiles.panelQueries()) {
            Matcher m = SELECTOR.matcher(query.expr());
            while (m.find()) {
                String matchers = m.group(2) == null ? "" : m.group(2);
                if (!matchers.contains("namespace=~\"$namespace\"")) {
                    problems.add(query.id() + " '" + query.panelTitle() + "': " + m.group());
                }
                if (query.expr().contains("job_name") && m.group(1).contains("_job_")
                        && !query.dashboardUid().equals("flink-cluster") && !matchers.contains("job_name=~\"$job\"")) {
                    problems.add(query.id() + " '" + query.panelTitle() + "' ignores $job: " + m.group());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    static Set<String> knownMetrics() throws IOException {
        try (InputStream in = DashboardQueriesTest.class.getResourceAsStream("/monitoring/flink-2.3.0-metric-names.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .collect(Collectors.toSet());
        }
    }
}
