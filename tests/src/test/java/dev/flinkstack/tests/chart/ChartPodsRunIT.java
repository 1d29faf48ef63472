package dev.flinkstack.tests.chart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.PodRunner;
import dev.flinkstack.tests.support.chart.Values;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart runs: it is rendered (session mode and application mode, with persistence), and the
 * rendered JobManager, TaskManager, job submission, CronJob and helm test pods run on the project's images in
 * the container engine, translated faithfully by {@link PodRunner}. The cluster must form, the
 * example job must run, and its checkpoints must land on the checkpoint volume.
 */
class ChartPodsRunIT {

    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static Helm helm;

    @BeforeAll
    static void pickHelm() {
        helm = Helm.binaries().findFirst().orElseThrow();
    }

    /** Renders with the IT values file (and {@code more} helm arguments), pointing the chart at the images under test. */
    private static Manifests render(String valuesResource, String... more) {
        Path values = Paths.get("src/test/resources/chart", valuesResource).toAbsolutePath();
        List<String> args = new ArrayList<>(List.of("template", Helm.RELEASE, Helm.chartDir().toString(),
                "--namespace", Helm.NAMESPACE, "-f", values.toString()));
        args.addAll(Helm.imagesUnderTest());
        args.addAll(List.of(more));
        Helm.Result result = helm.run(args);
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return Manifests.parse(result.stdout());
    }

    /** Runs the rendered JobManager Deployment as pod {@code podName} and waits for its REST API. */
    private static FlinkRest startJobManager(PodRunner pods, Manifests m, String podName) {
        pods.start(m.get("Deployment", "flink-jobmanager"), podName, "rest");
        FlinkRest rest = new FlinkRest("127.0.0.1", pods.engine().publishedPort(pods.containerName(podName), 8081));
        Await.until("the JobManager REST API", STARTUP, () -> Optional.of(rest.overview()));
        return rest;
    }

    @Test
    void sessionClusterFormsRunsTheSubmittedJobAndCheckpointsToTheClaim() throws Exception {
        Manifests m = render("session-it-values.yaml");
        try (PodRunner pods = new PodRunner(m, Helm.NAMESPACE)) {
            String jobManager = "flink-jobmanager-7d9f8b6c5d-x2k4p";
            FlinkRest rest = startJobManager(pods, m, jobManager);

            JsonNode taskManagers = m.get("Deployment", "flink-taskmanager");
            List<String> tmPods = List.of("flink-taskmanager-5c4d8f9b7-abcde", "flink-taskmanager-5c4d8f9b7-fghij");
            tmPods.forEach(pod -> pods.start(taskManagers, pod));
            Await.condition("2 registered TaskManagers", STARTUP, () -> rest.overview().path("taskmanagers").asInt() == 2);
            assertTaskManagersAdvertisePodIps(rest, pods, tmPods);
            // The JobManager fetches task metrics from each TaskManager's query service, on its pinned port.
            assertThat(pods.engine().run("exec", pods.containerName(tmPods.get(0)), "bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/6125").succeeded()).as("the metric query service on port 6125").isTrue();
            String taskManagerId = rest.get("/taskmanagers").at("/taskmanagers/0/id").asText();
            Await.condition("a TaskManager's metrics through the REST API", STARTUP,
                    () -> rest.get("/taskmanagers/" + taskManagerId + "/metrics?get=Status.JVM.Memory.Heap.Used").size() == 1);
            assertThat(pods.engine().run("exec", pods.containerName(tmPods.get(0)), "bash", "-c",
                    "exec 3<>/dev/tcp/flink-jobmanager/6123").succeeded())
                    .as("the JobManager Service name resolves and answers on the RPC port").isTrue();

            // The reconciler submits the listed job, named as listed.
            String reconciler = "flink-jobs-6f7d8c9b5-r2x4k";
            pods.start(m.get("Deployment", "flink-jobs"), reconciler);
            String jobId = RunningJob.awaitRunning(() -> rest, STARTUP).id();
            assertThat(rest.job(jobId).path("name").asText()).isEqualTo("traffic");
            assertRunsAndCheckpointsToTheClaim(rest, jobId, pods.claimDir("flink-checkpoints"));

            // One scheduled run whose first pod dies once it submitted the bounded job: the retry (a
            // second pod of the same Kubernetes Job) waits for that job instead of running it again.
            JsonNode cronJob = m.get("CronJob", "flink-scheduled");
            pods.start(cronJob, "flink-scheduled-29391840-t5w8n");
            Await.condition("the scheduled job submitted", STARTUP, () -> rest.jobIds().size() == 2);
            pods.engine().kill(pods.containerName("flink-scheduled-29391840-t5w8n"));
            assertThat(runToCompletion(pods, cronJob, "flink-scheduled-29391840-q7r2x")).isZero();
            assertThat(rest.jobIds()).as("the streaming job and the scheduled one, once").hasSize(2);
            assertScheduledRunCommittedItsOutput(pods.claimDir("flink-checkpoints"));
            assertThat(rest.isFullyRunning(jobId)).as("the streaming job kept running").isTrue();

            // A JobManager restart without HA forgets the session's jobs: the reconciler submits the
            // listed one again, under its id, from its latest checkpoint, and only that one.
            long checkpointBefore = rest.latestCompletedCheckpoint(jobId).path("id").asLong();
            pods.crash(jobManager);
            Supplier<FlinkRest> restarted = () -> new FlinkRest("127.0.0.1", pods.engine().publishedPort(pods.containerName(jobManager), 8081));
            RunningJob.of(restarted, jobId).awaitFullyRunning(STARTUP);
            assertThat(restarted.get().restoredFrom(jobId)).as("resumed from its latest checkpoint")
                    .hasValueSatisfying(restored -> assertThat(restored.path("id").asLong()).isGreaterThanOrEqualTo(checkpointBefore));
            assertThat(restarted.get().jobIds()).containsExactly(jobId);

            // Removed from jobs (the ConfigMap's new file): the reconciler stops it with a savepoint.
            pods.update(render("session-it-values.yaml", "--set-json", "jobs=[]"));
            Await.condition("the removed job stopped", STARTUP,
                    () -> "FINISHED".equals(restarted.get().job(jobId).path("state").asText()));
            try (Stream<Path> savepoints = Files.list(pods.claimDir("flink-checkpoints").resolve("savepoints"))) {
                assertThat(savepoints.map(p -> p.getFileName().toString())).anyMatch(name -> name.startsWith("savepoint-" + jobId.substring(0, 6)));
            }
            assertThat(pods.logs(reconciler)).as("submitted on install and after the restart, never more")
                    .containsOnlyOnce("with empty state").containsOnlyOnce("from the latest checkpoint");

            // helm test
            assertThat(runToCompletion(pods, m.get("Pod", "flink-test-rest-api"), "flink-test-rest-api")).isZero();
        }
    }

