package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The JobManager Deployment in session and application mode. */
class JobManagerTest {

    static JsonNode pod(Manifests m) {
        return m.get("Deployment", "flink-jobmanager").at("/spec/template/spec");
    }

    static JsonNode container(Manifests m) {
        return Manifests.container(pod(m), "jobmanager");
    }

    @HelmTest
    void shouldRunASessionJobManagerByDefault(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        JsonNode deployment = m.get("Deployment", "flink-jobmanager");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("Recreate");
        JsonNode c = container(m);
        assertThat(Manifests.args(c)).containsExactly("jobmanager");
        assertThat(c.path("image").asText()).isEqualTo("flinkstack/flink-jobmanager:2.3.0");
        assertThat(c.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(Manifests.env(c, "JOB_MANAGER_RPC_ADDRESS").path("value").asText()).isEqualTo("flink-jobmanager");
        assertThat(Manifests.env(c, "POD_IP").at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("status.podIP");
    }

    @HelmTest
    void shouldRunTheJobInApplicationMode(Helm helm) {
        Manifests m = helm.render(Values.of("mode", "application", "job.className", "com.example.Job",
                "job.args", List.of("--rate", "10"), "job.parallelism", 4, "taskmanager.replicas", 2));
        List<String> args = Manifests.args(container(m));
        assertThat(args.subList(0, 2)).containsExactly("standalone-job", "--job-id");
        assertThat(args.subList(4, args.size())).containsExactly("--job-classname", "com.example.Job", "--rate", "10");
        assertThat(ConfigMapTest.config(m).path("parallelism.default").asInt()).isEqualTo(4);
    }

    @HelmTest
    void shouldUseTheJarsMainClassAndTheJobsDefaultsByDefault(Helm helm) {
        Manifests m = helm.render(Values.of("mode", "application"));
        List<String> args = Manifests.args(container(m));
        assertThat(args).hasSize(4).doesNotContain("--job-classname");
    }

    @HelmTest
    void shouldGiveTheInitialSavepointToTheLifecycleNotToFlinksCommandLine(Helm helm) {
        Manifests m = helm.render(Values.of("mode", "application", "job.className", "dev.flinkstack.traffic.TrafficAnalyticsJob",
                "job.fromSavepoint", "file:///flink-data/savepoints/savepoint-1", "job.allowNonRestoredState", true,
                "job.args", List.of("--rate", "5")));
        List<String> args = Manifests.args(container(m));
        assertThat(args).as("--fromSavepoint would apply on every start").doesNotContain("--fromSavepoint")
                .containsSubsequence("standalone-job", "--job-classname", "dev.flinkstack.traffic.TrafficAnalyticsJob",
                        "--allowNonRestoredState", "--rate");
        assertThat(ConfigMapTest.config(m).path("flinkstack.initial-savepoint").asText())
                .isEqualTo("file:///flink-data/savepoints/savepoint-1");
    }

    @HelmTest
    void shouldPutExtraArgsBeforeTheJobArguments(Helm helm) {
        Manifests m = helm.render(Values.of("mode", "application", "jobmanager.extraArgs", List.of("-Dweb.submit.enable=false"),
                "job.args", List.of("--source", "files")));
        List<String> args = Manifests.args(container(m));
        assertThat(args.indexOf("-Dweb.submit.enable=false")).isBetween(0, args.indexOf("--source"));
        Manifests session = helm.render(Values.of("jobmanager.extraArgs", List.of("-Dweb.submit.enable=false")));
        assertThat(Manifests.args(container(session))).containsExactly("jobmanager", "-Dweb.submit.enable=false");
    }

    @HelmTest
    void shouldDeriveResourcesFromOneMemoryValue(Helm helm) {
        JsonNode c = container(helm.render(Values.of("jobmanager.memory", "2Gi",
                "jobmanager.resources", java.util.Map.of("requests", java.util.Map.of("cpu", "1"), "limits", java.util.Map.of("cpu", "2")))));
        assertThat(c.at("/resources/requests/memory").asText()).isEqualTo("2Gi");
        assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("2Gi");
        assertThat(c.at("/resources/requests/cpu").asText()).isEqualTo("1");
        assertThat(c.at("/resources/limits/cpu").asText()).isEqualTo("2");
    }

    @HelmTest
    void shouldExposeNamedPortsAndProbes(Helm helm) {
        JsonNode c = container(helm.render(Values.defaults()));
        assertThat(c.path("ports").findValuesAsText("name")).containsExactly("rpc", "blob", "rest", "metrics-query", "metrics");
        assertThat(c.path("ports").findValuesAsText("containerPort")).containsExactly("6123", "6124", "8081", "6125", "9249");
        assertThat(c.at("/startupProbe/tcpSocket/port").asText()).isEqualTo("rpc");
        assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/overview");
        assertThat(c.at("/readinessProbe/httpGet/port").asText()).isEqualTo("rest");
        assertThat(c.at("/livenessProbe/tcpSocket/port").asText()).isEqualTo("rpc");
        assertThat(c.at("/livenessProbe").has("enabled")).isFalse();
    }

    @HelmTest
    void shouldDropDisabledProbes(Helm helm) {
        JsonNode c = container(helm.render(Values.of("jobmanager.startupProbe.enabled", false,
                "jobmanager.readinessProbe.enabled", false, "jobmanager.livenessProbe.enabled", false)));
        assertThat(c.has("startupProbe") || c.has("readinessProbe") || c.has("livenessProbe")).isFalse();
    }

    @HelmTest
    void shouldApplyImageRegistryTagAndDigest(Helm helm) {
        assertThat(container(helm.render(Values.of("image.registry", "registry.example.com", "image.tag", "2.3.0-1")))
                .path("image").asText()).isEqualTo("registry.example.com/flinkstack/flink-jobmanager:2.3.0-1");
        String digest = "sha256:" + "a".repeat(64);
        assertThat(container(helm.render(Values.of("image.digest", digest))).path("image").asText())
                .isEqualTo("flinkstack/flink-jobmanager@" + digest);
        String own = "sha256:" + "b".repeat(64);
        assertThat(container(helm.render(Values.of("image.digest", digest, "jobmanager.image.digest", own)))
                .path("image").asText()).isEqualTo("flinkstack/flink-jobmanager@" + own);
        assertThat(container(helm.render(Values.of("image.pullPolicy", "Always"))).path("imagePullPolicy").asText())
                .isEqualTo("Always");
    }

    @HelmTest
    void shouldApplySchedulingValues(Helm helm) {
        Values values = Values.of(
                "jobmanager.nodeSelector", java.util.Map.of("disk", "ssd"),
                "jobmanager.tolerations", List.of(java.util.Map.of("key", "dedicated", "operator", "Exists")),
                "jobmanager.priorityClassName", "critical",
                "jobmanager.topologySpreadConstraints", List.of(java.util.Map.of("maxSkew", 1,
                        "topologyKey", "topology.kubernetes.io/zone", "whenUnsatisfiable", "DoNotSchedule")),
                "imagePullSecrets", List.of(java.util.Map.of("name", "regcred")));
        JsonNode pod = pod(helm.render(values));
        assertThat(pod.at("/nodeSelector/disk").asText()).isEqualTo("ssd");
        assertThat(pod.at("/tolerations/0/key").asText()).isEqualTo("dedicated");
        assertThat(pod.path("priorityClassName").asText()).isEqualTo("critical");
        assertThat(pod.at("/imagePullSecrets/0/name").asText()).isEqualTo("regcred");
        assertThat(pod.at("/topologySpreadConstraints/0/labelSelector/matchLabels/app.kubernetes.io~1component").asText())
                .as("selector filled in").isEqualTo("jobmanager");
    }

    @HelmTest
    void shouldPreferSpreadingJobManagersByDefault(Helm helm) {
        JsonNode pod = pod(helm.render(Values.defaults()));
        assertThat(pod.at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/topologyKey").asText())
                .isEqualTo("kubernetes.io/hostname");
        JsonNode hard = pod(helm.render(Values.of("jobmanager.podAntiAffinityPreset", "hard")));
        assertThat(hard.at("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/labelSelector/matchLabels/app.kubernetes.io~1component").asText())
                .isEqualTo("jobmanager");
        JsonNode none = pod(helm.render(Values.of("jobmanager.podAntiAffinityPreset", "")));
        assertThat(none.has("affinity")).isFalse();
        JsonNode custom = pod(helm.render(Values.of("jobmanager.affinity", java.util.Map.of("nodeAffinity", java.util.Map.of()))));
        assertThat(custom.at("/affinity").has("podAntiAffinity")).isFalse();
        assertThat(custom.at("/affinity").has("nodeAffinity")).isTrue();
    }

    @HelmTest
    void shouldAddExtraEnvVolumesSidecarsAndInitContainers(Helm helm) {
        Values values = Values.of(
                "jobmanager.extraEnv", List.of(java.util.Map.of("name", "DISABLE_JEMALLOC", "value", "true")),
                "jobmanager.extraVolumes", List.of(java.util.Map.of("name", "extra", "emptyDir", java.util.Map.of())),
                "jobmanager.extraVolumeMounts", List.of(java.util.Map.of("name", "extra", "mountPath", "/extra")),
                "jobmanager.sidecars", List.of(java.util.Map.of("name", "side", "image", "side:1")),
                "jobmanager.initContainers", List.of(java.util.Map.of("name", "init", "image", "init:1")));
        JsonNode pod = pod(helm.render(values));
        JsonNode c = Manifests.container(pod, "jobmanager");
        assertThat(Manifests.env(c, "DISABLE_JEMALLOC").path("value").asText()).isEqualTo("true");
        assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).contains("/extra");
        assertThat(Manifests.names(pod.path("volumes"))).contains("extra");
        assertThat(Manifests.names(pod.path("containers"))).containsExactly("jobmanager", "side");
        assertThat(Manifests.names(pod.path("initContainers"))).containsExactly("init");
    }

    @HelmTest
    void shouldRenderAPodDisruptionBudget(Helm helm) {
        JsonNode pdb = helm.render(Values.defaults()).get("PodDisruptionBudget", "flink-jobmanager");
        assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        assertThat(pdb.at("/spec/selector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("jobmanager");
        JsonNode min = helm.render(Values.of("jobmanager.podDisruptionBudget.minAvailable", "50%",
                "jobmanager.podDisruptionBudget.maxUnavailable", null)).get("PodDisruptionBudget", "flink-jobmanager");
        assertThat(min.at("/spec/minAvailable").asText()).isEqualTo("50%");
        assertThat(min.at("/spec").has("maxUnavailable")).isFalse();
        assertThat(helm.render(Values.of("jobmanager.podDisruptionBudget.enabled", false))
                .find("PodDisruptionBudget", "flink-jobmanager")).isEmpty();
    }
}
