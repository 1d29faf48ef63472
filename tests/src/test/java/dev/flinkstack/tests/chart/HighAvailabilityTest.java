package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes and ZooKeeper high availability, the RBAC it needs and the service account token. */
class HighAvailabilityTest {

    private static final Values KUBERNETES_HA = Values.of("highAvailability.enabled", true);

    @HelmTest
    void shouldRenderNoHaSettingsOrRbacByDefault(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        assertThat(m.ofKind("Role")).isEmpty();
        assertThat(m.ofKind("RoleBinding")).isEmpty();
        JsonNode config = ConfigMapTest.config(m);
        assertThat(config.has("high-availability.type")).isFalse();
        assertThat(config.has("kubernetes.cluster-id")).isFalse();
        for (JsonNode pod : m.podSpecs().values()) {
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as("token not mounted").isFalse();
        }
        assertThat(m.get("ServiceAccount", "flink").path("automountServiceAccountToken").asBoolean(true)).isFalse();
    }

    @HelmTest
    void shouldConfigureKubernetesHa(Helm helm) {
        Manifests m = helm.render(KUBERNETES_HA);
        JsonNode config = ConfigMapTest.config(m);
        assertThat(config.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(config.path("kubernetes.cluster-id").asText()).isEqualTo("flink");
        assertThat(config.path("kubernetes.namespace").asText()).isEqualTo("flink");
        assertThat(config.path("high-availability.storageDir").asText()).isEqualTo("file:///flink-data/ha");
        JsonNode jm = Manifests.container(JobManagerTest.pod(m), "jobmanager");
        assertThat(Manifests.env(jm, "JOB_MANAGER_RPC_ADDRESS").path("value").asText()).isEqualTo("$(POD_IP)");
        List<String> env = jm.path("env").findValuesAsText("name");
        assertThat(env.indexOf("POD_IP")).as("POD_IP defined before it is referenced").isLessThan(env.indexOf("JOB_MANAGER_RPC_ADDRESS"));
    }

    @HelmTest
    void shouldGrantTaskManagersOnlyTheConfigMapVerbsToFindTheLeaders(Helm helm) {
        Manifests m = helm.render(KUBERNETES_HA);
        // KubernetesHaRbacIT checks these verbs against the calls Flink makes.
        Map<String, List<String>> verbs = Map.of("jobmanager", List.of("get", "list", "watch", "create", "update", "patch", "delete"),
                "taskmanager", List.of("list", "watch"));
        verbs.forEach((component, expected) -> {
            JsonNode role = m.get("Role", "flink-" + component);
            assertThat(role.at("/rules").size()).isEqualTo(1);
            assertThat(role.at("/rules/0/apiGroups/0").asText()).isEmpty();
            assertThat(role.at("/rules/0/resources/0").asText()).isEqualTo("configmaps");
            assertThat(Manifests.YAML.convertValue(role.at("/rules/0/verbs"), List.class)).as(component)
                    .containsExactlyInAnyOrderElementsOf(expected);
            JsonNode binding = m.get("RoleBinding", "flink-" + component);
            assertThat(binding.at("/roleRef/name").asText()).isEqualTo("flink-" + component);
            assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo("flink");
        });
        assertThat(m.get("RoleBinding", "flink-jobmanager").at("/subjects/0/name").asText()).isEqualTo("flink");
        assertThat(m.get("RoleBinding", "flink-taskmanager").at("/subjects/0/name").asText()).isEqualTo("flink-taskmanager");
        assertThat(m.podSpecs().get("Deployment/flink-taskmanager").path("serviceAccountName").asText()).isEqualTo("flink-taskmanager");
        assertThat(m.names()).contains("ServiceAccount/flink", "ServiceAccount/flink-taskmanager");
    }

    @HelmTest
    void shouldMountTheTokenOnlyInFlinkPodsWithKubernetesHa(Helm helm) {
        Manifests m = helm.render(KUBERNETES_HA.with("tests.enabled", true));
        assertThat(JobManagerTest.pod(m).path("automountServiceAccountToken").asBoolean()).isTrue();
        assertThat(m.get("Deployment", "flink-taskmanager").at("/spec/template/spec/automountServiceAccountToken").asBoolean())
                .as("TaskManagers watch the leader ConfigMaps").isTrue();
        assertThat(m.get("Pod", "flink-test-rest-api").at("/spec/automountServiceAccountToken").asBoolean()).isFalse();
    }

    @HelmTest
    void shouldSkipRbacWhenDisabled(Helm helm) {
        Manifests m = helm.render(KUBERNETES_HA.with("rbac.create", false, "serviceAccount.create", false,
                "serviceAccount.name", "flink-ha", "serviceAccount.taskManagerName", "flink-ha-tm"));
        assertThat(m.ofKind("Role")).isEmpty();
        assertThat(m.ofKind("ServiceAccount")).isEmpty();
        assertThat(JobManagerTest.pod(m).path("serviceAccountName").asText()).isEqualTo("flink-ha");
        assertThat(m.podSpecs().get("Deployment/flink-taskmanager").path("serviceAccountName").asText()).isEqualTo("flink-ha-tm");
    }

    @HelmTest
    void shouldDeleteTheClustersHaConfigMapsAfterAnUninstallWithAccessOfItsOwn(Helm helm) {
        Manifests m = helm.render(KUBERNETES_HA.with("highAvailability.clusterId", "prod"));
        // KubernetesHaRbacIT runs the hook's command against an API server and checks the verbs it uses.
        for (String kind : List.of("ServiceAccount", "Role", "RoleBinding", "Job")) {
            JsonNode annotations = m.get(kind, "flink-ha-cleanup").at("/metadata/annotations");
            assertThat(annotations.path("helm.sh/hook").asText()).as(kind).isEqualTo("post-delete");
            assertThat(annotations.path("helm.sh/hook-delete-policy").asText()).as(kind)
                    .isEqualTo("before-hook-creation,hook-succeeded");
            // The release's ServiceAccounts and Roles are gone by then: the Job's access comes first.
            assertThat(annotations.path("helm.sh/hook-weight").asInt()).as(kind).isEqualTo(kind.equals("Job") ? 0 : -5);
        }
        assertThat(m.get("Role", "flink-ha-cleanup").at("/rules/0/verbs").toString()).isEqualTo("[\"deletecollection\"]");
        assertThat(m.get("RoleBinding", "flink-ha-cleanup").at("/subjects/0/name").asText()).isEqualTo("flink-ha-cleanup");
        JsonNode pod = m.podSpecs().get("Job/flink-ha-cleanup");
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("flink-ha-cleanup");
        assertThat(pod.path("volumes").findValuesAsText("name")).as("no ConfigMap or claim: both are gone").containsExactly("tmp");
        assertThat(Manifests.env(pod.path("containers").get(0), "FLINK_PROPERTIES").path("value").asText())
                .contains("kubernetes.cluster-id: prod", "kubernetes.namespace: flink");

        assertThat(helm.render(Values.file("ci/zookeeper-ha-values.yaml")).find("Job", "flink-ha-cleanup"))
                .as("ZooKeeper HA keeps no ConfigMaps").isEmpty();
        assertThat(helm.render(KUBERNETES_HA.with("rbac.create", false, "serviceAccount.create", false,
                        "serviceAccount.name", "flink-ha", "serviceAccount.taskManagerName", "flink-ha-tm"))
                .find("Job", "flink-ha-cleanup"))
                .as("without rbac.create the README's command does it").isEmpty();
    }

    @HelmTest
    void shouldRunStandbyJobManagersWithHa(Helm helm) {
        Manifests m = helm.render(KUBERNETES_HA.with("jobmanager.replicas", 2, "highAvailability.clusterId", "prod"));
        assertThat(m.get("Deployment", "flink-jobmanager").at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode jm = Manifests.container(JobManagerTest.pod(m), "jobmanager");
        assertThat(jm.at("/readinessProbe/httpGet/path").asText()).as("standbys answer REST through the leader").isEqualTo("/overview");
        assertThat(ConfigMapTest.config(m).path("kubernetes.cluster-id").asText()).isEqualTo("prod");
    }

    @HelmTest
    void shouldConfigureZooKeeperHa(Helm helm) {
        Manifests m = helm.render(Values.file("ci/zookeeper-ha-values.yaml"));
        JsonNode config = ConfigMapTest.config(m);
        assertThat(config.path("high-availability.type").asText()).isEqualTo("zookeeper");
        assertThat(config.path("high-availability.zookeeper.quorum").asText()).startsWith("zk-0.zk-headless:2181");
        assertThat(config.path("high-availability.zookeeper.path.root").asText()).isEqualTo("/flink");
        assertThat(config.path("high-availability.cluster-id").asText()).isEqualTo("flink");
        assertThat(m.ofKind("Role")).as("ZooKeeper HA needs no Kubernetes API access").isEmpty();
        assertThat(JobManagerTest.pod(m).path("automountServiceAccountToken").asBoolean()).isFalse();
    }

    @HelmTest
    void shouldUseACustomStorageDir(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(KUBERNETES_HA.with("highAvailability.storageDir", "s3://bucket/ha")));
        assertThat(config.path("high-availability.storageDir").asText()).isEqualTo("s3://bucket/ha");
    }
}
