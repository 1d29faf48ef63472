package dev.flinkstack.tests.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkstack.tests.faulttolerance.BoundedJob;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.KubernetesApiRecorder;
import dev.flinkstack.tests.support.KubernetesApiRecorder.Call;
import dev.flinkstack.tests.support.Processes;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's Roles against the calls Flink's Kubernetes HA services really make. No Kubernetes API
 * server runs here, so a recording one (fabric8's in-memory server) stands in for it: a JobManager, a
 * TaskManager and a {@code flink run} client, each with the rendered configuration and a token of its
 * own, run a checkpointing job to its end as local processes of the image's files, in a network
 * namespace of their own. Each Role must grant exactly the verbs its pods used, and each workload must
 * run under the ServiceAccount its Role is bound to. An application JobManager's launcher, started with
 * a new job definition, deletes the job's stored execution plan from the HA ConfigMap (keeping its
 * other keys) once, not again for the same definition. Then, as after {@code helm uninstall}, the
 * post-delete hook's command runs with its rendered configuration and its own token: it must delete
 * this cluster's HA ConfigMaps and nothing else (another cluster's stays).
 */
class KubernetesHaRbacIT {

    private static final BoundedJob JOB = new BoundedJob(30_000, 2_000);
    private static final List<String> IDENTITIES = List.of("jobmanager", "taskmanager", "client");
    private static final String CLEANUP = "ha-cleanup";
    /** The test's own calls: creating another cluster's ConfigMap and listing ConfigMaps. */
    private static final String TEST_TOKEN = "test";
    private static final int API_PORT = 6443;
    private static final String OTHER_CLUSTER_CONFIG_MAP = "other-cluster-config-map";
    private static final String HA_CONFIG_MAP = "flink-cluster-config-map";
    /** An application's job whose execution plan the HA ConfigMap holds when a new definition starts. */
    private static final String REDEFINED_JOB = "0123456789abcdef0123456789abcdef";
    private static final String OTHER_JOB = "fedcba9876543210fedcba9876543210";

    @Test
    void eachRoleGrantsExactlyTheCallsItsFlinkProcessesMake(@TempDir Path work) throws IOException {
        Manifests m = Helm.binaries().findFirst().orElseThrow().render(Values.of(
                "highAvailability.enabled", true, "highAvailability.type", "kubernetes", "cronJob.enabled", true,
                "jobs", List.of(Map.of("name", "traffic", "jarFile", "/opt/flink/usrlib/traffic-analytics.jar"))));
        JsonNode configMap = m.get("ConfigMap", "flink-config").path("data");
        Path flinkHome = copyFlinkHome(work);
        for (String identity : IDENTITIES) {
            Path conf = Files.createDirectories(work.resolve(identity));
            Files.writeString(conf.resolve("config.yaml"), configMap.path("config.yaml").asText());
            Files.writeString(conf.resolve("log4j-console.properties"), configMap.path("log4j-console.properties").asText());
            Files.writeString(conf.resolve("kubeconfig"), kubeconfig(identity));
            Files.writeString(conf.resolve("properties"), properties(work, conf, IDENTITIES.indexOf(identity)));
        }
        JsonNode cleanupContainer = m.podSpecs().get("Job/flink-ha-cleanup").path("containers").get(0);
        // The hook pod's configuration: the image's conf/ (it mounts no ConfigMap) and the rendered FLINK_PROPERTIES.
        Path cleanupConf = Files.createDirectories(work.resolve(CLEANUP));
        for (String file : List.of("config.yaml", "log4j-console.properties")) {
            Files.copy(flinkHome.resolve("conf").resolve(file), cleanupConf.resolve(file));
        }
        Files.writeString(cleanupConf.resolve("kubeconfig"), kubeconfig(CLEANUP));
        Files.writeString(cleanupConf.resolve("properties"), Manifests.env(cleanupContainer, "FLINK_PROPERTIES")
                .path("value").asText() + "kubernetes.config.file: " + cleanupConf.resolve("kubeconfig") + "\n");
        List<String> cleanupArgs = new ArrayList<>();
        cleanupContainer.path("args").forEach(arg -> cleanupArgs.add(arg.asText()));
        Path requests = work.resolve("requests.log");
        Processes.Result run = Processes.run(Duration.ofMinutes(6), List.of("unshare", "--net", "bash", "-c",
                script(work, flinkHome, requests, String.join(" ", cleanupArgs))));
        assertThat(run.exitCode()).as(run.describe() + logs(work)).isZero();

        JsonNode haData = new ObjectMapper().readTree(work.resolve("after-launch.json").toFile()).path("data");
        assertThat(haData.has("executionPlan-" + REDEFINED_JOB)).as("the old definition's plan is deleted: " + haData).isFalse();
        assertThat(haData.path("executionPlan-" + OTHER_JOB).asText()).as("another job's plan stays").isEqualTo("other");
        assertThat(Files.readString(work.resolve("launch-1.log"))).contains("notice new job definition new: deleted the stored execution plan "
                + "of the old one (key executionPlan-" + REDEFINED_JOB + " of ConfigMap " + HA_CONFIG_MAP + ")");
        assertThat(Files.readString(work.resolve("launch-2.log"))).as("the same definition again")
                .contains("notice starting the job").doesNotContain("new job definition");
        assertThat(configMapNames(work.resolve("before-cleanup.json"))).as("ConfigMaps before the hook")
                .contains(HA_CONFIG_MAP, OTHER_CLUSTER_CONFIG_MAP);
        assertThat(configMapNames(work.resolve("after-cleanup.json"))).as("ConfigMaps after the hook: another cluster's only")
                .containsExactly(OTHER_CLUSTER_CONFIG_MAP);
        Map<String, Set<Call>> calls = KubernetesApiRecorder.calls(requests);
        calls.remove(TEST_TOKEN);
        System.out.println("Kubernetes HA calls: " + calls);
        assertThat(calls.keySet()).containsExactlyInAnyOrderElementsOf(
                Stream.concat(IDENTITIES.stream(), Stream.of(CLEANUP)).toList());
        // The pods each process stands for: the JobManagers, the TaskManagers, the client pods running `flink
        // run`, and the post-delete hook.
        Map<String, String> pods = Map.of("Deployment/flink-jobmanager", "jobmanager", "Deployment/flink-taskmanager", "taskmanager",
                "Deployment/flink-jobs", "client", "CronJob/flink-scheduled", "client", "Job/flink-ha-cleanup", CLEANUP);
        pods.forEach((pod, identity) -> {
            JsonNode spec = m.podSpecs().get(pod);
            assertThat(spec.path("automountServiceAccountToken").asBoolean()).as(pod + " has a token").isTrue();
            assertThat(granted(m, spec.path("serviceAccountName").asText())).as(pod + ": its Roles vs. its calls")
                    .isEqualTo(calls.get(identity));
        });
        assertThat(m.podSpecs().get("Pod/flink-test-rest-api").path("automountServiceAccountToken").asBoolean())
                .as("the REST-only test pod has no token").isFalse();
    }

