package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.RunningJob;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A session cluster (JobManager + 2 TaskManagers) running the example job submitted over REST. */
class SessionClusterIT {

    private static final String SPACED_VALUE = "a value  with   inner spaces: and a colon";

    private static FlinkContainerCluster cluster;
    private static FlinkRest rest;
    private static String jobId;

    @BeforeAll
    static void startClusterAndSubmitJob() {
        cluster =
                FlinkContainerCluster.session()
                        .flinkProperties("flinkstack.test.note:   " + SPACED_VALUE + "  \n")
                        .start();
        rest = cluster.rest();
        String jarId = rest.uploadJar(ExampleJob.jar());
        jobId = rest.runJar(jarId, ExampleJob.ARGUMENTS);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void jobAndAllItsTasksRunOnBothTaskManagers() {
        RunningJob.of(() -> rest, jobId).awaitFullyRunning(Duration.ofMinutes(2));

        JsonNode overview = rest.overview();
        assertThat(overview.path("taskmanagers").asInt()).isEqualTo(2);
        assertThat(overview.path("jobs-running").asInt()).isEqualTo(1);
    }

    @Test
    void completedCheckpointsLandOnTheMountedVolume() {
        Await.condition("3 completed checkpoints", Duration.ofMinutes(2),
                () -> rest.completedCheckpoints(jobId) >= 3);

        JsonNode latest = rest.latestCompletedCheckpoint(jobId);
        Path checkpointDir = ExampleJob.onHost(cluster.dataDir(), latest.path("external_path").asText());
        assertThat(checkpointDir).isDirectory();
        assertThat(checkpointDir.resolve("_metadata")).isRegularFile();
        assertThat(checkpointDir.getParent().getParent())
                .isEqualTo(cluster.dataDir().resolve("checkpoints"));
        assertThat(Files.exists(cluster.dataDir().resolve("checkpoints").resolve(jobId))).isTrue();
    }

    @Test
    void everyProcessServesFlinkMetricsOnPort9249() {
        assertThat(cluster.metrics(cluster.jobManager()))
                .contains("flink_jobmanager_numRegisteredTaskManagers");
        for (String taskManager : cluster.taskManagers()) {
            assertThat(cluster.metrics(taskManager)).contains("flink_taskmanager_Status_JVM_CPU_Load");
        }
    }

    @Test
    void flinkPropertiesValueWithSpacesReachesTheConfigurationUnchanged() {
        assertThat(rest.configValue("flinkstack.test.note")).isEqualTo(SPACED_VALUE);
    }
}
