package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.KubernetesSchema;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every object rendered for every example values file passes strict Kubernetes schema validation. */
class KubernetesSchemaTest {


    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.flinkstack.tests.support.chart.ExampleValues#withHelm")
    void shouldRenderOnlySchemaValidObjects(Helm helm, String valuesFile) {
        Manifests m = helm.render(Values.file(valuesFile), Helm.MONITORING_API, Helm.KEDA_API);
        assertThat(m.all()).isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (JsonNode object : m.all()) {
            for (String problem : KubernetesSchema.violations(object)) {
                problems.add(object.path("kind").asText() + "/" + object.at("/metadata/name").asText() + ": " + problem);
            }
        }
        assertThat(problems).as("schema violations for " + valuesFile).isEmpty();
    }

    @HelmTest
    void shouldValidateHooksAndTestsToo(Helm helm) {
        Manifests m = helm.render(Values.file("ci/session-values.yaml"));
        assertThat(m.names()).contains("Deployment/flink-jobs", "CronJob/flink-scheduled", "Pod/flink-test-rest-api");
        for (JsonNode object : m.all()) {
            assertThat(KubernetesSchema.violations(object)).as(object.path("kind").asText()).isEmpty();
        }
    }

    // The validator itself must catch what it claims to catch.

    @HelmTest
    void shouldRejectAnUnknownField(Helm helm) {
        ObjectNode deployment = helm.render(Values.defaults()).get("Deployment", "flink-jobmanager").deepCopy();
        ((ObjectNode) deployment.at("/spec/template/spec/containers/0")).put("imagePullPolicyy", "Always");
        assertThat(KubernetesSchema.violations(deployment)).singleElement().asString().contains("imagePullPolicyy");
    }

    @HelmTest
    void shouldRejectAMissingRequiredField(Helm helm) {
        ObjectNode deployment = helm.render(Values.defaults()).get("Deployment", "flink-jobmanager").deepCopy();
        ((ObjectNode) deployment.at("/spec")).remove("selector");
        assertThat(KubernetesSchema.violations(deployment)).singleElement().asString().contains("selector");
    }

    @HelmTest
    void shouldRejectAWrongType(Helm helm) {
        ObjectNode deployment = helm.render(Values.defaults()).get("Deployment", "flink-jobmanager").deepCopy();
        ((ObjectNode) deployment.at("/spec")).put("replicas", "one");
        assertThat(KubernetesSchema.violations(deployment)).isNotEmpty();
    }

    @HelmTest
    void shouldRejectAnUnknownFieldInAPrometheusOperatorObject(Helm helm) {
        ObjectNode podMonitor = helm.render(Values.of("monitoring.podMonitor.enabled", true), Helm.MONITORING_API)
                .get("PodMonitor", "flink").deepCopy();
        ((ObjectNode) podMonitor.at("/spec/podMetricsEndpoints/0")).put("prot", "metrics");
        assertThat(KubernetesSchema.violations(podMonitor)).singleElement().asString().contains("prot");
    }

    @HelmTest
    void shouldRejectAnUnknownFieldOrAWrongTypeInAKedaObject(Helm helm) {
        JsonNode scaledObject = helm.render(Values.file("ci/autoscaling-keda-values.yaml"), Helm.MONITORING_API, Helm.KEDA_API)
                .get("ScaledObject", "flink-taskmanager");
        assertThat(KubernetesSchema.violations(scaledObject)).isEmpty();
        ObjectNode typo = scaledObject.deepCopy();
        ((ObjectNode) typo.at("/spec/triggers/2")).put("metricTyp", "Value");
        assertThat(KubernetesSchema.violations(typo)).singleElement().asString().contains("metricTyp");
        ObjectNode number = scaledObject.deepCopy();
        ((ObjectNode) number.at("/spec/triggers/2/metadata")).put("threshold", 1400);
        assertThat(KubernetesSchema.violations(number)).singleElement().asString().contains("threshold");
    }
}
