package dev.flinkstack.tests.bench;

import dev.flinkstack.tests.bench.BenchReport.Section;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How fast the images start: a JobManager container until its REST API answers, a TaskManager
 * container until it is registered, and `make run` (a local session cluster of 1 JobManager and 2
 * TaskManagers, the example job submitted) until the job and all its tasks run.
 */
class StartupBenchmark {

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Path LOCAL_CLUSTER = Path.of(System.getProperty("repository.dir", ".."), "local",
            "cluster.sh");
    private static final Pattern RUNNING_AFTER = Pattern.compile("example job RUNNING after (\\d+)s");

    private final ContainerEngine engine = ContainerEngine.fromSystemProperties();
    private final String id = "flinkstack-bench-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterAll
    static void printReport() {
        BenchReport.print();
    }

    /**
     * The reference of the start-up figures, measured in the same runs: `docker run` of the image
     * running only `java -version`, i.e. a container plus a bare JVM start on this machine.
     */
    private double bareJvmStart() {
        long started = System.nanoTime();
        engine.run("run", "--rm", "--entrypoint", "java", FlinkContainerCluster.jobManagerImage(), "-version").orThrow();
        return seconds(started);
    }

    @Test
    void jobManagerContainerStartToRestReady() {
        List<Double> samples = new ArrayList<>();
        List<Double> bareJvm = new ArrayList<>();
        engine.createNetwork(id);
        try {
            for (int run = 0; run < BenchReport.runs(); run++) {
                bareJvm.add(bareJvmStart());
                String name = id + "-jobmanager-" + run;
                long started = System.nanoTime();
                try {
                    startJobManager(name);
                    FlinkRest rest = new FlinkRest("127.0.0.1", engine.publishedPort(name, 8081));
                    poll("the REST API of " + name, () -> rest.overview().has("taskmanagers"));
                    samples.add(seconds(started));
                } finally {
                    engine.remove(name);
                }
            }
        } finally {
            engine.removeNetwork(id);
        }
        BenchReport.add(Section.STARTUP, 0, "JobManager container start -> REST API ready", "s", samples,
                "`docker run` of a session JobManager until GET /overview answers",
                BenchReport.reference("container + bare JVM (`java -version`)", bareJvm));
    }

    @Test
    void taskManagerContainerStartToRegistered() {
        List<Double> samples = new ArrayList<>();
        List<Double> bareJvm = new ArrayList<>();
        engine.createNetwork(id);
        String jobManager = id + "-jobmanager";
        try {
            startJobManager(jobManager);
            FlinkRest rest = new FlinkRest("127.0.0.1", engine.publishedPort(jobManager, 8081));
            Await.condition("the JobManager's REST API", TIMEOUT, () -> rest.overview().has("taskmanagers"));
            for (int run = 0; run < BenchReport.runs(); run++) {
                bareJvm.add(bareJvmStart());
                String name = id + "-taskmanager-" + run;
                long started = System.nanoTime();
                try {
                    engine.start(new ContainerEngine.Container(name, FlinkContainerCluster.taskManagerImage())
                            .network(id).args("taskmanager"));
                    poll(name + " to register", () -> rest.overview().path("taskmanagers").asInt() == 1);
                    samples.add(seconds(started));
                } finally {
                    engine.remove(name);
                }
                Await.condition("the removed TaskManager to be gone", TIMEOUT,
                        () -> rest.overview().path("taskmanagers").asInt() == 0);
            }
        } finally {
            engine.remove(jobManager);
            engine.removeNetwork(id);
        }
        BenchReport.add(Section.STARTUP, 1, "TaskManager container start -> registered", "s", samples,
                "`docker run` of a TaskManager until the JobManager counts it",
                BenchReport.reference("container + bare JVM (`java -version`)", bareJvm));
    }

    @Test
    void makeRunToJobRunning(@TempDir Path localDir) {
        String running = engine.run("ps", "--quiet", "--filter", "label=dev.flinkstack.local-cluster=true")
                .orThrow().stdout().trim();
        assertThat(running).as("a `make run` cluster is running; stop it (make stop) before benchmarking").isEmpty();
        List<Double> samples = new ArrayList<>();
        List<String> reported = new ArrayList<>();
        Map<String, String> environment = Map.of("LOCAL_DIR", localDir.toString());
        for (int run = 0; run < BenchReport.slowRuns(); run++) {
            long started = System.nanoTime();
            try {
                Processes.Result result = script(environment, "start", "session", "2");
                assertThat(result.exitCode()).as(result.describe()).isZero();
                samples.add(seconds(started));
                Matcher matcher = RUNNING_AFTER.matcher(result.stdout());
                reported.add(matcher.find() ? matcher.group(1) + " s" : "?");
            } finally {
                script(environment, "stop");
            }
        }
        BenchReport.add(Section.STARTUP, 2, "`make run` -> example job RUNNING", "s", samples,
                "`local/cluster.sh start session 2` (what `make run` runs after `make images`) until "
                        + "the job and all its tasks run; the script itself reported " + String.join(", ", reported));
    }

    private void startJobManager(String name) {
        engine.start(new ContainerEngine.Container(name, FlinkContainerCluster.jobManagerImage())
                .network(id, "jobmanager")
                .publish(8081)
                .args("jobmanager"));
    }

    private static Processes.Result script(Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>(List.of("env"));
        environment.forEach((key, value) -> command.add(key + "=" + value));
        command.add(LOCAL_CLUSTER.toString());
        command.addAll(List.of(args));
        return Processes.run(Duration.ofMinutes(5), command);
    }

    private static void poll(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                if (condition.get()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet: the server is still starting
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Await.sleep(POLL);
        }
    }

    static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
