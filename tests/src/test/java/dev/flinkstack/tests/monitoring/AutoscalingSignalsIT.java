package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.faulttolerance.BoundedJob;
import dev.flinkstack.tests.faulttolerance.KafkaTrafficJob;
import dev.flinkstack.tests.faulttolerance.ReferenceRun;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.KafkaBroker;
import dev.flinkstack.tests.support.RunningJob;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Autoscaling on Flink's own signals, end to end without Kubernetes: a real Prometheus evaluates the
 * chart's recording rules on a reactive-mode cluster that reads Kafka, under a load the test controls
 * (it writes the input). The test reads the busy-time signal the chart's HPA or KEDA reads, computes
 * the TaskManager count their formula gives, and applies it to the cluster, as the HPA controller
 * would to the Deployment: the job rescales up under load and down when idle, and its committed
 * output equals an undisturbed run exactly.
 */
@Isolated("the idle busy time is compared with a threshold: another cluster's load would skew it")
class AutoscalingSignalsIT {

    /**
     * 30 s of event time at 100,000 records/s: far more than the job reads in the time the signal needs
     * to rise when written as a backlog, on any machine here (this one reads ~100,000 a second per slot).
     */
    private static final BoundedJob INPUT = new BoundedJob(3_000_000, 100_000);
    private static final KafkaTrafficJob JOB = new KafkaTrafficJob(INPUT);
    private static final double TARGET = BusyTimeAutoscaling.TARGET_PER_TASK_MANAGER;
    /** How long the signal must stay below its target while idle: the recommendation never flips up. */
    private static final Duration IDLE = Duration.ofMinutes(2);
    /** The signal's decay from the last records' processing to idle, before the idle window starts. */
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final Duration RESCALE_TIMEOUT = Duration.ofMinutes(2);

    @Test
    void theBusyTimeSignalScalesTheJobUpUnderLoadAndDownWhenIdleExactlyOnce() throws IOException {
        ReferenceRun.start(INPUT);
        try (FlinkContainerCluster cluster = BusyTimeAutoscaling.reactiveCluster(JOB).start();
                BusyTimeAutoscaling autoscaling = BusyTimeAutoscaling.start(cluster)) {
            KafkaBroker kafka = cluster.kafka();
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(3));

            // Idle before any input: the signal is below its target (the job's start-up has passed).
            Await.condition("the idle job's busy-time signal below its target", Duration.ofMinutes(2),
                    () -> autoscaling.signal().filter(busy -> busy < TARGET).isPresent());

            // Overload: input written as fast as the broker takes it, faster than one slot reads it, until
            // the signal asks for more TaskManagers. How much that takes depends on the machine.
            AtomicBoolean signalled = new AtomicBoolean();
            CompletableFuture<Long> backlog = CompletableFuture.supplyAsync(() -> JOB.writeBacklog(kafka, 0, signalled::get));
            Optional<Double> overloaded = Await.until("the busy-time signal above its target or the input written",
                    Duration.ofMinutes(2), () -> backlog.isDone() ? Optional.of(Optional.<Double>empty())
                            : autoscaling.signal().filter(busy -> busy > TARGET).map(Optional::of));
            signalled.set(true);
            long loadPhase = backlog.join();
            double loaded = overloaded.orElseThrow(() -> new AssertionError("the busy-time signal stayed below "
                    + TARGET + " ms/s while all " + INPUT.records() + " lines were written as fast as possible"));
            int wanted = BusyTimeAutoscaling.desiredTaskManagers(loaded);
            assertThat(wanted).as("TaskManagers the formula wants at %.0f ms/s", loaded)
                    .isEqualTo(BusyTimeAutoscaling.MAX_TASK_MANAGERS);
            long overloadedAt = System.nanoTime();
            cluster.startTaskManager();
            autoscaling.scrape(cluster);
            Await.condition("the job at parallelism 2", RESCALE_TIMEOUT, () -> job.parallelism() == 2 && job.fullyRunning());
            double scaledUp = (System.nanoTime() - overloadedAt) / 1e9;

            // Idle: the input stops. The signal falls below its target and stays there.
            awaitEveryLineInACheckpoint(kafka, loadPhase);
            Await.condition("the busy-time signal below its target", Duration.ofMinutes(1),
                    () -> autoscaling.signal().filter(busy -> busy < TARGET).isPresent());
            Await.sleep(SETTLE.plus(IDLE));
            double idlePeak = autoscaling.peakOver(IDLE).orElseThrow();
            assertThat(BusyTimeAutoscaling.desiredTaskManagers(idlePeak))
                    .as("TaskManagers the formula wants at the idle window's peak, %.1f ms/s", idlePeak)
                    .isEqualTo(BusyTimeAutoscaling.MIN_TASK_MANAGERS);
            long idleAt = System.nanoTime();
            cluster.stop(cluster.taskManagers().get(0));
            Await.condition("the job at parallelism 1", RESCALE_TIMEOUT, () -> job.parallelism() == 1 && job.fullyRunning());
            double scaledDown = (System.nanoTime() - idleAt) / 1e9;

            // The rest of the input, then a drain: every window fires, the last transaction commits.
            JOB.writeInput(kafka, loadPhase, INPUT.records());
            awaitEveryLineInACheckpoint(kafka, INPUT.records());
            long restores = job.restores();
            job.stopWithSavepoint("file:///flink-data/savepoints", true, RESCALE_TIMEOUT);
            assertThat(cluster.awaitExit(cluster.jobManagers().get(0), Duration.ofMinutes(2))).isZero();

            JobOutput actual = KafkaTrafficJob.committedOutput(cluster.dataDir().resolve("output"), kafka);
            JobOutput expected = ReferenceRun.await(INPUT);
            System.out.printf("Autoscaling on busy time (target %.0f ms/s per TaskManager): %d lines of backlog, %.0f ms/s -> %d "
                            + "TaskManagers, RUNNING at parallelism 2 %.1f s after the signal; idle peak over %d s %.1f "
                            + "ms/s -> %d, RUNNING at parallelism 1 %.1f s after the TaskManager left; restores: %d%n"
                            + "  committed:   %s%n  undisturbed: %s%n",
                    TARGET, loadPhase, loaded, wanted, scaledUp, IDLE.toSeconds(), idlePeak,
                    BusyTimeAutoscaling.desiredTaskManagers(idlePeak), scaledDown, restores, actual.summary(), expected.summary());
            assertThat(restores).as("restores (one per rescale)").isGreaterThanOrEqualTo(2);
            assertThat(actual.differencesFrom(expected, 20))
                    .as("committed output vs. the undisturbed run (nothing lost, nothing duplicated)")
                    .isEmpty();
        }
    }

    /** The source commits its offsets when a checkpoint completes: then the lines are in the job's state. */
    private static void awaitEveryLineInACheckpoint(KafkaBroker kafka, long lines) {
        Await.condition(lines + " lines read in a completed checkpoint", RESCALE_TIMEOUT,
                () -> kafka.committedOffsets(KafkaTrafficJob.GROUP, KafkaTrafficJob.INPUT) == lines);
    }
}
