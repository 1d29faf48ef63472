package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.ErrorMessages;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Prometheus reporter ports and annotations, and the Prometheus Operator objects. */
class MonitoringTest {


    @HelmTest
    void shouldAnnotatePodsForScraping(Helm helm) {
        JsonNode annotations = helm.render(Values.defaults()).get("Deployment", "flink-taskmanager")
                .at("/spec/template/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("9249");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
    }

    @HelmTest
    void shouldDropScrapeAnnotationsWhenDisabled(Helm helm) {
        JsonNode annotations = helm.render(Values.of("metrics.scrapeAnnotations", false)).get("Deployment", "flink-jobmanager")
                .at("/spec/template/metadata/annotations");
        assertThat(annotations.has("prometheus.io/scrape")).isFalse();
        assertThat(annotations.has("checksum/config")).isTrue();
    }

    @HelmTest
    void shouldDropTheMetricsPortWithoutTheReporter(Helm helm) {
        Manifests m = helm.render(Values.of("metrics.enabled", false));
        for (String name : List.of("flink-jobmanager", "flink-taskmanager")) {
            JsonNode pod = m.get("Deployment", name).at("/spec/template/spec");
            assertThat(pod.at("/containers/0/ports").findValuesAsText("name")).doesNotContain("metrics");
            assertThat(m.get("Deployment", name).at("/spec/template/metadata/annotations").has("prometheus.io/scrape")).isFalse();
        }
    }

    @HelmTest
    void shouldRenderNoMonitoringObjectsByDefault(Helm helm) {
        Manifests m = helm.render(Values.defaults(), Helm.MONITORING_API);
        assertThat(m.ofKind("PodMonitor")).isEmpty();
        assertThat(m.ofKind("ServiceMonitor")).isEmpty();
        assertThat(m.ofKind("PrometheusRule")).isEmpty();
        assertThat(m.find("ConfigMap", "flink-dashboards")).isEmpty();
    }

    @HelmTest
    void shouldRenderAPodMonitorWhenTheApiExists(Helm helm) {
        JsonNode pm = helm.render(Values.of("monitoring.podMonitor.enabled", true,
                "monitoring.podMonitor.labels", Map.of("release", "prometheus")), Helm.MONITORING_API).get("PodMonitor", "flink");
        assertThat(pm.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(pm.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("metrics");
        assertThat(pm.at("/spec/podMetricsEndpoints/0/interval").asText()).isEqualTo("30s");
        assertThat(pm.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo("flink");
    }

    @HelmTest
    void shouldRenderAServiceMonitorWhenTheApiExists(Helm helm) {
        JsonNode sm = helm.render(Values.of("monitoring.serviceMonitor.enabled", true), Helm.MONITORING_API).get("ServiceMonitor", "flink");
        assertThat(sm.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
        assertThat(sm.at("/spec/selector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo("flink");
    }

    @HelmTest
    void shouldRenderAPrometheusRuleWithAdditionalRules(Helm helm) {
        Map<String, Object> rule = Map.of("alert", "FlinkDown", "expr", "up == 0");
        JsonNode pr = helm.render(Values.of("monitoring.prometheusRule.enabled", true,
                "monitoring.prometheusRule.additionalRules", List.of(rule)), Helm.MONITORING_API).get("PrometheusRule", "flink");
        assertThat(pr.at("/spec/groups/0/rules/0/alert").asText()).isEqualTo("FlinkDown");
    }

    @HelmTest
    void shouldRefuseMonitoringObjectsWithoutTheApi(Helm helm) {
        Helm.Result result = helm.template(Values.of("monitoring.podMonitor.enabled", true));
        ErrorMessages.assertFailsNamingKey(result, "monitoring.podMonitor.enabled");
        assertThat(result.stderr()).contains("monitoring.coreos.com/v1");
    }
}
