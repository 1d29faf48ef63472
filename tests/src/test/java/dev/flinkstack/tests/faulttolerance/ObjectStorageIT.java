package dev.flinkstack.tests.faulttolerance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.S3Server;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmEmulator;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.PodRunner;
import dev.flinkstack.tests.support.chart.Values;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart with its durable state in S3 instead of a claim, against a real S3 API (S3Proxy, which
 * checks request signatures) on the pods' network: the rendered pods run with the credentials from a
 * Secret, incremental RocksDB checkpoints go to S3, the {@code helm test} pod passes, a SIGKILLed TaskManager is recovered from them, a
 * savepoint taken as the NOTES show lands in S3, and an upgrade to a new image version stops the job
 * with a savepoint in S3 and restores it. The job writes its output to S3 as well; the committed
 * output must equal an undisturbed run's exactly. A JobManager given a wrong secret key stops
 * before the job starts, with S3's answer in its log, and writes nothing.
 */
class ObjectStorageIT {

    private static final BoundedJob JOB = new BoundedJob(160_000, 2_000);
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final String BUCKET = "flink-state";
    private static final String PREFIX = "traffic";
    private static final String JOB_MANAGER = "Deployment/flink-jobmanager";
    private static final String TASK_MANAGER = "Deployment/flink-taskmanager";
    private static final String SECRET = "s3-credentials";