    /** The image's /opt/flink, copied out of the JobManager image under test. */
    private static Path copyFlinkHome(Path work) {
        ContainerEngine engine = ContainerEngine.fromSystemProperties();
        String container = engine.run("create", FlinkContainerCluster.jobManagerImage()).orThrow().stdout().trim();
        try {
            engine.run("cp", container + ":/opt/flink", work.resolve("flink").toString()).orThrow();
        } finally {
            engine.run("rm", container);
        }
        return work.resolve("flink");
    }

    /** A kubeconfig for the recording server, with the identity as the bearer token. */
    private static String kubeconfig(String identity) {
        return String.join("\n", "apiVersion: v1", "kind: Config",
                "clusters: [{name: recorder, cluster: {server: \"http://127.0.0.1:" + API_PORT + "\"}}]",
                "users: [{name: " + identity + ", user: {token: " + identity + "}}]",
                "contexts: [{name: recorder, context: {cluster: recorder, user: " + identity + ", namespace: flink}}]",
                "current-context: recorder", "");
    }

    /**
     * Over the rendered configuration: local addresses, state under the work directory, the identity's
     * kubeconfig, and ports of its own for what each pod has on its own network (the metrics ports).
     */
    private static String properties(Path work, Path conf, int process) {
        String durable = "file://" + work.resolve("flink-data");
        return String.join("\n",
                "metrics.internal.query-service.port: " + (6125 + process * 10),
                "metrics.reporter.prom.port: " + (9249 + process),
                "jobmanager.rpc.address: localhost",
                "rest.address: localhost",
                "taskmanager.host: localhost",
                "execution.checkpointing.dir: " + durable + "/checkpoints",
                "execution.checkpointing.savepoint-dir: " + durable + "/savepoints",
                "jobmanager.archive.fs.dir: " + durable + "/completed-jobs",
                "flinkstack.lifecycle.dir: " + durable + "/lifecycle",
                "high-availability.storageDir: " + durable + "/ha",
                "kubernetes.config.file: " + conf.resolve("kubeconfig"));
    }

    /** The names of the ConfigMaps in a list the API server returned. */
    private static List<String> configMapNames(Path list) throws IOException {
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(list.toFile()).path("items")
                .forEach(item -> names.add(item.at("/metadata/name").asText()));
        return names;
    }

