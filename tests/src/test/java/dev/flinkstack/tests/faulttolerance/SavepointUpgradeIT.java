package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.Processes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job upgrade along the chart's path (README "Upgrading"): stop the application's job with a
 * savepoint using the image's Flink CLI, then start the new image version with
 * {@code --fromSavepoint} (what {@code job.fromSavepoint} renders) on the same data volume. The
 * state carries over exactly: the two runs together commit the output of one undisturbed run.
 */
class SavepointUpgradeIT {

    private static final BoundedJob JOB = BoundedJob.SHORT;
    private static final Pattern SAVEPOINT_PATH = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
    private static final String ONE_SLOT = "taskmanager.numberOfTaskSlots: 1\nparallelism.default: 2\n";

    @Test
    void newImageVersionContinuesFromTheSavepointWithExactlyOnceOutput(@TempDir Path buildContext) {
        ReferenceRun.start(JOB);
        ContainerEngine engine = ContainerEngine.fromSystemProperties();
        String newVersion = "-upgrade-test";
        String newJobManagerImage = FlinkContainerCluster.jobManagerImage() + newVersion;
        String newTaskManagerImage = FlinkContainerCluster.taskManagerImage() + newVersion;
        Path data = FlinkContainerCluster.newDataDir();
        try {
            FlinkContainerCluster.buildNewImageVersions(engine, newVersion, buildContext);

            String savepoint;
            String oldImageId;
            JobOutput beforeUpgrade;
            try (FlinkContainerCluster old = FlinkContainerCluster.application(JOB.standaloneJobArguments())
                    .dataDir(data)
                    .taskManagers(2)
                    .flinkProperties(ONE_SLOT)
                    .start()) {
                String jobManager = old.jobManagers().get(0);
                oldImageId = old.imageId(jobManager);
                RunningJob job = RunningJob.awaitRunning(old::rest, Duration.ofMinutes(3));
                job.awaitCompletedCheckpoints(3, Duration.ofMinutes(1));
                assertThat(job.runningWithInputLeft()).as("job still reading input at the stop").isTrue();

                Processes.Result stop = old.flinkCli(jobManager, "stop", "-m", "localhost:8081",
                        "--savepointPath", "file:///flink-data/savepoints", job.id());
                Matcher path = SAVEPOINT_PATH.matcher(stop.stdout());
                assertThat(path.find()).as(stop.describe()).isTrue();
                savepoint = path.group(1);
                assertThat(old.awaitExit(jobManager, Duration.ofMinutes(1)))
                        .as("old JobManager exit code after the stop").isZero();
                beforeUpgrade = JobOutput.read(data.resolve("output"));
            }
            assertThat(savepoint).startsWith("file:/flink-data/savepoints/savepoint-");
            assertThat(ExampleJob.onHost(data, savepoint).resolve("_metadata")).isRegularFile();

            try (FlinkContainerCluster upgraded = FlinkContainerCluster
                    .application(JOB.standaloneJobArguments("--fromSavepoint", savepoint))
                    .images(newJobManagerImage, newTaskManagerImage)
                    .dataDir(data)
                    .taskManagers(2)
                    .flinkProperties(ONE_SLOT)
                    .start()) {
                String jobManager = upgraded.jobManagers().get(0);
                assertThat(upgraded.imageId(jobManager)).as("image of the upgraded JobManager")
                        .isNotEqualTo(oldImageId);
                RunningJob job = RunningJob.awaitRunning(upgraded::rest, Duration.ofMinutes(3));
                JsonNode restored = job.restoredFrom().orElseThrow();
                assertThat(restored.path("is_savepoint").asBoolean()).isTrue();
                assertThat(restored.path("external_path").asText()).isEqualTo(savepoint);

                assertThat(upgraded.awaitExit(jobManager, JOB.nominalDuration().plusMinutes(3)))
                        .as("upgraded JobManager exit code (0: the job finished)").isZero();
            }

            JobOutput actual = JobOutput.read(data.resolve("output"));
            JobOutput expected = ReferenceRun.await(JOB);
            System.out.printf("Savepoint upgrade: stopped with %s; committed before the upgrade: %s; "
                            + "after: %s; undisturbed: %s%n",
                    savepoint, beforeUpgrade.summary(), actual.summary(), expected.summary());
            assertThat(beforeUpgrade.totalLines()).as("output committed before the upgrade")
                    .isPositive()
                    .isLessThan(expected.totalLines());
            assertThat(actual.differencesFrom(expected, 20))
                    .as("committed output vs. the undisturbed run (state carried over exactly)")
                    .isEmpty();
        } finally {
            engine.run("rmi", newJobManagerImage, newTaskManagerImage);
            FlinkContainerCluster.deleteRecursively(data);
        }
    }
}