    @Test
    void applicationClusterRunsTheJobOnAStatefulSetTaskManager() throws Exception {
        Manifests m = render("application-it-values.yaml");
        try (PodRunner pods = new PodRunner(m, Helm.NAMESPACE)) {
            FlinkRest rest = startJobManager(pods, m, "flink-jobmanager-6b7c9d8f4-k3j2h");
            pods.start(m.get("StatefulSet", "flink-taskmanager"), "flink-taskmanager-0");
            Await.condition("1 registered TaskManager", STARTUP, () -> rest.overview().path("taskmanagers").asInt() == 1);

            JsonNode tm = rest.get("/taskmanagers").path("taskmanagers").get(0);
            assertThat(tm.path("id").asText()).as("taskmanager.resource-id is the pod name").isEqualTo("flink-taskmanager-0");
            assertTaskManagersAdvertisePodIps(rest, pods, List.of("flink-taskmanager-0"));

            String jobId = RunningJob.awaitRunning(() -> rest, STARTUP).id();
            assertRunsAndCheckpointsToTheClaim(rest, jobId, pods.claimDir("flink-checkpoints"));
            assertThat(rest.configValue("scheduler-mode")).isNull();
            assertSavepointAsNotesSay(pods, jobId);
            try (Stream<Path> working = Files.list(pods.claimDir("working-flink-taskmanager-0"))) {
                assertThat(working.map(p -> p.getFileName().toString()))
                        .as("the TaskManager's working directory is on its own volume")
                        .anyMatch(name -> name.contains("flink-taskmanager-0"));
            }
            assertThat(runToCompletion(pods, m.get("Pod", "flink-test-rest-api"), "flink-test-rest-api")).isZero();
        }
    }

    @Test
    void memoryFlinkRefusesStopsTheRenderedTaskManagerWithFlinksMessage() {
        // The template checks what it can parse; Flink's own arithmetic, in the images' launcher, catches the rest.
        Manifests m = helm.render(Values.defaults().withMap("flinkConfiguration", "taskmanager.memory.jvm-metaspace.size", "1400m"),
                Helm.imagesUnderTest().toArray(String[]::new));
        try (PodRunner pods = new PodRunner(m, Helm.NAMESPACE)) {
            pods.start(m.get("Deployment", "flink-taskmanager"), "flink-taskmanager-5c4d8f9b7-abcde");
            assertThat(pods.awaitExit("flink-taskmanager-5c4d8f9b7-abcde")).isEqualTo(1);
            assertThat(pods.logs("flink-taskmanager-5c4d8f9b7-abcde"))
                    .contains("invalid Flink configuration").contains("JVM Metaspace").contains("Total Process Memory");
        }
    }

