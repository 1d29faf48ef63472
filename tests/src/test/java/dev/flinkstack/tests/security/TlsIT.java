package dev.flinkstack.tests.security;

import dev.flinkstack.tests.faulttolerance.BoundedJob;
import dev.flinkstack.tests.faulttolerance.ReferenceRun;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.Keystores;
import dev.flinkstack.tests.support.RunningJob;
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
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart with TLS on every connection, from the rendered pods, with keystores made by keytool in
 * Secrets: internal TLS (RPC, blob, data) and HTTPS with mutual authentication on the REST API. The
 * application job runs and checkpoints, the {@code helm test} pod passes over HTTPS with the client
 * pods' certificate, a client without a certificate and plain HTTP are refused, jar upload is off, the Prometheus reporter still serves metrics, and a TaskManager with a key
 * pair of its own cannot join. A TaskManager SIGKILL is recovered over TLS, and the committed output
 * equals an undisturbed run's exactly. The password is in no ConfigMap and no log.
 */
class TlsIT {

    private static final BoundedJob JOB = new BoundedJob(120_000, 2_000);
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final String JOB_MANAGER = "Deployment/flink-jobmanager";
    private static final String TASK_MANAGER = "Deployment/flink-taskmanager";
    private static final String PASSWORD = "keystore-password-from-a-secret";

    @Test
    void aTlsClusterRunsTheJobExactlyAndKeepsClientsAndTaskManagersWithoutTheCertificateOut(@TempDir Path keys) {
        ReferenceRun.start(JOB);
        Keystores internal = Keystores.selfSigned(keys, "flink-internal", PASSWORD);
        Keystores rest = Keystores.selfSigned(keys, "flink-rest", PASSWORD,
                "dns:flink-jobmanager-rest", "dns:flink-jobmanager", "dns:localhost", "ip:127.0.0.1");
        Keystores outsider = Keystores.selfSigned(keys, "outsider", PASSWORD);
        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest()) {
            PodRunner pods = helm.podRunner();
            pods.secretData("flink-tls-internal", internal.secretData());
            pods.secretData("flink-tls-rest", rest.secretData());
            pods.secretData("outsider-tls", outsider.secretData());
            pods.secret("flink-tls-password", Map.of("password", PASSWORD));
            helm.install(values());
            Supplier<FlinkRest> https = () -> helm.rest(JOB_MANAGER, rest.clientContext(true));
            RunningJob job = RunningJob.awaitRunning(https, STARTUP);
            job.awaitCompletedCheckpoints(1, STARTUP);
            String jobManager = helm.pods(JOB_MANAGER).get(0);
            assertThat(helm.manifests().get("ConfigMap", "flink-config").toString()).doesNotContain(PASSWORD);
            assertThat(pods.logs(jobManager)).as("the password in no log line").doesNotContain(PASSWORD);

            // Mutual TLS: no certificate, no REST API; plain HTTP neither.
            assertThatThrownBy(() -> helm.rest(JOB_MANAGER, rest.clientContext(false)).overview())
                    .as("a client without a certificate").hasRootCauseInstanceOf(javax.net.ssl.SSLException.class);
            assertThatThrownBy(() -> helm.rest(JOB_MANAGER).overview()).as("plain HTTP: redirected to HTTPS")
                    .hasMessageContaining("/overview answered 301");
            // An application cluster takes no jars (without its handler, the web UI's file server answers).
            assertThatThrownBy(() -> https.get().uploadJar(ExampleJob.jar()))
                    .hasMessageContaining("/jars/upload answered 400: {\"errors\":[\"POST request not allowed\"]}");
            assertThat(https.get().get("/config").at("/features/web-submit").asBoolean(true)).isFalse();
            assertThat(https.get().get("/config").at("/features/web-cancel").asBoolean(true)).as("no Cancel button").isFalse();

            // helm test: control wait over HTTPS, with the client pods' certificate.
            helm.test();

            // Prometheus scrapes the reporter over plain HTTP (Flink's reporter has no TLS).
            String taskManager = helm.pods(TASK_MANAGER).get(0);
            String metrics = pods.engine().run("exec", pods.containerName(taskManager), "bash", "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/9249 && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3")
                    .orThrow().stdout();
            assertThat(metrics).contains("flink_taskmanager_job_task_numRecordsIn");

            // A TaskManager with a key pair of its own: the JobManager refuses it.
            Manifests outsiders = Helm.binaries().findFirst().orElseThrow().render(
                    values().with("tls.internal.existingSecret", "outsider-tls"),
                    Helm.imageRepositoriesUnderTest().toArray(String[]::new));
            pods.start(outsiders.get("Deployment", "flink-taskmanager"), "flink-taskmanager-outsider");
            Await.condition("the outsider's failed TLS handshake", STARTUP,
                    () -> pods.logs("flink-taskmanager-outsider").contains("SSLHandshakeException"));
            assertThat(https.get().overview().path("taskmanagers").asInt()).as("only the cluster's TaskManagers").isEqualTo(2);
            pods.delete("flink-taskmanager-outsider", 0);

            // A TaskManager SIGKILL: the job restores its latest checkpoint over TLS.
            pods.crash(taskManager);
            Await.condition("a restore after the TaskManager kill", STARTUP, () -> job.restores() > 0);
            job.awaitState("FINISHED", JOB.nominalDuration().plusMinutes(3));
            JobOutput committed = JobOutput.read(pods.claimDir("flink-checkpoints").resolve("output"));
            JobOutput expected = ReferenceRun.await(JOB);
            System.out.printf("TLS: committed %s; undisturbed: %s%n", committed.summary(), expected.summary());
            assertThat(committed.differencesFrom(expected, 20))
                    .as("committed output vs. the undisturbed run (0 lost, 0 duplicated)").isEmpty();
        }
    }

    private static Values values() {
        return Values.of("mode", "application",
                "job.className", ExampleJob.MAIN_CLASS,
                "job.args", JOB.arguments(),
                "job.parallelism", 2,
                // Two TaskManagers: records and checkpoint barriers cross TLS data connections between them.
                "taskmanager.replicas", 2,
                "taskmanager.numberOfTaskSlots", 1,
                "tls.internal.enabled", true,
                "tls.internal.existingSecret", "flink-tls-internal",
                "tls.internal.password.existingSecret", "flink-tls-password",
                "tls.rest.enabled", true,
                "tls.rest.existingSecret", "flink-tls-rest",
                "tls.rest.password.existingSecret", "flink-tls-password",
                "tls.rest.mutualAuthentication", true,
                "tests.enabled", true);
    }
}
