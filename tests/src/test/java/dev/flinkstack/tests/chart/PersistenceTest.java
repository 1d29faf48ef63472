package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The checkpoint volume: a chart-created claim, an existing claim, or an emptyDir. */
class PersistenceTest {

    private static JsonNode dataVolume(JsonNode podSpec) {
        for (JsonNode volume : podSpec.path("volumes")) {
            if (volume.path("name").asText().equals("flink-data")) {
                return volume;
            }
        }
        throw new AssertionError("no flink-data volume in " + podSpec);
    }

    @HelmTest
    void shouldCreateAReadWriteManyClaimByDefault(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        JsonNode pvc = m.get("PersistentVolumeClaim", "flink-checkpoints");
        assertThat(pvc.at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteMany");
        assertThat(pvc.at("/spec/resources/requests/storage").asText()).isEqualTo("10Gi");
        assertThat(pvc.at("/spec").has("storageClassName")).as("cluster default").isFalse();
    }

    @HelmTest
    void shouldMountTheClaimInTheJobManagerAndEveryTaskManager(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        for (String name : List.of("flink-jobmanager", "flink-taskmanager")) {
            JsonNode pod = m.get("Deployment", name).at("/spec/template/spec");
            assertThat(dataVolume(pod).at("/persistentVolumeClaim/claimName").asText()).as(name).isEqualTo("flink-checkpoints");
            assertThat(pod.path("containers").get(0).path("volumeMounts").findValuesAsText("mountPath")).contains("/flink-data");
        }
    }

    @HelmTest
    void shouldApplyStorageClassSizeAndAnnotations(Helm helm) {
        JsonNode pvc = helm.render(Values.of("checkpoints.persistence.storageClass", "nfs",
                        "checkpoints.persistence.size", "100Gi",
                        "checkpoints.persistence.annotations", Map.of("helm.sh/resource-policy", "keep")))
                .get("PersistentVolumeClaim", "flink-checkpoints");
        assertThat(pvc.at("/spec/storageClassName").asText()).isEqualTo("nfs");
        assertThat(pvc.at("/spec/resources/requests/storage").asText()).isEqualTo("100Gi");
        assertThat(pvc.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
    }

    @HelmTest
    void shouldDisableDynamicProvisioningWithADashStorageClass(Helm helm) {
        JsonNode pvc = helm.render(Values.of("checkpoints.persistence.storageClass", "-"))
                .get("PersistentVolumeClaim", "flink-checkpoints");
        assertThat(pvc.at("/spec/storageClassName").isTextual()).isTrue();
        assertThat(pvc.at("/spec/storageClassName").asText()).isEmpty();
    }

    @HelmTest
    void shouldUseAnExistingClaim(Helm helm) {
        Manifests m = helm.render(Values.of("checkpoints.persistence.existingClaim", "shared-nfs"));
        assertThat(m.ofKind("PersistentVolumeClaim")).isEmpty();
        JsonNode pod = m.get("Deployment", "flink-taskmanager").at("/spec/template/spec");
        assertThat(dataVolume(pod).at("/persistentVolumeClaim/claimName").asText()).isEqualTo("shared-nfs");
    }

    @HelmTest
    void shouldFallBackToAnEmptyDirWhenDisabled(Helm helm) {
        Manifests m = helm.render(Values.of("checkpoints.persistence.enabled", false));
        assertThat(m.ofKind("PersistentVolumeClaim")).isEmpty();
        JsonNode pod = m.get("Deployment", "flink-jobmanager").at("/spec/template/spec");
        assertThat(dataVolume(pod).has("emptyDir")).isTrue();
        assertThat(ConfigMapTest.config(m).path("execution.checkpointing.dir").asText()).isEqualTo("file:///flink-data/checkpoints");
    }

    @HelmTest
    void shouldAllowAReadWriteOnceClaimOnASingleNode(Helm helm) {
        JsonNode pvc = helm.render(Values.file("ci/single-node-values.yaml")).get("PersistentVolumeClaim", "flink-checkpoints");
        assertThat(pvc.at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteOnce");
    }
}
