package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.RunningJob;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A TaskManager killed with SIGKILL and replaced: the job runs again from the latest checkpoint. */
class TaskManagerFailoverIT {

    @Test
    void jobRecoversFromTheLatestCheckpointAfterTaskManagerLoss() {
        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.MAIN_CLASS));
        args.addAll(ExampleJob.ARGUMENTS);
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(args).start()) {
            FlinkRest rest = cluster.rest();
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(2));
            job.awaitCompletedCheckpoints(2, Duration.ofMinutes(2));
            String jobId = job.id();
            long checkpointBeforeKill = rest.latestCompletedCheckpoint(jobId).path("id").asLong();

            // Parallelism 2 fits into one TaskManager's 2 slots: kill one that runs tasks.
            List<String> runningTasks = cluster.taskManagersRunningTasks();
            assertThat(runningTasks).as("TaskManagers serving task metrics").isNotEmpty();
            long killedAt = System.nanoTime();
            cluster.kill(runningTasks.get(0));
            cluster.startTaskManager();
            Await.condition("the job to restart", Duration.ofMinutes(1), () -> rest.restoredFrom(jobId).isPresent());
            Await.condition("the job and all its tasks RUNNING again", Duration.ofMinutes(2),
                    () -> rest.isFullyRunning(jobId));
            Duration recovery = Duration.ofNanos(System.nanoTime() - killedAt);

            JsonNode restored = rest.restoredFrom(jobId).orElseThrow();
            System.out.printf(
                    "TaskManager SIGKILL -> job RUNNING again: %.1f s (restored checkpoint %d, latest before kill %d)%n",
                    recovery.toMillis() / 1000.0, restored.path("id").asLong(), checkpointBeforeKill);
            assertThat(restored.path("id").asLong()).isGreaterThanOrEqualTo(checkpointBeforeKill);
            assertThat(restored.path("is_savepoint").asBoolean()).isFalse();
            assertThat(restored.path("external_path").asText()).startsWith("file:/flink-data/checkpoints/");
            cluster.awaitTaskManagers(2);
        }
    }
}