    @Test
    void stateInS3SurvivesATaskManagerKillAndAnUpgradeExactly(@TempDir Path buildContext, @TempDir Path output) {
        ReferenceRun.start(JOB);
        ContainerEngine engine = ContainerEngine.fromSystemProperties();
        String newTag = Helm.imageTagUnderTest() + "-s3";
        FlinkContainerCluster.buildNewImageVersions(engine, "-s3", buildContext);
        Values installed = values();
        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest();
             S3Server s3 = startS3(helm, S3Server.SECRET_KEY)) {
            Supplier<FlinkRest> rest = () -> helm.rest(JOB_MANAGER);
            helm.install(installed);
            Manifests manifests = helm.manifests();
            String config = manifests.get("ConfigMap", "flink-config").at("/data/config.yaml").asText();
            assertThat(config).as("no credentials in the ConfigMap").doesNotContain(S3Server.SECRET_KEY).doesNotContain(S3Server.ACCESS_KEY);
            RunningJob job = RunningJob.awaitRunning(rest, STARTUP);
            job.awaitProgress(STARTUP);
            assertThat(s3.keys(BUCKET, PREFIX + "/checkpoints/" + job.id()))
                    .as("incremental RocksDB checkpoints in S3: shared SST files and per-checkpoint metadata")
                    .anyMatch(key -> key.contains("/shared/")).anyMatch(key -> key.endsWith("/_metadata"));
            assertThat(helm.podRunner().logs(helm.pods(JOB_MANAGER).get(0)))
                    .as("the secret key in no log line").doesNotContain(S3Server.SECRET_KEY);
            // helm test, with the same storage environment as every client pod.
            helm.test();

            // A TaskManager SIGKILL: the job restores the latest checkpoint from S3.
            long lastCheckpoint = job.latestCompletedCheckpoint();
            helm.podRunner().crash(helm.pods(TASK_MANAGER).get(0));
            Await.condition("a restore after the TaskManager kill", STARTUP, () -> job.restores() > 0);
            job.awaitProgress(STARTUP);
            JsonNode restored = job.restoredFrom().orElseThrow();
            assertThat(restored.path("external_path").asText()).startsWith(durable() + "/checkpoints/" + job.id() + "/chk-");
            assertThat(restored.path("id").asLong()).isGreaterThanOrEqualTo(lastCheckpoint);

            // A savepoint as NOTES show it, into the configured savepoint directory in S3.
            String savepointDir = configValue(config, "execution.checkpointing.savepoint-dir");
            assertThat(savepointDir).isEqualTo(durable() + "/savepoints");
            String trigger = rest.get().post("/jobs/" + job.id() + "/savepoints",
                    "{\"target-directory\": \"" + savepointDir + "\", \"cancel-job\": false}").path("request-id").asText();
            String location = Await.until("the savepoint", STARTUP, () -> {
                JsonNode status = rest.get().get("/jobs/" + job.id() + "/savepoints/" + trigger);
                return "COMPLETED".equals(status.at("/status/id").asText())
                        ? Optional.of(status.at("/operation/location").asText()) : Optional.<String>empty();
            });
            assertThat(location).startsWith(savepointDir + "/savepoint-");
            assertThat(s3.keys(BUCKET, location.substring(("s3://" + BUCKET + "/").length()))).contains(
                    location.substring(("s3://" + BUCKET + "/").length()) + "/_metadata");

            // An upgrade to a new image version: the hook's savepoint goes to S3 and is restored.
            helm.upgrade(installed.with("image.tag", newTag));
            job.awaitFullyRunning(STARTUP);
            String upgradedFrom = job.restoredFrom().orElseThrow().path("external_path").asText();
            assertThat(upgradedFrom).startsWith(savepointDir + "/savepoint-").isNotEqualTo(location);
            assertThat(helm.image(TASK_MANAGER)).endsWith(":" + newTag);

            job.awaitState("FINISHED", JOB.nominalDuration().plusMinutes(3));
            s3.download(BUCKET, "output/", output);
            JobOutput committed = JobOutput.read(output);
            JobOutput expected = ReferenceRun.await(JOB);
            System.out.printf("Object storage: committed %s; undisturbed: %s%n", committed.summary(), expected.summary());
            assertThat(committed.differencesFrom(expected, 20))
                    .as("committed output vs. the undisturbed run (0 lost, 0 duplicated)").isEmpty();
        } finally {
            engine.run("rmi", FlinkContainerCluster.jobManagerImage() + "-s3", FlinkContainerCluster.taskManagerImage() + "-s3");
        }
    }

    @Test
    void aWrongSecretKeyStopsTheJobManagerBeforeTheJobStartsWithS3sAnswer() {
        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest();
             S3Server s3 = startS3(helm, "not-the-secret-key")) {
            helm.install(values());
            // Before starting the job, the JobManager reads the job's state in S3: S3 refuses the key.
            PodRunner pods = helm.podRunner();
            String jobManager = helm.pods(JOB_MANAGER).get(0);
            assertThat(pods.awaitExit(jobManager)).isEqualTo(1);
            assertThat(pods.logs(jobManager))
                    .contains("cannot read the job's state (").contains("s3://" + BUCKET + "/" + PREFIX + "/lifecycle/")
                    .contains("403 Forbidden")
                    .contains("Check the durable storage's address, bucket and credentials; the job was not started.")
                    .doesNotContain("not-the-secret-key");
            assertThat(s3.keys(BUCKET, "")).as("nothing written").isEmpty();
        }
    }

    /** S3Proxy on the pods' network as {@code s3}, and the Secret the values name, with {@code secretKey}. */
    private static S3Server startS3(HelmEmulator helm, String secretKey) {
        helm.podRunner().secret(SECRET, Map.of("access-key-id", S3Server.ACCESS_KEY, "secret-access-key", secretKey));
        return S3Server.start(ContainerEngine.fromSystemProperties(), helm.podRunner().network() + "-s3",
                helm.podRunner().network(), "s3", BUCKET);
    }

    private static Values values() {
        return Values.of("mode", "application",
                "job.className", ExampleJob.MAIN_CLASS,
                "job.args", JOB.arguments("s3://" + BUCKET + "/output"),
                "job.parallelism", 2,
                "job.upgradeMode", "savepoint",
                "job.savepointTimeout", "2m",
                "taskmanager.replicas", 1,
                "taskmanager.numberOfTaskSlots", 2,
                "checkpoints.persistence.enabled", false,
                "checkpoints.s3.enabled", true,
                "checkpoints.s3.bucket", BUCKET,
                "checkpoints.s3.prefix", PREFIX,
                "checkpoints.s3.endpoint", "http://s3:" + S3Server.PORT,
                "checkpoints.s3.pathStyleAccess", true,
                "checkpoints.s3.credentials.existingSecret", SECRET,
                "checkpoints.s3.credentials.accessKeyIdKey", "access-key-id",
                "checkpoints.s3.credentials.secretAccessKeyKey", "secret-access-key");
    }

    private static String durable() {
        return "s3://" + BUCKET + "/" + PREFIX;
    }

    private static String configValue(String configYaml, String key) {
        return Manifests.yaml(configYaml).path(key).asText();
    }
}
