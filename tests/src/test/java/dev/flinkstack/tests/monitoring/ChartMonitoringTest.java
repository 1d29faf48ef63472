package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.KubernetesSchema;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.KubernetesSchema;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import dev.flinkstack.tests.support.Processes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's monitoring objects, rendered with Helm 3 and Helm 4: gated by their values and by the
 * Prometheus Operator API, strictly valid against the typed PodMonitor/ServiceMonitor/PrometheusRule
 * models, selecting the Flink pods' metrics port, and carrying exactly the dashboards and alert rules
 * of monitoring/ (the rendered rules pass monitoring/'s promtool unit tests).
 */
class ChartMonitoringTest {

    private static final Values DEFAULTS = Values.defaults();
    private static final List<String> OPERATOR_OBJECTS = List.of("podMonitor", "serviceMonitor", "prometheusRule");

    static Stream<Helm> helm() {
        return Helm.binaries();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldRenderNoMonitoringObjectsByDefault(Helm helm) {
        Manifests rendered = helm.render(DEFAULTS, Helm.MONITORING_API);
        assertThat(rendered.ofKind("PodMonitor")).isEmpty();
        assertThat(rendered.ofKind("ServiceMonitor")).isEmpty();
        assertThat(rendered.ofKind("PrometheusRule")).isEmpty();
        assertThat(rendered.find("ConfigMap", "flink-dashboards")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldRefuseEveryOperatorObjectWithoutTheOperatorApi(Helm helm) {
        for (String object : OPERATOR_OBJECTS) {
            Helm.Result result = helm.template(DEFAULTS, "--set", "monitoring." + object + ".enabled=true");
            assertThat(result.ok()).as(object + " without the API").isFalse();
            assertThat(result.stderr()).contains("monitoring." + object + ".enabled").contains("monitoring.coreos.com/v1");
            assertThat(helm.render(DEFAULTS, Helm.MONITORING_API, "--set", "monitoring." + object + ".enabled=true").all()).isNotEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldRenderTheDashboardsWithoutTheOperatorApi(Helm helm) {
        assertThat(helm.render(DEFAULTS, "--set", "monitoring.dashboards.enabled=true").find("ConfigMap", "flink-dashboards")).isPresent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldRenderAStrictPodMonitorForTheFlinkPodsMetricsPort(Helm helm) {
        Manifests rendered = helm.render(DEFAULTS, Helm.MONITORING_API, "--set", "monitoring.podMonitor.enabled=true",
                "--set", "monitoring.podMonitor.labels.release=kube-prometheus-stack",
                "--set", "monitoring.podMonitor.interval=15s");
        JsonNode podMonitor = rendered.get("PodMonitor", "flink");
        assertThat(unknownFields(podMonitor, PodMonitor.class)).isEmpty();
        ObjectNode typo = podMonitor.deepCopy();
        ((ObjectNode) typo.at("/spec/podMetricsEndpoints/0")).put("scrapeInterval", "15s");
        assertThat(unknownFields(typo, PodMonitor.class)).as("the check sees unknown fields").isNotEmpty();
        assertStandardLabels(podMonitor);
        assertThat(podMonitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        assertThat(podMonitor.at("/spec/namespaceSelector/matchNames").toString()).isEqualTo("[\"flink\"]");
        JsonNode endpoint = podMonitor.at("/spec/podMetricsEndpoints/0");
        assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        assertThat(endpoint.path("interval").asText()).isEqualTo("15s");

        List<String> selected = new ArrayList<>();
        for (JsonNode workload : rendered.all()) {
            JsonNode pod = workload.at("/spec/template");
            if (pod.isMissingNode() || !selects(podMonitor.at("/spec/selector"), pod.at("/metadata/labels"))) {
                continue;
            }
            selected.add(workload.at("/metadata/name").asText());
            assertThat(pod.at("/spec/containers/0/ports").findValuesAsText("name")).as("metrics port of " + selected)
                    .contains("metrics");
        }
        assertThat(selected).containsExactlyInAnyOrder("flink-jobmanager", "flink-taskmanager");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldRenderAStrictServiceMonitorForTheServicesMetricsPort(Helm helm) {
        Manifests rendered = helm.render(DEFAULTS, Helm.MONITORING_API, "--set", "monitoring.serviceMonitor.enabled=true",
                "--set", "monitoring.serviceMonitor.labels.release=kube-prometheus-stack");
        JsonNode serviceMonitor = rendered.get("ServiceMonitor", "flink");
        assertThat(unknownFields(serviceMonitor, ServiceMonitor.class)).isEmpty();
        assertStandardLabels(serviceMonitor);
        assertThat(serviceMonitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        assertThat(serviceMonitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
        assertThat(serviceMonitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("30s");

        List<String> scraped = new ArrayList<>();
        for (JsonNode service : rendered.ofKind("Service")) {
            if (selects(serviceMonitor.at("/spec/selector"), service.at("/metadata/labels"))
                    && service.at("/spec/ports").findValuesAsText("name").contains("metrics")) {
                scraped.add(service.at("/metadata/name").asText());
            }
        }
        assertThat(scraped).containsExactlyInAnyOrder("flink-jobmanager", "flink-taskmanager");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldScrapeTheConfiguredReporterPortByName(Helm helm) {
        Manifests rendered = helm.render(DEFAULTS, Helm.MONITORING_API, "--set", "metrics.port=9300",
                "--set", "monitoring.podMonitor.enabled=true");
        JsonNode pod = rendered.get("Deployment", "flink-taskmanager").at("/spec/template");
        assertThat(pod.at("/metadata/annotations/prometheus.io~1port").asText()).isEqualTo("9300");
        boolean metricsPort = false;
        for (JsonNode port : pod.at("/spec/containers/0/ports")) {
            metricsPort |= port.path("name").asText().equals("metrics") && port.path("containerPort").asInt() == 9300;
        }
        assertThat(metricsPort).as("container port 'metrics' is 9300").isTrue();
        assertThat(rendered.get("PodMonitor", "flink").at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("metrics");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldRenderExactlyTheAlertRulesOfMonitoring(Helm helm, @TempDir Path dir) throws IOException {
        JsonNode rule = helm.render(DEFAULTS, Helm.MONITORING_API, "--set", "monitoring.prometheusRule.enabled=true",
                "--set", "monitoring.prometheusRule.labels.release=kube-prometheus-stack").get("PrometheusRule", "flink");
        assertThat(unknownFields(rule, PrometheusRule.class)).isEmpty();
        assertStandardLabels(rule);
        assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");

        List<JsonNode> expected = new ArrayList<>();
        for (Path file : MonitoringFiles.ruleFiles()) {
            MonitoringFiles.read(file).path("groups").forEach(expected::add);
        }
        List<JsonNode> rendered = new ArrayList<>();
        rule.at("/spec/groups").forEach(rendered::add);
        assertThat(rendered).isEqualTo(expected);

        // The rules as Prometheus gets them pass promtool and monitoring/'s unit tests.
        ObjectNode rulesFile = MonitoringFiles.YAML.createObjectNode();
        rulesFile.set("groups", rule.at("/spec/groups"));
        Path renderedRules = dir.resolve("chart-rules.yaml");
        MonitoringFiles.YAML.writeValue(renderedRules.toFile(), rulesFile);
        Processes.Result check = Promtool.run("check", "rules", renderedRules.toString());
        assertThat(check.succeeded()).as(check.describe()).isTrue();
        for (Path testFile : MonitoringFiles.ruleTestFiles()) {
            ObjectNode test = (ObjectNode) MonitoringFiles.read(testFile);
            test.putArray("rule_files").add(renderedRules.toString());
            Path copy = dir.resolve(testFile.getFileName());
            MonitoringFiles.YAML.writeValue(copy.toFile(), test);
            Processes.Result result = Promtool.run("test", "rules", copy.toString());
            assertThat(result.succeeded()).as(result.describe()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldDropDisabledAlertsAndAddAdditionalRules(Helm helm) {
        JsonNode rule = helm.render(DEFAULTS, Helm.MONITORING_API, "--set", "monitoring.prometheusRule.enabled=true",
                "--set-json", "monitoring.prometheusRule.disabledAlerts=[\"FlinkNoRunningJobs\"]",
                "--set-json", "monitoring.prometheusRule.additionalRules=[{\"alert\":\"TrafficAlertsBurst\","
                        + "\"expr\":\"sum(rate(flink_taskmanager_job_task_operator_alertsRaised[5m])) > 100\","
                        + "\"for\":\"5m\",\"labels\":{\"severity\":\"info\"}}]")
                .get("PrometheusRule", "flink");
        assertThat(unknownFields(rule, PrometheusRule.class)).isEmpty();
        List<String> groups = rule.at("/spec/groups").findValuesAsText("name");
        assertThat(groups).contains("flink-additional", "flink-jobs", "flink-checkpoints", "flink-cluster");
        List<String> alerts = rule.at("/spec/groups").findValuesAsText("alert");
        assertThat(alerts).contains("TrafficAlertsBurst", "FlinkJobNotRunning").doesNotContain("FlinkNoRunningJobs");
        assertThat(alerts).hasSize(AlertRulesTest.alerts().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldShipTheDashboardsOfMonitoringLabelledForTheGrafanaSidecar(Helm helm) throws IOException {
        JsonNode configMap = helm.render(DEFAULTS, "--set", "monitoring.dashboards.enabled=true",
                "--set", "monitoring.dashboards.folder=Flink").get("ConfigMap", "flink-dashboards");
        V1ConfigMap.validateJsonElement(JsonParser.parseString(configMap.toString()));
        assertStandardLabels(configMap);
        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(configMap.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Flink");

        List<String> keys = new ArrayList<>();
        configMap.path("data").fieldNames().forEachRemaining(keys::add);
        List<Path> files = MonitoringFiles.dashboardFiles();
        assertThat(keys).containsExactlyInAnyOrderElementsOf(files.stream().map(f -> f.getFileName().toString()).toList());
        long bytes = 0;
        for (Path file : files) {
            String shipped = configMap.path("data").path(file.getFileName().toString()).asText();
            assertThat(shipped).isEqualTo(Files.readString(file).stripTrailing());
            assertThat(MonitoringFiles.JSON.readTree(shipped)).isEqualTo(MonitoringFiles.read(file));
            bytes += shipped.getBytes(StandardCharsets.UTF_8).length;
        }
        assertThat(bytes).as("ConfigMap data under the 1 MiB object limit, with room to spare").isLessThan(512 * 1024);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldUseTheConfiguredSidecarLabelAndFolderAnnotation(Helm helm) {
        JsonNode configMap = helm.render(DEFAULTS, "--set", "monitoring.dashboards.enabled=true",
                "--set", "monitoring.dashboards.label=dashboards", "--set", "monitoring.dashboards.labelValue=flink",
                "--set", "monitoring.dashboards.folder=Streaming/Flink",
                "--set", "monitoring.dashboards.folderAnnotation=k8s-sidecar-target-directory",
                "--set", "monitoring.dashboards.annotations.team=data").get("ConfigMap", "flink-dashboards");
        assertThat(configMap.at("/metadata/labels/dashboards").asText()).isEqualTo("flink");
        assertThat(configMap.at("/metadata/labels").has("grafana_dashboard")).isFalse();
        assertThat(configMap.at("/metadata/annotations/k8s-sidecar-target-directory").asText()).isEqualTo("Streaming/Flink");
        assertThat(configMap.at("/metadata/annotations/team").asText()).isEqualTo("data");
        assertThat(configMap.at("/metadata/annotations").has("grafana_folder")).isFalse();

        JsonNode withoutFolder = helm.render(DEFAULTS, "--set", "monitoring.dashboards.enabled=true").get("ConfigMap", "flink-dashboards");
        assertThat(withoutFolder.at("/metadata/annotations").has("grafana_folder")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helm")
    void shouldRejectUnknownMonitoringValues(Helm helm) {
        Helm.Result result = helm.template(DEFAULTS, "--set", "monitoring.dashboards.folders=Flink");
        assertThat(result.ok()).isFalse();
        assertThat(result.stderr()).contains("folders");
    }

    private static void assertStandardLabels(JsonNode object) {
        JsonNode labels = object.at("/metadata/labels");
        assertThat(object.at("/metadata/namespace").asText()).isEqualTo("flink");
        assertThat(labels.path("app.kubernetes.io/name").asText()).isEqualTo("flink");
        assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo("flink");
        assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
        assertThat(labels.path("helm.sh/chart").asText()).startsWith("flink-");
    }

    /** Whether a label selector (matchLabels and In/NotIn/Exists/DoesNotExist expressions) selects the labels. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = labels.path(expression.path("key").asText()).asText(null);
            List<String> listed = new ArrayList<>();
            expression.path("values").forEach(v -> listed.add(v.asText()));
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> value != null && listed.contains(value);
                case "NotIn" -> value == null || !listed.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + expression.path("operator"));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Fields the typed model does not know: fabric8 collects them in additionalProperties. */
    static List<String> unknownFields(JsonNode object, Class<? extends KubernetesResource> model) {
        return KubernetesSchema.customResourceViolations(object, model);
    }
}
