package dev.flinkstack.tests.distribution;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.Processes;
import dev.flinkstack.tests.support.RunningJob;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flink's "Docker" deployment page followed as written, with only the image name changed, and run
 * with jobs from Flink's own flink-examples-streaming: a session cluster, an application cluster
 * with its jar bind-mounted at /opt/flink/usrlib or given with --jars, the history server, and the
 * environment variables the page documents. Nothing is mounted at /flink-data unless the page's
 * set-up mounts something: checkpoints still work.
 */
class FlinkDocsIT {

    private static final String JM = FlinkContainerCluster.jobManagerImage();
    private static final String TM = FlinkContainerCluster.taskManagerImage();
    private static final String PROPERTIES = "jobmanager.rpc.address: jobmanager";
    private static final Path EXAMPLES = DockerRuns.distributionJar("flink-examples-streaming.jar");
    private static final String STATE_MACHINE = "org.apache.flink.streaming.examples.statemachine.StateMachineExample";
    private static final String WORD_COUNT = "org.apache.flink.streaming.examples.wordcount.WordCount";
    private static final String TOP_SPEED = "org.apache.flink.streaming.examples.windowing.TopSpeedWindowing";

    @Test
    void sessionClusterRunsFlinksExamplesWithNothingMounted() {
        try (DockerRuns docker = new DockerRuns()) {
            String jobManager = docker.start(docker.container("jobmanager", JM).publish(8081)
                    .env("FLINK_PROPERTIES", PROPERTIES).args("jobmanager"));
            docker.start(docker.container("taskmanager", TM).env("FLINK_PROPERTIES", PROPERTIES)
                    .env("TASK_MANAGER_NUMBER_OF_TASK_SLOTS", "3").args("taskmanager"));
            FlinkRest rest = docker.rest(jobManager, 8081);
            Await.condition("one TaskManager with 3 slots", DockerRuns.STARTUP,
                    () -> rest.overview().path("slots-total").asInt() == 3);

            // "docker exec jobmanager ./bin/flink run ...": the CLI in the JobManager's container.
            assertThat(docker.engine().run("cp", EXAMPLES.toString(), jobManager + ":/tmp/examples.jar").succeeded()).isTrue();
            Processes.Result wordCount = docker.exec(jobManager, "./bin/flink", "run", "-c", WORD_COUNT, "/tmp/examples.jar");
            assertThat(wordCount.exitCode()).as(wordCount.describe()).isZero();
            assertThat(wordCount.stdout()).contains("Job has been submitted with JobID").contains("Program execution finished");

            Processes.Result stateMachine = docker.exec(jobManager, "flink", "run", "-d", "-c", STATE_MACHINE, "/tmp/examples.jar");
            assertThat(stateMachine.exitCode()).as(stateMachine.describe()).isZero();
            RunningJob job = RunningJob.of(() -> rest, Await.until("the state machine job", DockerRuns.STARTUP,
                    () -> rest.get("/jobs/overview").findValuesAsText("jid").stream()
                            .filter(id -> "RUNNING".equals(rest.job(id).path("state").asText())).findFirst()));
            job.awaitFullyRunning(DockerRuns.STARTUP);
            job.awaitCompletedCheckpoints(2, DockerRuns.STARTUP);
            assertThat(rest.latestCompletedCheckpoint(job.id()).path("external_path").asText())
                    .as("checkpoints in the image's own /flink-data").startsWith("file:/flink-data/checkpoints/");
        }
    }

    @Test
    void applicationClusterRunsTheJarBindMountedAtUsrlib() throws IOException {
        try (DockerRuns docker = new DockerRuns()) {
            Path artifacts = docker.directory();
            Files.copy(EXAMPLES, artifacts.resolve("flink-examples-streaming.jar"));
            String mount = "type=bind,src=" + artifacts + ",target=/opt/flink/usrlib";
            String jobManager = docker.start(docker.container("jobmanager", JM).publish(8081).option("--mount", mount)
                    .env("FLINK_PROPERTIES", PROPERTIES).args("standalone-job", "--job-classname", STATE_MACHINE));
            docker.start(docker.container("taskmanager", TM).option("--mount", mount)
                    .env("FLINK_PROPERTIES", PROPERTIES).args("taskmanager"));
            FlinkRest rest = docker.rest(jobManager, 8081);
            RunningJob job = RunningJob.awaitRunning(() -> rest, DockerRuns.STARTUP);
            job.awaitCompletedCheckpoints(1, DockerRuns.STARTUP);
            assertThat(rest.job(job.id()).path("name").asText()).isEqualTo("State machine job");
        }
    }

