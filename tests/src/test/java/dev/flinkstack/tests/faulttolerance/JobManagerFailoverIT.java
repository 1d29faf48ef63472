package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.JobOutput;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JobManager failover with ZooKeeper high availability, the way the chart configures it (a real
 * ZooKeeper server from Debian's packages; checkpoints and HA metadata on the data volume, or in S3
 * for the session cluster): the leading JobManager is killed with SIGKILL mid-run, and the job
 * resumes from its latest checkpoint and commits exactly the output of an undisturbed run.
 */
class JobManagerFailoverIT {

    private static final BoundedJob JOB = BoundedJob.SHORT;

    /** Short, so the killed leader's ZooKeeper session and leadership end within seconds. */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(8);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofMinutes(2);
    private static final String ONE_SLOT = "taskmanager.numberOfTaskSlots: 1\nparallelism.default: 2\n";

    /** Application mode, one JobManager that is restarted after the kill (a Deployment with 1 replica). */
    @Test
    void restartedJobManagerResumesTheApplicationFromTheLatestCheckpoint() {
        ReferenceRun.start(JOB);
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(JOB.standaloneJobArguments())
                .zooKeeperHighAvailability("ft-application", SESSION_TIMEOUT)
                .jobManagers(1)
                .taskManagers(2)
                .flinkProperties(ONE_SLOT)
                .start()) {
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(3));
            job.awaitCompletedCheckpoints(3, Duration.ofMinutes(1));
            assertThat(job.runningWithInputLeft()).as("job still reading input before the kill").isTrue();

            Failover failover = killLeader(cluster, job, () -> cluster.startJobManager());

            assertThat(cluster.leader())
                    .hasValueSatisfying(leader -> assertThat(leader).isNotEqualTo(failover.killed()));
            int exitCode = cluster.awaitExit(cluster.leader().orElseThrow(), JOB.nominalDuration().plusMinutes(3));
            assertThat(exitCode).as("JobManager exit code (0: the application finished)").isZero();
            assertExactlyOnce("application mode, restarted JobManager", cluster, failover);
        }
    }

    /**
     * Session mode, a leader and a standby JobManager, the job submitted over REST; checkpoints and
     * HA metadata in S3 (S3Proxy), as with the chart's checkpoints.s3.
     */
    @Test
    void standbyJobManagerTakesOverTheSessionClustersJobWithItsStateInS3() {
        ReferenceRun.start(JOB);
        try (FlinkContainerCluster cluster = FlinkContainerCluster.session()
                .s3Storage()
                .zooKeeperHighAvailability("ft-session", SESSION_TIMEOUT)
                .jobManagers(2)
                .taskManagers(2)
                .flinkProperties(ONE_SLOT)
                .start()) {
            // Over REST, so the job's settings come from the cluster (a CLI would add its own).
            FlinkRest leaderRest = cluster.rest();
            String jobId = leaderRest.runJar(leaderRest.uploadJar(ExampleJob.jar()), JOB.arguments());
            RunningJob job = RunningJob.of(cluster::rest, jobId);
            job.awaitFullyRunning(Duration.ofMinutes(2));
            job.awaitCompletedCheckpoints(3, Duration.ofMinutes(1));
            assertThat(job.runningWithInputLeft()).as("job still reading input before the kill").isTrue();

            String killed = cluster.leader().orElseThrow();
            String standby = cluster.jobManagers().stream()
                    .filter(name -> !name.equals(killed))
                    .findFirst()
                    .orElseThrow();
            // The killed pod's replacement joins as the new standby.
            Failover failover = killLeader(cluster, job, () -> cluster.startJobManager());

            assertThat(cluster.leader()).hasValue(standby);
            assertThat(cluster.s3().keys(FlinkContainerCluster.S3_BUCKET, "ha/"))
                    .as("the HA metadata the standby recovered the job from, in S3").isNotEmpty();
            job.awaitState("FINISHED", JOB.nominalDuration().plusMinutes(3));
            assertExactlyOnce("session mode, standby JobManager", cluster, failover);
        }
    }

    private record Failover(String killed, double seconds, long latestCheckpointBefore, long restoredCheckpoint) {}

    /**
     * Kills the leader, runs {@code afterKill} (start a replacement), waits for another JobManager to
     * lead and run the job again, restored from a checkpoint at least as recent as the last one
     * completed before the kill.
     */
    private static Failover killLeader(FlinkContainerCluster cluster, RunningJob job, Runnable afterKill) {
        String killed = cluster.leader().orElseThrow();
        long latestBefore = job.latestCompletedCheckpoint();
        long killedAt = System.nanoTime();
        cluster.kill(killed);
        afterKill.run();
        Await.condition("another JobManager to lead and run the job from a checkpoint", FAILOVER_TIMEOUT,
                () -> cluster.leader().isPresent() && job.restoredFrom().isPresent() && job.fullyRunning());
        double seconds = (System.nanoTime() - killedAt) / 1e9;

        JsonNode restored = job.restoredFrom().orElseThrow();
        assertThat(restored.path("is_savepoint").asBoolean()).isFalse();
        assertThat(restored.path("external_path").asText()).startsWith(cluster.checkpointsDir() + "/" + job.id());
        assertThat(restored.path("id").asLong()).isGreaterThanOrEqualTo(latestBefore);
        return new Failover(killed, seconds, latestBefore, restored.path("id").asLong());
    }

    private static void assertExactlyOnce(String scenario, FlinkContainerCluster cluster, Failover failover) {
        JobOutput actual = JobOutput.read(cluster.dataDir().resolve("output"));
        JobOutput expected = ReferenceRun.await(JOB);
        System.out.printf("JobManager failover (%s): leader killed, job RUNNING again after %.1f s, restored "
                        + "checkpoint %d (latest before the kill: %d)%n  committed:   %s%n  undisturbed: %s%n",
                scenario, failover.seconds(), failover.restoredCheckpoint(), failover.latestCheckpointBefore(),
                actual.summary(), expected.summary());
        assertThat(actual.differencesFrom(expected, 20))
                .as("committed output vs. the undisturbed run (nothing lost, nothing duplicated)")
                .isEmpty();
    }
}
