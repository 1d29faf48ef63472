package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.PodSecurity;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rendered pod passes the Pod Security Standards "restricted" profile. */
class PodSecurityStandardsTest {

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.flinkstack.tests.support.chart.ExampleValues#withHelm")
    void shouldAdmitEveryPodUnderTheRestrictedProfile(Helm helm, String valuesFile) {
        Manifests m = helm.render(Values.file(valuesFile), Helm.MONITORING_API, Helm.KEDA_API);
        assertThat(m.podSpecs()).isNotEmpty();
        List<String> violations = new ArrayList<>();
        m.podSpecs().forEach((name, pod) ->
                PodSecurity.restrictedViolations(pod).forEach(v -> violations.add(name + ": " + v)));
        assertThat(violations).isEmpty();
    }

    @HelmTest
    void shouldAdmitEveryPodKindWithDefaults(Helm helm) {
        Manifests m = helm.render(Values.of("jobs", List.of(Map.of("name", "a", "jarFile", "/opt/flink/usrlib/a.jar")),
                "cronJob.enabled", true, "taskmanager.kind", "StatefulSet", "sqlGateway.enabled", true));
        assertThat(m.podSpecs().keySet()).containsExactlyInAnyOrder("Deployment/flink-jobmanager",
                "StatefulSet/flink-taskmanager", "Deployment/flink-jobs", "CronJob/flink-scheduled", "Pod/flink-test-rest-api",
                "Deployment/flink-sql-gateway");
        m.podSpecs().forEach((name, pod) -> assertThat(PodSecurity.restrictedViolations(pod)).as(name).isEmpty());
    }

    @HelmTest
    void shouldDetectAPodThatIsNotRestricted(Helm helm) {
        JsonNode pod = helm.render(Values.defaults()).get("Deployment", "flink-jobmanager").at("/spec/template/spec");
        ObjectNode loosened = pod.deepCopy();
        ObjectNode sc = (ObjectNode) loosened.at("/containers/0/securityContext");
        sc.put("allowPrivilegeEscalation", true);
        sc.remove("capabilities");
        sc.put("runAsNonRoot", false);
        ((ObjectNode) loosened.at("/volumes/0")).putObject("hostPath").put("path", "/");
        loosened.put("hostNetwork", true);
        assertThat(PodSecurity.restrictedViolations(loosened)).hasSize(5);
    }

    @HelmTest
    void shouldLetUnsafeOverridesFailTheProfile(Helm helm) {
        Manifests m = helm.render(Values.of("containerSecurityContext", Map.of("allowPrivilegeEscalation", true)));
        assertThat(PodSecurity.restrictedViolations(m.get("Deployment", "flink-jobmanager").at("/spec/template/spec")))
                .anyMatch(v -> v.contains("allowPrivilegeEscalation"));
    }
}
