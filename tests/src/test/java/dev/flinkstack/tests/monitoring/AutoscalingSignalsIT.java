package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.faulttolerance.BoundedJob;
import dev.flinkstack.tests.faulttolerance.KafkaTrafficJob;
import dev.flinkstack.tests.faulttolerance.ReferenceRun;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ChartDefaults;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.KafkaBroker;
import dev.flinkstack.tests.support.RunningJob;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

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

    private static final KafkaTrafficJob JOB = KafkaTrafficJob.LONG;
    private static final BoundedJob INPUT = JOB.generator();
    private static final String BUSY_TIME = "flink_cluster:busy_time_ms_per_second:bottleneck_sum{"
            + PrometheusServer.CLUSTER_SELECTOR + "}";
    /**
     * autoscaling.flinkMetrics.busyTimeMsPerSecond for this test, one slot per TaskManager: reading the
     * input at 2000 records/s keeps one slot's busiest vertex (the Kafka source's) busy well above it
     * here (1000 ms/s), an overload for this target, while an idle job peaks at 30-40 ms/s (checkpoints).
     */
    private static final double BUSY_TARGET_PER_TASK_MANAGER = 150;
    private static final int MIN_TASK_MANAGERS = 1;
    private static final int MAX_TASK_MANAGERS = 2;
    /** How long the signal must stay below its target while idle: the recommendation never flips up. */
    private static final Duration IDLE = Duration.ofSeconds(60);
    /** The signal's decay from the last records' processing to idle, before the idle minute starts. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration RESCALE_TIMEOUT = Duration.ofMinutes(2);

    @Test
    void theBusyTimeSignalScalesTheJobUpUnderLoadAndDownWhenIdleExactlyOnce() throws IOException {
        ReferenceRun.start(INPUT);
        // Two thirds of the input first (40 s), as long as the rescale up takes (it waits out the cooldown).
        long loadPhase = INPUT.records() * 2 / 3;
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(JOB.standaloneJobArguments())
                .kafka(KafkaTrafficJob.TOPICS)
                .taskManagers(MIN_TASK_MANAGERS)
                .flinkProperties(ChartDefaults.reactiveProperties() + "taskmanager.numberOfTaskSlots: 1\n"
                        + PrometheusServer.CLUSTER_LABEL_PROPERTY)
                .start();
                PrometheusServer prometheus = PrometheusServer.start(MonitoringFiles.ruleFiles())) {
            KafkaBroker kafka = cluster.kafka();
            prometheus.scrape(cluster);
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(3));

            // Load: the first part of the input at 2000 records/s. The signal asks for more TaskManagers.
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> JOB.writeInput(kafka, 0, loadPhase));
            double loaded = Await.until("the busy-time signal above its target", Duration.ofMinutes(1),
                    () -> value(prometheus, BUSY_TIME).filter(busy -> busy > BUSY_TARGET_PER_TASK_MANAGER));
            assertThat(producer).as("the signal read while the input is being written").isNotDone();
            int wanted = desiredTaskManagers(loaded);
            assertThat(wanted).as("TaskManagers the formula wants at %.0f ms/s", loaded).isEqualTo(MAX_TASK_MANAGERS);
            long overloadedAt = System.nanoTime();
            cluster.startTaskManager();
            prometheus.scrape(cluster);
            Await.condition("the job at parallelism 2", RESCALE_TIMEOUT, () -> job.parallelism() == 2 && job.fullyRunning());
            double scaledUp = (System.nanoTime() - overloadedAt) / 1e9;

            // Idle: the input stops. The signal falls below its target and stays there.
            producer.join();
            awaitEveryLineInACheckpoint(kafka, loadPhase);
            Await.condition("the busy-time signal below its target", Duration.ofMinutes(1),
                    () -> value(prometheus, BUSY_TIME).filter(busy -> busy < BUSY_TARGET_PER_TASK_MANAGER).isPresent());
            Await.sleep(SETTLE.plus(IDLE));
            double idlePeak = value(prometheus, "max_over_time(" + BUSY_TIME + "[" + IDLE.toSeconds() + "s])").orElseThrow();
            assertThat(desiredTaskManagers(idlePeak))
                    .as("TaskManagers the formula wants at the idle minute's peak, %.1f ms/s", idlePeak)
                    .isEqualTo(MIN_TASK_MANAGERS);
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
            System.out.printf("Autoscaling on busy time (target %.0f ms/s per TaskManager): loaded %.0f ms/s -> %d "
                            + "TaskManagers, RUNNING at parallelism 2 %.1f s after the signal; idle peak over %d s %.1f "
                            + "ms/s -> %d, RUNNING at parallelism 1 %.1f s after the TaskManager left; restores: %d%n"
                            + "  committed:   %s%n  undisturbed: %s%n",
                    BUSY_TARGET_PER_TASK_MANAGER, loaded, wanted, scaledUp, IDLE.toSeconds(), idlePeak,
                    desiredTaskManagers(idlePeak), scaledDown, restores, actual.summary(), expected.summary());
            assertThat(restores).as("restores (one per rescale)").isGreaterThanOrEqualTo(2);
            assertThat(actual.differencesFrom(expected, 20))
                    .as("committed output vs. the undisturbed run (nothing lost, nothing duplicated)")
                    .isEmpty();
        }
    }

    /**
     * The HPA's (and KEDA's) formula for an AverageValue target: ceil(value / target per pod) pods,
     * within the minimum and maximum.
     */
    private static int desiredTaskManagers(double busyTime) {
        int wanted = (int) Math.ceil(busyTime / BUSY_TARGET_PER_TASK_MANAGER);
        return Math.max(MIN_TASK_MANAGERS, Math.min(MAX_TASK_MANAGERS, wanted));
    }

    /** The single series' value of an instant query, if there is one. */
    private static Optional<Double> value(PrometheusServer prometheus, String promql) {
        JsonNode result = prometheus.query(promql);
        return result.size() == 1 ? Optional.of(result.at("/0/value/1").asDouble()) : Optional.empty();
    }

    /** The source commits its offsets when a checkpoint completes: then the lines are in the job's state. */
    private static void awaitEveryLineInACheckpoint(KafkaBroker kafka, long lines) {
        Await.condition(lines + " lines read in a completed checkpoint", RESCALE_TIMEOUT,
                () -> kafka.committedOffsets(KafkaTrafficJob.GROUP, KafkaTrafficJob.INPUT) == lines);
    }
}
