package dev.flinkstack.tests.distribution;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command contract of Flink's native Kubernetes mode (and of the Flink Kubernetes Operator,
 * which uses it): containers start from /docker-entrypoint.sh with kubernetes-jobmanager.sh or
 * kubernetes-taskmanager.sh found on PATH. No Kubernetes API server runs here, so what can be
 * checked is checked: the TaskManager entrypoint joins a cluster under the resource id Flink gives
 * it, and the JobManager entrypoint starts Flink's Kubernetes cluster entrypoint with its memory
 * flags and goes as far as its first call to the API server.
 */
class NativeKubernetesIT {

    private static final String IMAGE = FlinkContainerCluster.jobManagerImage();
    private static final String PROPERTIES = "jobmanager.rpc.address: jobmanager";

    @Test
    void kubernetesTaskManagerScriptJoinsTheClusterUnderItsResourceId() {
        try (DockerRuns docker = new DockerRuns()) {
            String jobManager = docker.start(docker.container("jobmanager", IMAGE).publish(8081)
                    .env("FLINK_PROPERTIES", PROPERTIES).args("jobmanager"));
            // What Flink's CmdTaskManagerDecorator runs: the entry path, then the script and its -D args.
            docker.start(docker.container("taskmanager", IMAGE).entrypoint("/docker-entrypoint.sh")
                    .env("FLINK_PROPERTIES", PROPERTIES).env("_POD_NODE_ID", "node-a")
                    .args("kubernetes-taskmanager.sh", "-Dtaskmanager.resource-id=traffic-taskmanager-1-1"));
            FlinkRest rest = docker.rest(jobManager, 8081);
            JsonNode taskManager = Await.until("the TaskManager", DockerRuns.STARTUP, () ->
                    Optional.ofNullable(rest.get("/taskmanagers").path("taskmanagers").get(0)));
            assertThat(taskManager.path("id").asText()).isEqualTo("traffic-taskmanager-1-1");
        }
    }

    @Test
    void kubernetesJobManagerScriptStartsTheKubernetesEntrypoint() {
        try (DockerRuns docker = new DockerRuns()) {
            String jobManager = docker.start(docker.container("jobmanager", IMAGE).entrypoint("/docker-entrypoint.sh")
                    .args("kubernetes-jobmanager.sh", "kubernetes-application", "-Dkubernetes.cluster-id=traffic"));
            String log = Await.until("the first call to the Kubernetes API", Duration.ofMinutes(2), () -> {
                String logs = docker.logs(jobManager);
                // An ERROR before it (e.g. no entry class found) ends the wait too, to fail with the log.
                return logs.contains("KubernetesClientException") || logs.contains(" ERROR ")
                        ? Optional.of(logs) : Optional.empty();
            });
            assertThat(log).contains("Starting KubernetesApplicationClusterEntrypoint").containsPattern("-Xmx\\d+")
                    .contains("KubernetesClientException: Operation: [list]  for kind: [Pod]");
        }
    }
}
