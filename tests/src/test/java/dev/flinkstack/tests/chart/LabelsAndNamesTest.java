package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Names derived from the release, the standard labels, and selectors without chart or version labels. */
class LabelsAndNamesTest {

    private static final Values EVERYTHING = Values.file("ci/full-values.yaml");

    @HelmTest
    void shouldLabelEveryObjectWithTheStandardLabels(Helm helm) {
        for (JsonNode object : helm.render(EVERYTHING, Helm.MONITORING_API).all()) {
            JsonNode labels = object.at("/metadata/labels");
            String name = object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
            assertThat(labels.path("app.kubernetes.io/name").asText()).as(name).isEqualTo("stream");
            assertThat(labels.path("app.kubernetes.io/instance").asText()).as(name).isEqualTo("flink");
            assertThat(labels.path("app.kubernetes.io/managed-by").asText()).as(name).isEqualTo("Helm");
            assertThat(labels.path("app.kubernetes.io/version").asText()).as(name).isEqualTo("2.3.0");
            assertThat(labels.path("helm.sh/chart").asText()).as(name).startsWith("flink-");
            assertThat(labels.path("team").asText()).as(name + " commonLabels").isEqualTo("data-platform");
            assertThat(object.at("/metadata/annotations/owner").asText()).as(name + " commonAnnotations")
                    .isEqualTo("data-platform@example.com");
            assertThat(object.at("/metadata/namespace").asText()).as(name).isEqualTo("flink");
        }
    }

    @HelmTest
    void shouldLabelWorkloadsAndPodsWithTheirComponent(Helm helm) {
        Manifests m = helm.render(EVERYTHING, Helm.MONITORING_API);
        JsonNode jm = m.get("Deployment", "flink-stream-jobmanager");
        JsonNode tm = m.get("StatefulSet", "flink-stream-taskmanager");
        assertThat(jm.at("/metadata/labels/app.kubernetes.io~1component").asText()).isEqualTo("jobmanager");
        assertThat(jm.at("/spec/template/metadata/labels/app.kubernetes.io~1component").asText()).isEqualTo("jobmanager");
        assertThat(tm.at("/spec/template/metadata/labels/app.kubernetes.io~1component").asText()).isEqualTo("taskmanager");
        assertThat(jm.at("/spec/template/metadata/labels/sidecar.istio.io~1inject").asText())
                .as("podLabels on pods").isEqualTo("false");
        assertThat(jm.at("/metadata/labels").has("sidecar.istio.io/inject")).as("podLabels not on the workload").isFalse();
    }

    @HelmTest
    void shouldSelectOnlyByNameInstanceAndComponent(Helm helm) {
        Set<String> allowed = Set.of("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component");
        Manifests m = helm.render(EVERYTHING, Helm.MONITORING_API);
        List<String> selectorPointers = List.of("/spec/selector/matchLabels", "/spec/selector", "/spec/podSelector/matchLabels");
        for (JsonNode object : m.all()) {
            String kind = object.path("kind").asText();
            String pointer = switch (kind) {
                case "Deployment", "StatefulSet", "PodDisruptionBudget", "PodMonitor", "ServiceMonitor" -> selectorPointers.get(0);
                case "Service" -> selectorPointers.get(1);
                case "NetworkPolicy" -> selectorPointers.get(2);
                default -> null;
            };
            if (pointer == null) {
                continue;
            }
            Set<String> keys = new HashSet<>();
            object.at(pointer).fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as(kind + " " + object.at("/metadata/name").asText() + " selector").isNotEmpty().isSubsetOf(allowed);
        }
    }

    @HelmTest
    void shouldMatchEachWorkloadSelectorWithItsPodLabels(Helm helm) {
        Manifests m = helm.render(EVERYTHING, Helm.MONITORING_API);
        for (String kind : List.of("Deployment", "StatefulSet")) {
            for (JsonNode workload : m.ofKind(kind)) {
                Map<String, Object> selector = Manifests.YAML.convertValue(workload.at("/spec/selector/matchLabels"), Map.class);
                Map<String, Object> labels = Manifests.YAML.convertValue(workload.at("/spec/template/metadata/labels"), Map.class);
                assertThat(labels).containsAllEntriesOf(selector);
            }
        }
    }

    @HelmTest
    void shouldDeriveNamesFromTheRelease(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        assertThat(m.names()).contains("Deployment/flink-jobmanager", "Deployment/flink-taskmanager",
                "Service/flink-jobmanager", "Service/flink-jobmanager-rest", "ConfigMap/flink-config",
                "PersistentVolumeClaim/flink-checkpoints", "ServiceAccount/flink");
        Helm.Result other = helm.run("template", "analytics", Helm.chartDir().toString());
        assertThat(Manifests.parse(other.stdout()).names())
                .contains("Deployment/analytics-flink-jobmanager", "ConfigMap/analytics-flink-config")
                .noneMatch(name -> name.endsWith("/flink-jobmanager"));
    }

    @HelmTest
    void shouldHonourFullnameOverride(Helm helm) {
        Manifests m = helm.render(Values.of("fullnameOverride", "stream-cluster"));
        assertThat(m.names()).contains("Deployment/stream-cluster-jobmanager", "Service/stream-cluster-jobmanager-rest");
        String config = m.get("ConfigMap", "stream-cluster-config").at("/data/config.yaml").asText();
        assertThat(Manifests.yaml(config).path("jobmanager.rpc.address").asText()).isEqualTo("stream-cluster-jobmanager");
    }

    @HelmTest
    void shouldHonourNamespaceOverride(Helm helm) {
        for (JsonNode object : helm.render(Values.of("namespaceOverride", "streaming")).all()) {
            assertThat(object.at("/metadata/namespace").asText()).isEqualTo("streaming");
        }
    }

    @HelmTest
    void shouldKeepNamesWithinDnsLimits(Helm helm) {
        String longest = "r".repeat(53); // Helm's limit for release names
        Helm.Result result = helm.run("template", longest, Helm.chartDir().toString(), "--set", "tests.enabled=true",
                "--set", "cronJob.enabled=true");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        Manifests m = Manifests.parse(result.stdout());
        assertThat(m.names()).doesNotHaveDuplicates();
        for (JsonNode object : m.all()) {
            assertThat(object.at("/metadata/name").asText()).hasSizeLessThanOrEqualTo(63).doesNotEndWith("-");
        }
    }
}
