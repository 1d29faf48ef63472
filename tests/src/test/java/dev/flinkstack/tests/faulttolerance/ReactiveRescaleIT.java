package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ChartDefaults;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reactive mode in an application cluster, with the chart's autoscaling settings: a TaskManager
 * joins and the job rescales up to use its slot; one leaves (SIGTERM, as when an autoscaler scales
 * the Deployment down) and the job rescales down; the output stays exactly-once throughout.
 */
class ReactiveRescaleIT {

    private static final BoundedJob JOB = BoundedJob.LONG;
    private static final Duration RESCALE_TIMEOUT = Duration.ofMinutes(2);

    @Test
    void parallelismFollowsTheTaskManagersAndOutputStaysExactlyOnce() {
        ReferenceRun.start(JOB);
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(JOB.standaloneJobArguments())
                .taskManagers(2)
                .flinkProperties(ChartDefaults.reactiveProperties() + "taskmanager.numberOfTaskSlots: 1\n")
                .start()) {
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(3));
            Await.condition("the job at parallelism 2", Duration.ofMinutes(2),
                    () -> job.parallelism() == 2 && job.fullyRunning());
            job.awaitCompletedCheckpoints(1, Duration.ofMinutes(1));

            long joinedAt = System.nanoTime();
            cluster.startTaskManager();
            Await.condition("the job to rescale up to 3", RESCALE_TIMEOUT,
                    () -> job.parallelism() == 3 && job.fullyRunning());
            double up = (System.nanoTime() - joinedAt) / 1e9;
            assertThat(job.runningWithInputLeft()).as("job still reading input after rescaling up").isTrue();

            long leftAt = System.nanoTime();
            cluster.stop(cluster.taskManagers().get(0));
            Await.condition("the job to rescale down to 2", RESCALE_TIMEOUT,
                    () -> job.parallelism() == 2 && job.fullyRunning());
            double down = (System.nanoTime() - leftAt) / 1e9;
            assertThat(job.runningWithInputLeft()).as("job still reading input after rescaling down").isTrue();
            long restores = job.restores();

            int exitCode = cluster.awaitExit(cluster.jobManagers().get(0), JOB.nominalDuration().plusMinutes(3));
            assertThat(exitCode).as("JobManager exit code (0: the job finished)").isZero();

            JobOutput actual = JobOutput.read(cluster.dataDir().resolve("output"));
            JobOutput expected = ReferenceRun.await(JOB);
            System.out.printf("Reactive rescale: TaskManager started -> parallelism 3 RUNNING in %.1f s (within the "
                            + "cooldown after the job's first rescale); TaskManager stopped -> parallelism 2 RUNNING "
                            + "in %.1f s; restores: %d%n"
                            + "  committed:   %s%n  undisturbed: %s%n",
                    up, down, restores, actual.summary(), expected.summary());
            assertThat(restores).as("restores (one per rescale)").isGreaterThanOrEqualTo(2);
            assertThat(actual.differencesFrom(expected, 20))
                    .as("committed output vs. the undisturbed run (nothing lost, nothing duplicated)")
                    .isEmpty();
        }
    }
}