    @Test
    void reactiveModeRescalesWithinSecondsWhenATaskManagerIsAdded() {
        Manifests m = render("autoscaling-it-values.yaml");
        assertThat(m.get("Deployment", "flink-taskmanager").at("/spec").has("replicas")).isFalse();
        try (PodRunner pods = new PodRunner(m, Helm.NAMESPACE)) {
            FlinkRest rest = startJobManager(pods, m, "flink-jobmanager-5f6d7c8b9-r7t5w");
            JsonNode taskManagers = m.get("Deployment", "flink-taskmanager");
            pods.start(taskManagers, "flink-taskmanager-6c8b7d9f5-aaaaa");
            String jobId = RunningJob.awaitRunning(() -> rest, STARTUP).id();
            Await.condition("the job RUNNING on one slot", STARTUP,
                    () -> rest.isFullyRunning(jobId) && rest.maxParallelism(jobId) == 1);
            assertThat(rest.configValue("scheduler-mode")).isEqualToIgnoringCase("reactive");

            // What the HPA does on scale-out: one more TaskManager pod.
            long start = System.nanoTime();
            pods.start(taskManagers, "flink-taskmanager-6c8b7d9f5-bbbbb");
            Await.condition("the job rescaled to two slots", STARTUP,
                    () -> rest.isFullyRunning(jobId) && rest.maxParallelism(jobId) == 2);
            Duration rescale = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("reactive mode: TaskManager start to rescaled job in " + rescale.toSeconds() + " s");
            assertThat(rescale).as("rescale in seconds, not a minute (Flink's defaults wait 30 s + 60 s)")
                    .isLessThan(Duration.ofSeconds(45));
        }
    }

    /** The savepoint command NOTES.txt prints for application mode, against the running job. */
    private static void assertSavepointAsNotesSay(PodRunner pods, String jobId) throws Exception {
        int port = pods.engine().publishedPort(pods.containerName("flink-jobmanager-6b7c9d8f4-k3j2h"), 8081);
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"target-directory\": \"file:///flink-data/savepoints\", \"cancel-job\": false}";
        HttpResponse<String> trigger = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/jobs/" + jobId + "/savepoints"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(202);
        String requestId = Manifests.yaml(trigger.body()).path("request-id").asText();
        FlinkRest rest = new FlinkRest("127.0.0.1", port);
        JsonNode done = Await.until("the savepoint", STARTUP, () -> {
            JsonNode status = rest.get("/jobs/" + jobId + "/savepoints/" + requestId);
            return "COMPLETED".equals(status.at("/status/id").asText()) ? Optional.of(status) : Optional.empty();
        });
        String location = done.at("/operation/location").asText();
        assertThat(location).as(done.toString()).startsWith("file:/flink-data/savepoints/savepoint-");
        assertThat(ExampleJob.onHost(pods.claimDir("flink-checkpoints"), location).resolve("_metadata")).exists();
    }

    /** The CronJob's default job: 100,000 generated records, every 1000th malformed, all committed. */
    private static void assertScheduledRunCommittedItsOutput(Path claim) {
        JobOutput output = JobOutput.read(claim.resolve("output/scheduled"));
        assertThat(output.lines("malformed")).as(output.summary()).hasSize(100);
        assertThat(output.lines("aggregates")).as(output.summary()).isNotEmpty();
    }

    private static int runToCompletion(PodRunner pods, JsonNode object, String podName) {
        pods.start(object, podName);
        int exitCode = pods.awaitExit(podName);
        if (exitCode != 0) {
            System.err.println(pods.logs(podName));
        }
        return exitCode;
    }

    private static void assertTaskManagersAdvertisePodIps(FlinkRest rest, PodRunner pods, List<String> podNames) {
        List<String> ips = new ArrayList<>();
        podNames.forEach(pod -> ips.add(pods.ip(pod)));
        List<String> paths = new ArrayList<>();
        rest.get("/taskmanagers").path("taskmanagers").forEach(tm -> paths.add(tm.path("path").asText()));
        assertThat(paths).as("TaskManagers register with their pod IP (taskmanager.host)")
                .allSatisfy(path -> assertThat(ips).anyMatch(path::contains));
    }

    private static void assertRunsAndCheckpointsToTheClaim(FlinkRest rest, String jobId, Path claim) {
        Await.condition("job " + jobId + " with all tasks RUNNING and 2 completed checkpoints", STARTUP,
                () -> rest.isFullyRunning(jobId) && rest.completedCheckpoints(jobId) >= 2);
        assertThat(rest.configValue("execution.checkpointing.dir")).isEqualTo("file:///flink-data/checkpoints");
        String externalPath = rest.latestCompletedCheckpoint(jobId).path("external_path").asText();
        assertThat(externalPath).startsWith("file:/flink-data/checkpoints/");
        Path onHost = ExampleJob.onHost(claim, externalPath);
        assertThat(onHost.resolve("_metadata")).as("checkpoint metadata on the claim's volume").exists();
    }
}
