package dev.flinkstack.tests.bench;

import dev.flinkstack.tests.bench.BenchReport.Section;
import dev.flinkstack.tests.faulttolerance.BoundedJob;
import dev.flinkstack.tests.faulttolerance.KafkaTrafficJob;
import dev.flinkstack.tests.monitoring.BusyTimeAutoscaling;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ChartDefaults;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.RunningJob;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How fast the packaging recovers and rescales, with the chart's default settings: a TaskManager
 * killed with SIGKILL until the job runs again from a checkpoint, and a TaskManager joining a
 * reactive-mode application until the job runs at the new parallelism.
 */
class RecoveryBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofMillis(100);
    /**
     * The REST API serves job details and checkpoint statistics from caches that live as long as the
     * web UI's refresh interval (3 s); off here, so polling sees a recovery when it happens. This
     * changes what the benchmark observes, not what Flink does.
     */
    static final String UNCACHED_REST =
            "rest.cache.execution-graph.timeout: 0ms\nrest.cache.checkpoint-statistics.timeout: 0ms\n";

    @AfterAll
    static void printReport() {
        BenchReport.print();
    }

    /**
     * A fresh application cluster per run, shaped like the chart's default: 2 TaskManagers with the
     * chart's slots each, the job using all of them, so recovery needs the replacement TaskManager.
     */
    @Test
    void taskManagerKillToJobRunningFromACheckpoint() {
        Recovery volume = taskManagerKills(UnaryOperator.identity());
        Recovery s3 = taskManagerKills(FlinkContainerCluster.Builder::s3Storage);
        int slots = ChartDefaults.taskSlots();
        BenchReport.add(Section.RECOVERY, 0, "TaskManager SIGKILL -> job RUNNING, restored from a checkpoint", "s",
                volume.samples(), "application cluster, 2 TaskManagers x " + slots + " slots, parallelism " + 2 * slots
                        + ", checkpoints every 5 s to the data volume; a replacement starts right after the kill; "
                        + "polled every 0.1 s over REST (caches off); the images' (and the chart's) heartbeat "
                        + "defaults: " + volume.settings() + ". Reference, same runs: the first poll that sees the "
                        + "job restarting",
                volume.detection().isEmpty() ? null : BenchReport.reference("failure detected", volume.detection()));
        BenchReport.add(Section.RECOVERY, 1, "TaskManager SIGKILL -> job RUNNING, restored from a checkpoint in S3", "s",
                s3.samples(), "the same, with checkpoints in S3 (S3Proxy on the cluster's network, as the chart's "
                        + "checkpoints.s3 configures it). Reference, same run: the data volume",
                BenchReport.reference("data volume", volume.samples()));
    }

    private record Recovery(List<Double> samples, List<Double> detection, String settings) {}

    /** Runs of a fresh application cluster each, shaped by {@code storage}: a TaskManager killed, the job recovered. */
    private static Recovery taskManagerKills(UnaryOperator<FlinkContainerCluster.Builder> storage) {
        List<Double> samples = new ArrayList<>();
        List<Double> detection = new ArrayList<>();
        Random random = new Random(1);
        int slots = ChartDefaults.taskSlots();
        List<String> args = List.of("--job-classname", ExampleJob.MAIN_CLASS,
                "--rate", "1000", "--checkpoint-interval", "5s", "--parallelism", Integer.toString(2 * slots));
        String effective = "";
        for (int run = 0; run < BenchReport.runs(); run++) {
            try (FlinkContainerCluster cluster = storage.apply(FlinkContainerCluster.application(args)
                    .taskManagers(2)
                    .flinkProperties(UNCACHED_REST
                            + "taskmanager.numberOfTaskSlots: " + slots + "\n"))
                    .start()) {
                FlinkRest rest = cluster.rest();
                effective = effectiveSettings(rest, RECOVERY_KEYS);
                String jobId = RunningJob.awaitRunning(() -> rest, TIMEOUT).id();
                Await.condition("the job running with a completed checkpoint", TIMEOUT,
                        () -> rest.isFullyRunning(jobId) && rest.completedCheckpoints(jobId) >= 1);
                Await.sleep(Duration.ofSeconds(2));
                long restoresBefore = rest.restores(jobId);

                List<String> taskManagers = cluster.taskManagersRunningTasks();
                long killed = System.nanoTime();
                cluster.kill(taskManagers.get(random.nextInt(taskManagers.size())));
                cluster.startTaskManager();
                double failing = -1;
                while (true) {
                    String state = rest.job(jobId).path("state").asText();
                    if (failing < 0 && !"RUNNING".equals(state)) {
                        failing = StartupBenchmark.seconds(killed);
                    }
                    if (rest.restores(jobId) > restoresBefore && rest.isFullyRunning(jobId)) {
                        break;
                    }
                    if (StartupBenchmark.seconds(killed) > TIMEOUT.toSeconds()) {
                        throw new AssertionError("the job did not recover within " + TIMEOUT);
                    }
                    Await.sleep(POLL);
                }
                samples.add(StartupBenchmark.seconds(killed));
                if (failing >= 0) {
                    detection.add(failing);
                }
            }
        }
        return new Recovery(samples, detection, effective);
    }

    /**
     * One application cluster in reactive mode with the chart's autoscaling settings; each run adds a
     * TaskManager, measures until every task runs at the new parallelism, then removes it again and
     * waits out the cooldown.
     */
    @Test
    void reactiveRescaleAfterATaskManagerJoins() {
        List<Double> fromStart = new ArrayList<>();
        List<Double> fromRegistration = new ArrayList<>();
        int slots = ChartDefaults.taskSlots();
        String properties = ChartDefaults.reactiveProperties() + UNCACHED_REST
                + "taskmanager.numberOfTaskSlots: " + slots + "\n";
        Duration cooldown = ChartDefaults.reactiveCooldown();
        List<String> args = List.of("--job-classname", ExampleJob.MAIN_CLASS, "--rate", "1000");
        String effective;
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(args)
                .taskManagers(1)
                .flinkProperties(properties)
                .start()) {
            FlinkRest rest = cluster.rest();
            effective = effectiveSettings(rest, REACTIVE_KEYS);
            String jobId = RunningJob.awaitRunning(() -> rest, TIMEOUT).id();
            awaitParallelism(rest, jobId, slots);
            for (int run = 0; run < BenchReport.runs(); run++) {
                Await.sleep(cooldown.plusSeconds(2));
                long started = System.nanoTime();
                String added = cluster.startTaskManager();
                double registered = -1;
                while (!(rest.maxParallelism(jobId) == 2 * slots && rest.isFullyRunning(jobId))) {
                    if (registered < 0 && rest.overview().path("taskmanagers").asInt() == 2) {
                        registered = StartupBenchmark.seconds(started);
                    }
                    if (StartupBenchmark.seconds(started) > TIMEOUT.toSeconds()) {
                        throw new AssertionError("no rescale to parallelism " + 2 * slots + " within " + TIMEOUT);
                    }
                    Await.sleep(POLL);
                }
                double rescaled = StartupBenchmark.seconds(started);
                fromStart.add(rescaled);
                if (registered >= 0) {
                    fromRegistration.add(rescaled - registered);
                }
                cluster.stop(added);
                awaitParallelism(rest, jobId, slots);
            }
        }
        BenchReport.add(Section.RECOVERY, 2, "Reactive rescale: TaskManager start -> job RUNNING at new parallelism",
                "s", fromStart, "application cluster in reactive mode, parallelism " + slots + " -> " + 2 * slots
                        + " as a second TaskManager starts (after the cooldown), job checkpoints every 10 s; "
                        + "the chart's autoscaling.reactive values over the image's configuration: " + effective);
        BenchReport.add(Section.RECOVERY, 3,
                "Reactive rescale: TaskManager registered -> job RUNNING at new parallelism", "s", fromRegistration,
                "same runs, from the moment the JobManager counts the new TaskManager");
    }

    /**
     * Autoscaling on busy time, from overload to the job running at its new parallelism: a reactive
     * job reading Kafka on one TaskManager, a real Prometheus with the chart's rules. Each run, on a
     * new cluster whose job idles below the target, writes a backlog of 2 million lines as fast as the
     * broker takes them (the job then reads at full speed: an overload) and, as soon as the signal is
     * above the target, starts the TaskManager the formula asks for, as an HPA or KEDA without a sync
     * delay would.
     */
    @Test
    void overloadToRunningAtTheNewParallelismOnTheBusyTimeSignal() throws IOException {
        long backlog = 2_000_000;
        KafkaTrafficJob job = new KafkaTrafficJob(new BoundedJob(backlog, 2_000));
        List<Double> fromOverload = new ArrayList<>();
        List<Double> detection = new ArrayList<>();
        List<Double> fromTaskManagerStart = new ArrayList<>();
        for (int run = 0; run < BenchReport.slowRuns(); run++) {
            try (FlinkContainerCluster cluster = BusyTimeAutoscaling.reactiveCluster(job).start();
                    BusyTimeAutoscaling autoscaling = BusyTimeAutoscaling.start(cluster)) {
                RunningJob running = RunningJob.awaitRunning(cluster::rest, TIMEOUT);
                Await.condition("the idle job's signal below its target", TIMEOUT, () -> autoscaling.signal()
                        .filter(busy -> busy < BusyTimeAutoscaling.TARGET_PER_TASK_MANAGER).isPresent());
                long overloaded = System.nanoTime();
                CompletableFuture<Void> input = CompletableFuture.runAsync(() -> job.writeBacklog(cluster.kafka(), 0, () -> false));
                double signal = Await.until("the signal above its target", TIMEOUT, () -> autoscaling.signal()
                        .filter(busy -> busy > BusyTimeAutoscaling.TARGET_PER_TASK_MANAGER));
                detection.add(StartupBenchmark.seconds(overloaded));
                assertThat(BusyTimeAutoscaling.desiredTaskManagers(signal)).isEqualTo(BusyTimeAutoscaling.MAX_TASK_MANAGERS);
                long started = System.nanoTime();
                cluster.startTaskManager();
                Await.condition("the job at parallelism 2", TIMEOUT, () -> running.parallelism() == 2 && running.fullyRunning());
                fromOverload.add(StartupBenchmark.seconds(overloaded));
                fromTaskManagerStart.add(StartupBenchmark.seconds(started));
                input.join();
            }
        }
        BenchReport.add(Section.RECOVERY, 4, "Autoscaling on busy time: overload -> job RUNNING at new parallelism", "s",
                fromOverload, "reactive job reading Kafka, 1 -> 2 TaskManagers of 1 slot; overload: a backlog of "
                        + backlog + " lines written at once; the chart's recording rule in Prometheus (scrape every 2 s) "
                        + "against a target of " + BusyTimeAutoscaling.TARGET_PER_TASK_MANAGER + " ms/s, the TaskManager "
                        + "started as soon as the signal is above it (on Kubernetes add the HPA's sync period, 15 s, or "
                        + "KEDA's pollingInterval, and the pod's scheduling)",
                BenchReport.reference("TaskManager start -> RUNNING at new parallelism, same runs", fromTaskManagerStart));
        BenchReport.add(Section.RECOVERY, 5, "  detection: overload -> busy-time signal above its target", "s", detection,
                "same runs: Flink's busyTimeMsPerSecond of the busiest vertex, as the chart's recording rule sums it");
    }

    private static final List<String> RECOVERY_KEYS = List.of("heartbeat.interval", "heartbeat.timeout",
            "restart-strategy.type", "restart-strategy.exponential-delay.initial-backoff");
    private static final List<String> REACTIVE_KEYS = List.of(
            "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling",
            "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout",
            "jobmanager.adaptive-scheduler.rescale-trigger.max-delay");

    /** The cluster's effective values of {@code keys}, e.g. {@code heartbeat.timeout=5000}. */
    private static String effectiveSettings(FlinkRest rest, List<String> keys) {
        List<String> settings = new ArrayList<>();
        for (String key : keys) {
            String value = rest.configValue(key);
            settings.add(key + "=" + (value == null ? "(Flink default)" : value));
        }
        return String.join(", ", settings);
    }

    private static void awaitParallelism(FlinkRest rest, String jobId, int parallelism) {
        Await.condition("the job running at parallelism " + parallelism, TIMEOUT,
                () -> rest.maxParallelism(jobId) == parallelism && rest.isFullyRunning(jobId));
    }

}
