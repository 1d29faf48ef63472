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
import java.util.Map;
import java.util.function.Supplier;

/**
 * How long the chart's job lifecycle keeps a job away, on the rendered chart run by
 * {@link HelmEmulator}: a savepoint upgrade (the hook's stop-with-savepoint, the pods' replacement,
 * the job RUNNING again from the savepoint) next to a last-state upgrade of the same change, and a
 * last-state restart after the JobManager process is SIGKILLed; all of it again on a cluster with
 * Flink's default retry delay of a TaskManager's registration (the chart's conf/config.yaml shortens it).
 */
class LifecycleBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String JOB_MANAGER = "Deployment/flink-jobmanager";
    private static final String REGISTRATION_RETRY = "cluster.registration.error-delay";

    @AfterAll
    static void printReport() {
        BenchReport.print();
    }

    @Test
    void upgradesAndRestarts() {
        Runs chart = measure(Map.of());
        // The same with Flink's default retry of a TaskManager that cannot reach the ResourceManager.
        Runs flinkDefault = measure(Map.of(REGISTRATION_RETRY, "10s"));
        String setup = "the chart in application mode (1 JobManager, 1 TaskManager x 2 slots, the example job at "
                + "parallelism 2, 1000 records/s, checkpoints every 2 s) run by the Helm emulator on the images; "
                + "each upgrade changes a job argument; polled every 0.1 s over REST";
        String withFlinkDefault = "with Flink's default " + REGISTRATION_RETRY + " (10 s; the chart's is 1 s)";
        BenchReport.add(Section.LIFECYCLE, 0, "Savepoint upgrade: helm upgrade -> job RUNNING from the savepoint", "s",
                chart.savepointUpgrade, setup + ". Reference, same runs: the same change as a last-state upgrade",
                BenchReport.reference("last-state upgrade", chart.lastStateUpgrade));
        BenchReport.add(Section.LIFECYCLE, 1, "  savepoint: the hook's stop-with-savepoint (pod start to exit)", "s",
                chart.hook, "same runs");
        BenchReport.add(Section.LIFECYCLE, 2, "  stop and start: pods replaced -> JobManager REST API up", "s",
                chart.replaced, "same runs");
        BenchReport.add(Section.LIFECYCLE, 3, "  RUNNING: REST API up -> job RUNNING with all tasks", "s",
                chart.running, "same runs");
        BenchReport.add(Section.LIFECYCLE, 4, "  the same upgrade " + withFlinkDefault, "s", flinkDefault.savepointUpgrade,
                "same setup, another cluster. Reference: the chart's default, above",
                BenchReport.reference("chart default", chart.savepointUpgrade));
        BenchReport.add(Section.LIFECYCLE, 5,
                "Last-state restart: JobManager SIGKILL -> job RUNNING from the latest checkpoint", "s", chart.restart,
                setup + "; the container restarts at once, as the kubelet restarts it. Reference, same runs: "
                        + "the JobManager's REST API answering again",
                BenchReport.reference("REST API up", chart.restartRest));
        BenchReport.add(Section.LIFECYCLE, 6, "  the same restart " + withFlinkDefault, "s", flinkDefault.restart,
                "same setup, another cluster. Reference: the chart's default, above",
                BenchReport.reference("chart default", chart.restart));
    }

    /** Seconds per run of each measured step. */
    private record Runs(List<Double> savepointUpgrade, List<Double> hook, List<Double> replaced, List<Double> running,
                        List<Double> lastStateUpgrade, List<Double> restart, List<Double> restartRest) {}

    /** A savepoint upgrade, a last-state upgrade and a JobManager SIGKILL per run, on one cluster. */
    private static Runs measure(Map<String, String> flinkConfiguration) {
        Runs runs = new Runs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (HelmEmulator helm = new HelmEmulator(Helm.binaries().findFirst().orElseThrow(),
                Helm.imagesUnderTest().toArray(String[]::new))) {
            Supplier<FlinkRest> rest = () -> helm.rest(JOB_MANAGER);
            helm.install(values("savepoint", 1000, flinkConfiguration));
            RunningJob job = RunningJob.awaitRunning(rest, TIMEOUT);
            for (int run = 0; run < BenchReport.runs(); run++) {
                awaitNewCheckpoint(job);
                long started = System.nanoTime();
                helm.upgrade(values("savepoint", 1001 + run, flinkConfiguration));
                double restUp = awaitRestoredAndRunning(rest, job, started);
                double total = StartupBenchmark.seconds(started);
                runs.savepointUpgrade.add(total);
                runs.hook.add(helm.lastHooks().toNanos() / 1e9);
                runs.replaced.add(restUp - helm.lastHooks().toNanos() / 1e9);
                runs.running.add(total - restUp);

                awaitNewCheckpoint(job);
                started = System.nanoTime();
                helm.upgrade(values("last-state", 2001 + run, flinkConfiguration));
                awaitRestoredAndRunning(rest, job, started);
                runs.lastStateUpgrade.add(StartupBenchmark.seconds(started));

                awaitNewCheckpoint(job);
                started = System.nanoTime();
                helm.podRunner().crash(helm.pods(JOB_MANAGER).get(0));
                runs.restartRest.add(awaitRestoredAndRunning(rest, job, started));
                runs.restart.add(StartupBenchmark.seconds(started));
            }
        }
        return runs;
    }

    private static Values values(String upgradeMode, int rate, Map<String, String> flinkConfiguration) {
        Values values = Values.of("mode", "application",
                "job.className", ExampleJob.MAIN_CLASS,
                "job.args", List.of("--rate", Integer.toString(rate), "--checkpoint-interval", "2s"),
                "job.parallelism", 2,
                "job.upgradeMode", upgradeMode,
                "taskmanager.replicas", 1,
                "taskmanager.numberOfTaskSlots", 2)
                .withMap("flinkConfiguration", "rest.cache.execution-graph.timeout", "0ms")
                .withMap("flinkConfiguration", "rest.cache.checkpoint-statistics.timeout", "0ms");
        for (Map.Entry<String, String> entry : flinkConfiguration.entrySet()) {
            values = values.withMap("flinkConfiguration", entry.getKey(), entry.getValue());
        }
        return values;
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
