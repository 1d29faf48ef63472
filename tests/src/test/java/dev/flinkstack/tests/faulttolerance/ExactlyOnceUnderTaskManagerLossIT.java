package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.KafkaBroker;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once output through repeated TaskManager loss: a bounded, deterministic run of the example
 * job spans ~20 checkpoints while random TaskManagers are killed with SIGKILL at random times, each
 * replaced at once (as a Deployment replaces a pod); the committed output must equal that of an
 * undisturbed run line for line. The same for the job's SQL version, whose output must also equal the
 * DataStream job's on the same input, and for the job reading Kafka and writing its alerts to Kafka.
 * {@code -Dfaulttolerance.seed=N} replays a run's choices.
 */
class ExactlyOnceUnderTaskManagerLossIT {

    static Stream<Arguments> jobs() {
        return Stream.of(
                Arguments.of("DataStream", BoundedJob.LONG, 5),
                Arguments.of("SQL", SqlTrafficJob.SHORT, 2));
    }

    private static final Duration MIN_PAUSE = Duration.ofSeconds(3);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(8);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(2);

    // One slot per TaskManager and parallelism 2: both TaskManagers run tasks, so every kill fails the
    // job over, and recovery needs the replacement.
    private static final String TWO_SINGLE_SLOT_TASK_MANAGERS = "taskmanager.numberOfTaskSlots: 1\nparallelism.default: 2\n";

    private record Kill(int number, String taskManager, double atSeconds, double recoverySeconds,
                        long latestCheckpointBefore, long restoredCheckpoint) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("jobs")
    void everyRecordIsCommittedExactlyOnceWhileTaskManagersAreKilled(String version, ReferenceRun.Job bounded, int killCount) {
        ReferenceRun.start(bounded);
        if (bounded instanceof SqlTrafficJob sql) {
            ReferenceRun.start(sql.generator());
        }
        long seed = Long.getLong("faulttolerance.seed", System.nanoTime());
        Random random = new Random(seed);

        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(bounded.standaloneJobArguments())
                .taskManagers(2)
                .flinkProperties(TWO_SINGLE_SLOT_TASK_MANAGERS)
                .start()) {
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(3));
            List<Kill> kills = killTaskManagers(cluster, job, job::runningWithInputLeft, random, killCount);
            long restores = job.restores();
            long checkpointsBeforeEnd = job.completedCheckpoints();

            // The application cluster shuts down, status 0, once the job has finished.
            int exitCode = cluster.awaitExit(cluster.jobManagers().get(0), bounded.nominalDuration().plusMinutes(3));
            assertThat(exitCode).as("JobManager exit code (0: the job finished)").isZero();

            JobOutput actual = JobOutput.read(cluster.dataDir().resolve("output"));
            JobOutput expected = ReferenceRun.await(bounded);
            report(version, bounded instanceof SqlTrafficJob sql ? sql.generator() : (BoundedJob) bounded,
                    seed, kills, restores, checkpointsBeforeEnd, actual, expected);

