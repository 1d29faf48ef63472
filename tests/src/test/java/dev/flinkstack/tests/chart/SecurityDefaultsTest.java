package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.PodSecurity;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Hardened defaults: non-root 9999, no privilege escalation, no capabilities, read-only root filesystem. */
class SecurityDefaultsTest {

    @HelmTest
    void shouldHardenEveryPodByDefault(Helm helm) {
        Manifests m = helm.render(Values.of("jobs", List.of(Map.of("name", "a", "jarFile", "/opt/flink/usrlib/a.jar")),
                "cronJob.enabled", true));
        assertThat(m.podSpecs()).hasSize(5);
        m.podSpecs().forEach((name, pod) -> {
            JsonNode psc = pod.path("securityContext");
            assertThat(psc.path("runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(psc.path("runAsUser").asInt()).as(name).isEqualTo(9999);
            assertThat(psc.path("runAsGroup").asInt()).as(name).isEqualTo(9999);
            assertThat(psc.path("fsGroup").asInt()).as(name).isEqualTo(9999);
            assertThat(psc.at("/seccompProfile/type").asText()).as(name).isEqualTo("RuntimeDefault");
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as(name).isFalse();
            for (JsonNode c : pod.path("containers")) {
                JsonNode sc = c.path("securityContext");
                assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(name).isFalse();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
                assertThat(sc.path("runAsNonRoot").asBoolean()).as(name).isTrue();
                assertThat(sc.at("/capabilities/drop/0").asText()).as(name).isEqualTo("ALL");
                assertThat(sc.at("/seccompProfile/type").asText()).as(name).isEqualTo("RuntimeDefault");
                assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).as(name + " writable /tmp").contains("/tmp");
            }
        });
    }

    @HelmTest
    void shouldGiveFlinkWritableEmptyDirsOnlyWhereItWrites(Helm helm) {
        JsonNode pod = helm.render(Values.of("tmpSizeLimit", "4Gi")).get("Deployment", "flink-taskmanager").at("/spec/template/spec");
        JsonNode tmp = null;
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals("tmp")) {
                tmp = volume;
            }
        }
        assertThat(tmp).isNotNull();
        assertThat(tmp.at("/emptyDir/sizeLimit").asText()).isEqualTo("4Gi");
        for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
            boolean writable = !mount.path("readOnly").asBoolean(false);
            if (writable) {
                assertThat(mount.path("mountPath").asText()).isIn("/tmp", "/flink-data");
            }
        }
    }

    @HelmTest
    void shouldHardenUserSidecarsAndInitContainersByDefault(Helm helm) {
        Map<String, Object> plain = Map.of("name", "side", "image", "side:1");
        Map<String, Object> own = Map.of("name", "init", "image", "init:1",
                "securityContext", Map.of("readOnlyRootFilesystem", false));
        JsonNode pod = helm.render(Values.of("taskmanager.sidecars", List.of(plain), "taskmanager.initContainers", List.of(own)))
                .get("Deployment", "flink-taskmanager").at("/spec/template/spec");
        JsonNode sidecar = pod.at("/containers/1/securityContext");
        assertThat(sidecar.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(sidecar.at("/capabilities/drop/0").asText()).isEqualTo("ALL");
        JsonNode init = pod.at("/initContainers/0/securityContext");
        assertThat(init.path("readOnlyRootFilesystem").asBoolean(true)).as("the user's setting wins").isFalse();
        assertThat(init.path("runAsNonRoot").asBoolean()).as("completed from the defaults").isTrue();
        assertThat(PodSecurity.restrictedViolations(pod)).isEmpty();
    }

    @HelmTest
    void shouldLetUsersOverrideTheSecurityContext(Helm helm) {
        JsonNode pod = helm.render(Values.of("podSecurityContext", Map.of("runAsNonRoot", true, "runAsUser", 1000,
                "seccompProfile", Map.of("type", "RuntimeDefault")))).get("Deployment", "flink-jobmanager").at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(1000);
        assertThat(pod.at("/securityContext/fsGroup").asInt()).as("merged with the defaults").isEqualTo(9999);
    }
}
