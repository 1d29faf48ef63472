package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** TaskManagers as a Deployment or a StatefulSet. */
class TaskManagerTest {

    @HelmTest
    void shouldRunTaskManagersAsADeploymentByDefault(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        assertThat(m.find("StatefulSet", "flink-taskmanager")).isEmpty();
        JsonNode deployment = m.get("Deployment", "flink-taskmanager");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode c = Manifests.container(deployment.at("/spec/template/spec"), "taskmanager");
        assertThat(c.path("image").asText()).isEqualTo("flinkstack/flink-taskmanager:2.3.0");
        assertThat(Manifests.args(c)).containsExactly("taskmanager", "-Dtaskmanager.host=$(POD_IP)");
        assertThat(c.path("ports").findValuesAsText("name")).containsExactly("rpc", "data", "metrics-query", "metrics");
        assertThat(c.path("ports").findValuesAsText("containerPort")).containsExactly("6122", "6121", "6125", "9249");
        assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("1536Mi");
        assertThat(c.at("/resources/requests/memory").asText()).isEqualTo("1536Mi");
        assertThat(c.at("/readinessProbe/tcpSocket/port").asText()).isEqualTo("rpc");
        assertThat(c.path("volumeMounts").findValuesAsText("mountPath"))
                .containsExactly("/opt/flink/conf", "/tmp", "/flink-data");
    }

    @HelmTest
    void shouldRunTaskManagersAsAStatefulSetWithLocalRecovery(Helm helm) {
        Manifests m = helm.render(Values.of("taskmanager.kind", "StatefulSet", "taskmanager.replicas", 3,
                "taskmanager.statefulSet.persistence.storageClass", "fast", "taskmanager.statefulSet.persistence.size", "5Gi"));
        assertThat(m.find("Deployment", "flink-taskmanager")).isEmpty();
        JsonNode sts = m.get("StatefulSet", "flink-taskmanager");
        assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(sts.at("/spec/serviceName").asText()).isEqualTo("flink-taskmanager");
        assertThat(sts.at("/spec/podManagementPolicy").asText()).isEqualTo("Parallel");
        JsonNode claim = sts.at("/spec/volumeClaimTemplates/0");
        assertThat(claim.at("/metadata/name").asText()).isEqualTo("working");
        assertThat(claim.at("/spec/storageClassName").asText()).isEqualTo("fast");
        assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("5Gi");
        assertThat(claim.at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteOnce");
        JsonNode c = Manifests.container(sts.at("/spec/template/spec"), "taskmanager");
        assertThat(Manifests.args(c)).containsExactly("taskmanager", "-Dtaskmanager.host=$(POD_IP)",
                "-Dtaskmanager.resource-id=$(POD_NAME)");
        assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).contains("/flink-working");
        JsonNode config = ConfigMapTest.config(m);
        assertThat(config.path("process.taskmanager.working-dir").asText()).isEqualTo("/flink-working");
        assertThat(config.path("state.backend.rocksdb.localdir").asText()).isEqualTo("/flink-working/rocksdb");
        assertThat(config.path("execution.state-recovery.from-local").asBoolean()).isTrue();
    }

    @HelmTest
    void shouldNotEnableLocalRecoveryForADeployment(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(Values.defaults()));
        assertThat(config.has("execution.state-recovery.from-local")).isFalse();
        assertThat(config.has("process.taskmanager.working-dir")).isFalse();
        assertThat(config.path("state.backend.rocksdb.localdir").asText()).isEqualTo("/tmp/rocksdb");
    }

    @HelmTest
    void shouldRenderAHeadlessServiceForTheTaskManagers(Helm helm) {
        JsonNode svc = helm.render(Values.defaults()).get("Service", "flink-taskmanager");
        assertThat(svc.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(svc.at("/spec/ports").findValuesAsText("name")).containsExactly("rpc", "data", "metrics");
        assertThat(svc.at("/spec/selector/app.kubernetes.io~1component").asText()).isEqualTo("taskmanager");
    }

    @HelmTest
    void shouldApplyTaskSlotsAndExtraArgs(Helm helm) {
        Manifests m = helm.render(Values.of("taskmanager.numberOfTaskSlots", 8,
                "taskmanager.extraArgs", List.of("-Dtaskmanager.memory.managed.fraction=0.6")));
        assertThat(ConfigMapTest.config(m).path("taskmanager.numberOfTaskSlots").asInt()).isEqualTo(8);
        JsonNode c = Manifests.container(m.get("Deployment", "flink-taskmanager").at("/spec/template/spec"), "taskmanager");
        assertThat(Manifests.args(c)).endsWith("-Dtaskmanager.memory.managed.fraction=0.6");
    }

    @HelmTest
    void shouldRenderAPodDisruptionBudget(Helm helm) {
        assertThat(helm.render(Values.defaults()).get("PodDisruptionBudget", "flink-taskmanager")
                .at("/spec/selector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("taskmanager");
        assertThat(helm.render(Values.of("taskmanager.podDisruptionBudget.enabled", false))
                .find("PodDisruptionBudget", "flink-taskmanager")).isEmpty();
    }

    @HelmTest
    void shouldGiveTaskManagersTimeToShutDown(Helm helm) {
        JsonNode pod = helm.render(Values.of("taskmanager.terminationGracePeriodSeconds", 120))
                .get("Deployment", "flink-taskmanager").at("/spec/template/spec");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(120);
    }
}