            assertThat(kills).hasSize(killCount);
            assertThat(restores).isGreaterThanOrEqualTo(killCount);
            assertThat(actual.lines("malformed")).hasSize((int) bounded.malformedRecords());
            assertThat(actual.differencesFrom(expected, 20))
                    .as("committed output vs. the undisturbed run (nothing lost, nothing duplicated)")
                    .isEmpty();
            if (bounded instanceof SqlTrafficJob sql) {
                assertThat(expected.differencesFrom(ReferenceRun.await(sql.generator()), 20))
                        .as("the SQL version's output vs. the DataStream job's on the same input")
                        .isEmpty();
            }
        }
    }

    /**
     * Kafka in and out: the generator's lines are written to a topic while the job reads it and
     * TaskManagers are killed; then the job is stopped with a drain (the last windows fire, the last
     * transaction commits). Aggregates and dead-letter lines in files and the alerts a
     * {@code read_committed} consumer sees must equal the generator's undisturbed run.
     */
    @Test
    void kafkaInAndOutIsExactlyOnceWhileTaskManagersAreKilled() throws Exception {
        KafkaTrafficJob kafkaJob = KafkaTrafficJob.LONG;
        BoundedJob input = kafkaJob.generator();
        ReferenceRun.start(input);
        long seed = Long.getLong("faulttolerance.seed", System.nanoTime());
        Random random = new Random(seed);

        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(kafkaJob.standaloneJobArguments())
                .kafka(KafkaTrafficJob.TOPICS)
                .taskManagers(2)
                .flinkProperties(TWO_SINGLE_SLOT_TASK_MANAGERS)
                .start()) {
            KafkaBroker kafka = cluster.kafka();
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(3));
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> kafkaJob.writeInput(kafka));

            List<Kill> kills = killTaskManagers(cluster, job, () -> job.fullyRunning() && !producer.isDone(), random, 2);
            producer.get(input.nominalDuration().plusMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
            // The source commits its offsets when a checkpoint completes: then every line is in the job's state.
            Await.condition("every line read in a completed checkpoint", RECOVERY_TIMEOUT,
                    () -> kafka.committedOffsets(KafkaTrafficJob.GROUP, KafkaTrafficJob.INPUT) == input.records());
            long restores = job.restores();
            long checkpoints = job.completedCheckpoints();
            assertThat(job.stopWithSavepoint("file:///flink-data/savepoints", true, RECOVERY_TIMEOUT))
                    .startsWith("file:/flink-data/savepoints/savepoint-");
            int exitCode = cluster.awaitExit(cluster.jobManagers().get(0), Duration.ofMinutes(2));
            assertThat(exitCode).as("JobManager exit code (0: the job finished)").isZero();

            JobOutput actual = KafkaTrafficJob.committedOutput(cluster.dataDir().resolve("output"), kafka);
            JobOutput expected = ReferenceRun.await(input);
            report("Kafka", input, seed, kills, restores, checkpoints, actual, expected);

            assertThat(actual.lines("malformed")).hasSize((int) input.malformedRecords());
            assertThat(actual.differencesFrom(expected, 20))
                    .as("committed output vs. the generator's undisturbed run (nothing lost, nothing duplicated)")
                    .isEmpty();
        }
    }

    /**
     * Kills a random TaskManager {@code killCount} times at random moments, starting a replacement at
     * once, and checks that the job restores each time from its latest checkpoint. Each kill must
     * come while the job still has input to read ({@code inputLeft}), or it proves nothing.
     */
    private static List<Kill> killTaskManagers(FlinkContainerCluster cluster, RunningJob job, BooleanSupplier inputLeft,
                                               Random random, int killCount) {
        List<Kill> kills = new ArrayList<>();
        long startedAt = System.nanoTime();
        for (int number = 1; number <= killCount; number++) {
            Await.sleep(randomPause(random));
            assertThat(inputLeft.getAsBoolean())
                    .as("the job still reads input before kill %d (raise the record count if not)", number)
                    .isTrue();
            long restoresBefore = job.restores();
            long latestBefore = job.latestCompletedCheckpoint();
            List<String> taskManagers = cluster.taskManagers();
            String victim = taskManagers.get(random.nextInt(taskManagers.size()));

            long killedAt = System.nanoTime();
            cluster.kill(victim);
            cluster.startTaskManager();
            Await.condition("the job restored and fully RUNNING after kill " + number, RECOVERY_TIMEOUT,
                    () -> job.restores() > restoresBefore && job.fullyRunning());
            double recovery = (System.nanoTime() - killedAt) / 1e9;

            JsonNode restored = job.restoredFrom().orElseThrow();
            kills.add(new Kill(number, victim.substring(victim.lastIndexOf('-') + 1),
                    (killedAt - startedAt) / 1e9, recovery, latestBefore, restored.path("id").asLong()));
            assertThat(restored.path("is_savepoint").asBoolean()).isFalse();
            assertThat(restored.path("id").asLong())
                    .as("restored checkpoint after kill %d", number)
                    .isGreaterThanOrEqualTo(latestBefore);
        }
        return kills;
    }

    private static Duration randomPause(Random random) {
        long span = MAX_PAUSE.toMillis() - MIN_PAUSE.toMillis();
        return MIN_PAUSE.plusMillis((long) (random.nextDouble() * span));
    }

    private static void report(String version, BoundedJob input, long seed, List<Kill> kills, long restores,
                               long checkpoints, JobOutput actual, JobOutput expected) {
        StringBuilder out = new StringBuilder()
                .append("Exactly-once under TaskManager loss, ").append(version).append(" (seed ").append(seed)
                .append("): ").append(input.records()).append(" records at ").append(input.rate()).append("/s\n");
        for (Kill kill : kills) {
            out.append(String.format("  kill %d: SIGKILL taskmanager-%s at %5.1f s -> restored checkpoint %d "
                            + "(latest before: %d), RUNNING again after %.1f s%n",
                    kill.number(), kill.taskManager(), kill.atSeconds(), kill.restoredCheckpoint(),
                    kill.latestCheckpointBefore(), kill.recoverySeconds()));
        }
        out.append("  kills: ").append(kills.size())
                .append(", restores: ").append(restores)
                .append(", completed checkpoints: ").append(checkpoints).append('\n')
                .append("  committed:  ").append(actual.summary()).append('\n')
                .append("  undisturbed: ").append(expected.summary()).append('\n');
        System.out.print(out);
    }
}