    private static String script(Path work, Path flinkHome, Path requests, String cleanupArgs) {
        String classpath = System.getProperty("java.class.path");
        String api = "http://127.0.0.1:" + API_PORT + "/api/v1/namespaces/flink/configmaps";
        String run = "FLINK_HOME=" + flinkHome + " FLINK_CONF_DIR=" + work + "/%1$s FLINK_PROPERTIES=\"$(cat " + work
                + "/%1$s/properties)\" " + flinkHome + "/bin/entrypoint.sh";
        // The launcher as the entrypoint runs it for an application's JobManager, the properties as -D options.
        String launch = "(cd " + flinkHome + " && java -cp 'lib/*:classes' dev.flinkstack.launcher.LaunchParameters"
                + " application --configDir " + work + "/jobmanager --writeConfig \"$(mktemp -d)\" --job-id " + REDEFINED_JOB
                + " -Dflinkstack.definition=new $(sed 's/^\\([^:]*\\): */-D\\1=/' " + work + "/jobmanager/properties))";
        StringBuilder job = new StringBuilder();
        for (String argument : JOB.arguments("file://" + work.resolve("output"))) {
            job.append(' ').append(argument);
        }
        return String.join("\n",
                "set -u",
                "ip link set lo up",
                "java -cp '" + classpath + "' " + KubernetesApiRecorder.class.getName() + " 127.0.0.1 " + API_PORT + " "
                        + requests + " > " + work + "/recorder.log 2>&1 &",
                "recorder=$!",
                "for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/" + API_PORT + ") 2>/dev/null && break; sleep 0.2; done",
                String.format(run, "jobmanager") + " jobmanager > " + work + "/jobmanager.log 2>&1 &",
                "jobmanager=$!",
                String.format(run, "taskmanager") + " taskmanager > " + work + "/taskmanager.log 2>&1 &",
                "taskmanager=$!",
                "for i in $(seq 180); do curl -s http://127.0.0.1:8081/overview | grep -q '\"taskmanagers\":1' && break; sleep 1; done",
                String.format(run, "client") + " flink run -m localhost:8081 -c " + ExampleJob.MAIN_CLASS + " "
                        + flinkHome + "/usrlib/traffic-analytics.jar" + job + " > " + work + "/client.log 2>&1",
                "status=$?",
                "kill $taskmanager $jobmanager; wait $taskmanager $jobmanager",
                // An application JobManager's launcher with a new definition, twice, as the JobManager's identity.
                "curl -sf -X PATCH -H 'Authorization: Bearer " + TEST_TOKEN + "' -H 'Content-Type: application/merge-patch+json' "
                        + api + "/" + HA_CONFIG_MAP + " -d '{\"data\": {\"executionPlan-" + REDEFINED_JOB + "\": \"stale\", \"executionPlan-" + OTHER_JOB
                        + "\": \"other\"}}' > /dev/null",
                launch + " > " + work + "/launch-1.log 2>&1",
                "curl -sf -H 'Authorization: Bearer " + TEST_TOKEN + "' " + api + "/" + HA_CONFIG_MAP + " > " + work + "/after-launch.json",
                launch + " > " + work + "/launch-2.log 2>&1",
                // As after an uninstall: the JobManagers are gone; another cluster's HA ConfigMap must stay.
                "curl -sf -X POST -H 'Authorization: Bearer " + TEST_TOKEN + "' -H 'Content-Type: application/json' " + api
                        + " -d '{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \""
                        + OTHER_CLUSTER_CONFIG_MAP + "\", \"labels\": {\"app\": \"other\", \"type\": \"flink-native-kubernetes\"}}}' > /dev/null",
                "curl -sf -H 'Authorization: Bearer " + TEST_TOKEN + "' " + api + " > " + work + "/before-cleanup.json",
                String.format(run, CLEANUP) + " " + cleanupArgs + " > " + work + "/ha-cleanup.log 2>&1",
                "cleanup=$?",
                "curl -sf -H 'Authorization: Bearer " + TEST_TOKEN + "' " + api + " > " + work + "/after-cleanup.json",
                "kill $recorder",
                "exit $(( status != 0 ? status : cleanup ))");
    }

    private static String logs(Path work) throws IOException {
        StringBuilder logs = new StringBuilder();
        for (String name : List.of("client.log", "jobmanager.log", "taskmanager.log", "ha-cleanup.log", "recorder.log")) {
            Path log = work.resolve(name);
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                logs.append("\n--- ").append(name).append(" (last 40 lines)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
        }
        return logs.toString();
    }

    /** The permissions the rendered RoleBindings give a ServiceAccount. */
    private static Set<Call> granted(Manifests m, String serviceAccount) {
        Set<Call> granted = new LinkedHashSet<>();
        for (JsonNode binding : m.ofKind("RoleBinding")) {
            for (JsonNode subject : binding.path("subjects")) {
                if (serviceAccount.equals(subject.path("name").asText())) {
                    granted.addAll(rules(m.get("Role", binding.at("/roleRef/name").asText())));
                }
            }
        }
        return granted;
    }

    /** The permissions a Role's rules grant. */
    private static Set<Call> rules(JsonNode role) {
        Set<Call> granted = new LinkedHashSet<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    for (JsonNode verb : rule.path("verbs")) {
                        granted.add(new Call(group.asText(), resource.asText(), verb.asText()));
                    }
                }
            }
        }
        return granted;
    }
}
