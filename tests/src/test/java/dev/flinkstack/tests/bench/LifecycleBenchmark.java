package dev.flinkstack.tests.bench;

import dev.flinkstack.tests.bench.BenchReport.Section;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmEmulator;
import dev.flinkstack.tests.support.chart.Values;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * How long the chart's job lifecycle keeps a job away, on the rendered chart run by
 * {@link HelmEmulator}: a savepoint upgrade (the hook's stop-with-savepoint, the pods' replacement,
 * the job RUNNING again from the savepoint) next to a last-state upgrade of the same change, and a
 * last-state restart after the JobManager process is SIGKILLed.
 */
class LifecycleBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String JOB_MANAGER = "Deployment/flink-jobmanager";

    @AfterAll
    static void printReport() {
        BenchReport.print();
    }

    @Test
    void upgradesAndRestarts() {
        List<Double> savepointUpgrade = new ArrayList<>();
        List<Double> hook = new ArrayList<>();
        List<Double> replaced = new ArrayList<>();
        List<Double> running = new ArrayList<>();
        List<Double> lastStateUpgrade = new ArrayList<>();
        List<Double> restart = new ArrayList<>();
        List<Double> restartRest = new ArrayList<>();
        try (HelmEmulator helm = new HelmEmulator(Helm.binaries().findFirst().orElseThrow(),
                Helm.imagesUnderTest().toArray(String[]::new))) {
            Supplier<FlinkRest> rest = () -> helm.rest(JOB_MANAGER);
            helm.install(values("savepoint", 1000));
            RunningJob job = RunningJob.awaitRunning(rest, TIMEOUT);
            for (int run = 0; run < BenchReport.runs(); run++) {
                awaitNewCheckpoint(job);
                long started = System.nanoTime();
                helm.upgrade(values("savepoint", 1001 + run));
                double restUp = awaitRestoredAndRunning(rest, job, started);
                double total = StartupBenchmark.seconds(started);
                double hookSeconds = helm.lastHooks().toNanos() / 1e9;
                savepointUpgrade.add(total);
                hook.add(hookSeconds);
                replaced.add(restUp - hookSeconds);
                running.add(total - restUp);

                awaitNewCheckpoint(job);
                started = System.nanoTime();
                helm.upgrade(values("last-state", 2001 + run));
                awaitRestoredAndRunning(rest, job, started);
                lastStateUpgrade.add(StartupBenchmark.seconds(started));

                awaitNewCheckpoint(job);
                started = System.nanoTime();
                helm.podRunner().crash(helm.pods(JOB_MANAGER).get(0));
                restartRest.add(awaitRestoredAndRunning(rest, job, started));
                restart.add(StartupBenchmark.seconds(started));
            }
        }
        String setup = "the chart in application mode (1 JobManager, 1 TaskManager x 2 slots, the example job at "
                + "parallelism 2, 1000 records/s, checkpoints every 2 s) run by the Helm emulator on the images; "
                + "each upgrade changes a job argument; polled every 0.1 s over REST";
        BenchReport.add(Section.LIFECYCLE, 0, "Savepoint upgrade: helm upgrade -> job RUNNING from the savepoint", "s",
                savepointUpgrade, setup + ". Reference, same runs: the same change as a last-state upgrade",
                BenchReport.reference("last-state upgrade", lastStateUpgrade));
        BenchReport.add(Section.LIFECYCLE, 1, "  savepoint: the hook's stop-with-savepoint (pod start to exit)", "s",
                hook, "same runs");
        BenchReport.add(Section.LIFECYCLE, 2, "  stop and start: pods replaced -> JobManager REST API up", "s",
                replaced, "same runs");
        BenchReport.add(Section.LIFECYCLE, 3, "  RUNNING: REST API up -> job RUNNING with all tasks", "s",
                running, "same runs");
        BenchReport.add(Section.LIFECYCLE, 4,
                "Last-state restart: JobManager SIGKILL -> job RUNNING from the latest checkpoint", "s", restart,
                setup + "; the container restarts at once, as the kubelet restarts it. Reference, same runs: "
                        + "the JobManager's REST API answering again",
                BenchReport.reference("REST API up", restartRest));
    }

    private static Values values(String upgradeMode, int rate) {
        return Values.of("mode", "application",
                "job.className", ExampleJob.MAIN_CLASS,
                "job.args", List.of("--rate", Integer.toString(rate), "--checkpoint-interval", "2s"),
                "job.parallelism", 2,
                "job.upgradeMode", upgradeMode,
                "taskmanager.replicas", 1,
                "taskmanager.numberOfTaskSlots", 2)
                .withMap("flinkConfiguration", "rest.cache.execution-graph.timeout", "0ms")
                .withMap("flinkConfiguration", "rest.cache.checkpoint-statistics.timeout", "0ms");
    }

    private static void awaitNewCheckpoint(RunningJob job) {
        job.awaitFullyRunning(TIMEOUT);
        long completed = job.completedCheckpoints();
        job.awaitCompletedCheckpoints(completed + 1, TIMEOUT);
    }

    /**
     * Polls until the new JobManager's REST API answers, then until the job runs with all its tasks,
     * restored; returns the seconds since {@code started} at which the REST API answered.
     */
    private static double awaitRestoredAndRunning(Supplier<FlinkRest> rest, RunningJob job, long started) {
        double restUp = -1;
        while (true) {
            try {
                rest.get().overview();
                if (restUp < 0) {
                    restUp = StartupBenchmark.seconds(started);
                }
                if (job.fullyRunning() && job.restoredFrom().isPresent()) {
                    return restUp;
                }
            } catch (RuntimeException notYet) {
                // the JobManager is not up yet
            }
            if (StartupBenchmark.seconds(started) > TIMEOUT.toSeconds()) {
                throw new AssertionError("the job did not run again within " + TIMEOUT);
            }
            Await.sleep(POLL);
        }
    }
}
