package dev.flinkstack.tests.distribution;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.PodRunner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests of Flink's "Kubernetes Setup" (standalone) page, with only the image name changed,
 * run as pods by {@link PodRunner}: the configuration ConfigMap mounted with items over
 * /opt/flink/conf, the jobmanager, taskmanager and standalone-job args, a hostPath usrlib.
 */
class StandaloneKubernetesIT {

    private static final Path RESOURCES = Path.of("src/test/resources/distribution");
    private static final Duration STARTUP = Duration.ofMinutes(2);

    private static Manifests manifests(String file, Path artifacts) throws IOException {
        String yaml = Files.readString(RESOURCES.resolve("standalone-kubernetes-common.yaml")) + "\n---\n"
                + Files.readString(RESOURCES.resolve(file));
        return Manifests.parse(yaml.replace("IMAGE", FlinkContainerCluster.jobManagerImage())
                .replace("ARTIFACTS", artifacts.toString()));
    }

    @Test
    void sessionClusterFromTheDocsManifestsRunsAnUploadedJob(@TempDir Path artifacts) throws IOException {
        Manifests m = manifests("standalone-kubernetes-session.yaml", artifacts);
        try (PodRunner pods = new PodRunner(m, "default")) {
            pods.start(m.get("Deployment", "flink-jobmanager"), "flink-jobmanager-5d84d6b7b8-4wzpl", "webui");
            pods.start(m.get("Deployment", "flink-taskmanager"), "flink-taskmanager-86c45d8bc6-q7xkc");
            pods.start(m.get("Deployment", "flink-taskmanager"), "flink-taskmanager-86c45d8bc6-mf2ts");
            FlinkRest rest = rest(pods, "flink-jobmanager-5d84d6b7b8-4wzpl");
            Await.condition("2 TaskManagers", STARTUP, () -> rest.overview().path("taskmanagers").asInt() == 2);

            String jarId = rest.uploadJar(DockerRuns.distributionJar("flink-examples-streaming.jar"));
            rest.post("/jars/" + jarId + "/run",
                    "{\"entryClass\": \"org.apache.flink.streaming.examples.statemachine.StateMachineExample\"}");
            RunningJob job = RunningJob.awaitRunning(() -> rest, STARTUP);
            job.awaitCompletedCheckpoints(1, STARTUP);
            assertThat(rest.configValue("taskmanager.memory.process.size")).isEqualTo("1728m");
        }
    }

    @Test
    void applicationClusterFromTheDocsManifestsRunsTheJarOfItsHostPath(@TempDir Path artifacts) throws IOException {
        Files.copy(DockerRuns.distributionJar("flink-examples-streaming.jar"), artifacts.resolve("examples.jar"));
        Files.setPosixFilePermissions(artifacts, PosixFilePermissions.fromString("rwxr-xr-x"));
        Manifests m = manifests("standalone-kubernetes-application.yaml", artifacts);
        try (PodRunner pods = new PodRunner(m, "default")) {
            pods.start(m.get("Job", "flink-jobmanager"), "flink-jobmanager-7xk2p", "webui");
            pods.start(m.get("Deployment", "flink-taskmanager"), "flink-taskmanager-5f9c7b6d8-hx2kq");
            FlinkRest rest = rest(pods, "flink-jobmanager-7xk2p");
            RunningJob job = RunningJob.awaitRunning(() -> rest, STARTUP);
            assertThat(rest.job(job.id()).path("name").asText()).isEqualTo("State machine job");
        }
    }

    private static FlinkRest rest(PodRunner pods, String podName) {
        FlinkRest rest = new FlinkRest("127.0.0.1", pods.engine().publishedPort(pods.containerName(podName), 8081));
        Await.until("the JobManager REST API", STARTUP, () -> Optional.of(rest.overview()));
        return rest;
    }
}