    @Test
    void applicationClusterFetchesItsJarWithTheJarsOption() throws IOException {
        try (DockerRuns docker = new DockerRuns()) {
            Path jobs = docker.directory();
            Files.copy(EXAMPLES, jobs.resolve("examples.jar"), StandardCopyOption.REPLACE_EXISTING);
            String jobManager = docker.start(docker.container("jobmanager", JM).publish(8081)
                    .volume(jobs.toString(), "/jobs", true).env("FLINK_PROPERTIES", PROPERTIES)
                    .args("standalone-job", "--jars", "/jobs/examples.jar", "--job-classname", TOP_SPEED));
            docker.start(docker.container("taskmanager", TM).env("FLINK_PROPERTIES", PROPERTIES).args("taskmanager"));
            FlinkRest rest = docker.rest(jobManager, 8081);
            RunningJob job = RunningJob.awaitRunning(() -> rest, DockerRuns.STARTUP);
            assertThat(rest.job(job.id()).path("name").asText()).isEqualTo("CarTopSpeedWindowingExample");
        }
    }

    @Test
    void historyServerServesTheArchiveOfAFinishedJob() throws IOException {
        try (DockerRuns docker = new DockerRuns()) {
            Path data = docker.directory();
            String jobManager = docker.start(docker.container("jobmanager", JM).publish(8081)
                    .volume(data.toString(), "/flink-data", false).env("FLINK_PROPERTIES", PROPERTIES).args("jobmanager"));
            docker.start(docker.container("taskmanager", TM).env("FLINK_PROPERTIES", PROPERTIES).args("taskmanager"));
            FlinkRest rest = docker.rest(jobManager, 8081);
            Await.condition("a TaskManager", DockerRuns.STARTUP, () -> rest.overview().path("taskmanagers").asInt() == 1);
            Files.copy(EXAMPLES, data.resolve("examples.jar"));
            Processes.Result run = docker.exec(jobManager, "flink", "run", "-c", WORD_COUNT, "/flink-data/examples.jar");
            assertThat(run.exitCode()).as(run.describe()).isZero();
            String jobId = rest.jobIds().get(0);

            // Hardened as the chart's pods are: its web cache and unpacked archives go to /tmp.
            String historyServer = docker.start(docker.container("historyserver", JM).publish(8082)
                    .volume(data.toString(), "/flink-data", true).option("--read-only").tmpfs("/tmp")
                    .env("FLINK_PROPERTIES", "historyserver.archive.fs.refresh-interval: 1000").args("history-server"));
            FlinkRest history = new FlinkRest("127.0.0.1", docker.engine().publishedPort(historyServer, 8082));
            JsonNode archived = Await.until("job " + jobId + " in the history server", DockerRuns.STARTUP, () -> {
                for (JsonNode each : history.get("/jobs/overview").path("jobs")) {
                    if (each.path("jid").asText().equals(jobId)) {
                        return Optional.of(each);
                    }
                }
                return Optional.empty();
            });
            assertThat(archived.path("state").asText()).isEqualTo("FINISHED");
            assertThat(archived.path("name").asText()).isEqualTo("WordCount");
        }
    }

    @Test
    void configurationComesFromTheEnvironmentAndSecretsStayOutOfTheLogs() {
        String secret = "s3cr3t-value-4711";
        try (DockerRuns docker = new DockerRuns()) {
            String jobManager = docker.start(docker.container("jobmanager", JM).publish(8081)
                    .env("FLINK_PROPERTIES", PROPERTIES + "\ns3.secret-key: ${S3_SECRET_KEY}\n"
                            + "flinkstack.test.origin: ${DEPLOYMENT} with spaces")
                    .env("S3_SECRET_KEY", secret).env("DEPLOYMENT", "docs-test").args("jobmanager"));
            FlinkRest rest = docker.rest(jobManager, 8081);

            assertThat(rest.configValue("flinkstack.test.origin")).isEqualTo("docs-test with spaces");
            assertThat(rest.configValue("s3.secret-key")).isEqualTo("******");
            assertThat(docker.logs(jobManager)).contains("Starting StandaloneSessionClusterEntrypoint").doesNotContain(secret);
            assertThat(docker.exec(jobManager, "cat", "/proc/1/cmdline").stdout()).as("the JVM's arguments")
                    .doesNotContain(secret);
        }
    }

    @Test
    void jobManagerTakesTheOfficialHostAndWebUiPortArguments() {
        // The official image's `jobmanager [HOST [WEBUI_PORT]]` (its Kubernetes HA manifest passes $(POD_IP)).
        try (DockerRuns docker = new DockerRuns()) {
            String jobManager = docker.start(docker.container("jobmanager", JM).publish(8082)
                    .args("jobmanager", "jobmanager", "8082"));
            docker.start(docker.container("taskmanager", TM).env("FLINK_PROPERTIES", PROPERTIES).args("taskmanager"));
            FlinkRest rest = docker.rest(jobManager, 8082);
            assertThat(rest.configValue("rest.port")).isEqualTo("8082");
            assertThat(rest.configValue("jobmanager.rpc.address")).isEqualTo("jobmanager");
            Await.condition("the TaskManager", DockerRuns.STARTUP, () -> rest.overview().path("taskmanagers").asInt() == 1);
        }
    }
}
