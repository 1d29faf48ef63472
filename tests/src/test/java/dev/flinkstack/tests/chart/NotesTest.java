package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * NOTES.txt. {@code helm template} does not render NOTES.txt and Helm 3's client-only install still
 * needs a cluster, so the notes are rendered through a copy of the chart that wraps NOTES.txt in a
 * ConfigMap; for Helm 4, {@code helm install --dry-run=client} cross-checks that the two agree.
 */
class NotesTest {

    @TempDir
    Path temp;

    private String notes(Helm helm, Values values) throws IOException {
        Path chart = copyOfChart();
        String notes = Files.readString(chart.resolve("templates/NOTES.txt"));
        Files.writeString(chart.resolve("templates/zz-notes-under-test.yaml"),
                "{{- define \"notes-under-test\" }}" + notes + "{{- end }}\n"
                        + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-under-test\n"
                        + "data:\n  notes: {{ include \"notes-under-test\" . | toJson }}\n");
        Helm.Result result = helm.template(chart, values, "--show-only", "templates/zz-notes-under-test.yaml",
                Helm.MONITORING_API, Helm.KEDA_API);
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return Manifests.parse(result.stdout()).get("ConfigMap", "notes-under-test").at("/data/notes").asText();
    }

    private Path copyOfChart() throws IOException {
        Path source = Helm.chartDir();
        Path target = Files.createTempDirectory(temp, "chart").resolve("flink");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
        return target;
    }

    @HelmTest
    void shouldPortForwardToTheRestServiceAndPort(Helm helm) throws IOException {
        String notes = notes(helm, Values.defaults());
        assertThat(notes).contains("Chart flink-").contains("Mode: session")
                .contains("kubectl --namespace flink port-forward svc/flink-jobmanager-rest 8081:8081")
                .contains("curl -s http://127.0.0.1:8081/overview")
                .contains("curl -s -X POST -H \"Expect:\" -F \"jarfile=@my-job.jar\" http://127.0.0.1:8081/jars/upload")
                .contains("curl -s -X POST http://127.0.0.1:8081/jars/<jar-id>/run")
                .contains("on the PersistentVolumeClaim flink-checkpoints (ReadWriteMany)")
                .contains("helm test flink --namespace flink")
                .doesNotContain("<no value>");
    }

    @HelmTest
    void shouldUseTheConfiguredRestServicePort(Helm helm) throws IOException {
        String notes = notes(helm, Values.of("jobmanager.restService.port", 80, "jobmanager.restService.type", "LoadBalancer"));
        assertThat(notes).contains("port-forward svc/flink-jobmanager-rest 8081:80")
                .contains("get svc flink-jobmanager-rest -o jsonpath='{.status.loadBalancer.ingress[0].*}'")
                .doesNotContain("127.0.0.1:80/");
    }

    @HelmTest
    void shouldShowTheJobStatusCommandsInApplicationMode(Helm helm) throws IOException {
        String notes = notes(helm, Values.of("mode", "application"));
        assertThat(notes).contains("Mode: application (the JobManager runs the Main-Class of /opt/flink/usrlib)")
                .contains("curl -s http://127.0.0.1:8081/jobs/overview")
                .containsPattern("curl -s -X POST http://127.0.0.1:8081/jobs/[0-9a-f]{32}/savepoints -d "
                        + "'\\{\"target-directory\": \"file:///flink-data/savepoints\", \"cancel-job\": false}'")
                .contains("job.upgradeMode=last-state: a new JobManager resumes from the latest checkpoint or savepoint")
                .contains("--set job.restartNonce=<new value> runs it again")
                .contains("helm uninstall keeps the claim", "kubectl --namespace flink delete pvc flink-checkpoints")
                .doesNotContain("/jars/upload");
    }

    @HelmTest
    void shouldNameTheScriptOfASqlApplication(Helm helm) throws IOException {
        String notes = notes(helm, Values.of("mode", "application", "job.sql.path", "/opt/flink/usrlib/traffic-analytics.sql"));
        assertThat(notes).contains("Mode: application (the JobManager runs the SQL script /opt/flink/usrlib/traffic-analytics.sql)");
    }

    @HelmTest
    void shouldShowHowToReachTheSqlGateway(Helm helm) throws IOException {
        assertThat(notes(helm, Values.of("sqlGateway.enabled", true)))
                .contains("port-forward svc/flink-sql-gateway 8083")
                .contains("curl -s -X POST http://127.0.0.1:8083/v1/sessions -d '{}'")
                .contains("exec -it deploy/flink-sql-gateway -- /opt/flink/bin/sql-client.sh gateway --endpoint 127.0.0.1:8083");
        assertThat(notes(helm, Values.defaults())).doesNotContain("sql-gateway");
    }

    @HelmTest
    void shouldListSubmittedAndScheduledJobs(Helm helm) throws IOException {
        String notes = notes(helm, Values.of("jobs", List.of(Map.of("name", "traffic", "jarFile", "/opt/flink/usrlib/t.jar")),
                "cronJob.enabled", true));
        assertThat(notes).contains("The Deployment flink-jobs keeps these jobs running: traffic.")
                .contains("The CronJob flink-scheduled submits /opt/flink/usrlib/traffic-analytics.jar");
    }

    @HelmTest
    void shouldWarnWhenCheckpointsAreNotPersistent(Helm helm) throws IOException {
        assertThat(notes(helm, Values.of("checkpoints.persistence.enabled", false)))
                .contains("WARNING: checkpoints.persistence.enabled=false");
        assertThat(notes(helm, Values.defaults())).doesNotContain("WARNING");
    }

    @HelmTest
    void shouldPrintTheS3PathsInTheSavepointCommand(Helm helm) throws IOException {
        String notes = notes(helm, UnworkableValuesTest.s3().with("mode", "application", "checkpoints.s3.endpoint", "http://minio:9000"));
        assertThat(notes).contains("\"target-directory\": \"s3://flink-state/flink/savepoints\"")
                .contains("Checkpoints: s3://flink-state/flink/checkpoints, savepoints: s3://flink-state/flink/savepoints")
                .contains("in S3 at http://minio:9000").doesNotContain("file:///flink-data").doesNotContain("WARNING");
    }

    @HelmTest
    void shouldMentionIngressAutoscalingAndHa(Helm helm) throws IOException {
        String notes = notes(helm, Values.file("ci/full-values.yaml"));
        assertThat(notes).contains("http://flink.example.com/")
                .contains("Autoscaling: the HPA flink-stream-taskmanager scales the TaskManagers between 2 and 8")
                .contains("High availability: kubernetes, cluster id flink-stream, 2 JobManager(s)")
                .doesNotContain("NOTE: images are referenced by tag");
    }

    @HelmTest
    void shouldNameKedaWhenItScales(Helm helm) throws IOException {
        assertThat(notes(helm, Values.file("ci/autoscaling-keda-values.yaml")))
                .contains("Autoscaling: the KEDA ScaledObject flink-taskmanager scales the TaskManagers between 1 and 8");
    }

    /** Helm 3's {@code install --dry-run=client} needs a reachable cluster, so this runs on Helm 4. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.flinkstack.tests.support.chart.Helm#helm4Binaries")
    void shouldAgreeWithHelmsOwnNotesRendering(Helm helm) throws IOException {
        Helm.Result install = helm.run(List.of("install", "flink", Helm.chartDir().toString(), "--namespace", "flink",
                "--dry-run=client"));
        assertThat(install.exitCode()).as(install.stderr()).isZero();
        String real = install.stdout().substring(install.stdout().indexOf("NOTES:\n") + "NOTES:\n".length());
        assertThat(real.strip()).isEqualTo(notes(helm, Values.defaults()).strip());
    }
    @HelmTest
    void shouldUseHttpsWithTheCaAndTheClientCertificateWithTls(Helm helm) throws IOException {
        Values https = UnworkableValuesTest.tls("rest");
        assertThat(notes(helm, https)).contains("Open the web UI and REST API on https://localhost:8081")
                .contains("It serves HTTPS with the certificate of Secret flink-tls-rest")
                .contains("curl -s --cacert ca.crt https://localhost:8081/overview")
                .doesNotContain("http://127.0.0.1", "client.crt");
        assertThat(notes(helm, https.with("tls.rest.mutualAuthentication", true)))
                .contains("curl -s --cacert ca.crt --cert client.crt --key client.key https://localhost:8081/jobs/overview")
                .contains("presents a client certificate");
    }

    @HelmTest
    void shouldWarnWhenTheRestApiIsExposedWithoutAuthentication(Helm helm) throws IOException {
        assertThat(notes(helm, Values.of("ingress.enabled", true)))
                .contains("WARNING: the REST API is reachable from outside the cluster (the Ingress) without authentication")
                .contains("upload and run code (jar upload)")
                .contains("tls.rest.mutualAuthentication=true");
        assertThat(notes(helm, Values.of("jobmanager.restService.type", "LoadBalancer", "mode", "application")))
                .contains("(a LoadBalancer Service) without authentication").doesNotContain("jar upload");
        assertThat(notes(helm, UnworkableValuesTest.tls("rest").with("ingress.enabled", true, "tls.rest.mutualAuthentication", true)))
                .doesNotContain("WARNING");
        assertThat(notes(helm, Values.of("ingress.enabled", true).withMap("ingress.annotations",
                "nginx.ingress.kubernetes.io/auth-url", "http://oauth2-proxy.auth.svc/oauth2/auth"))).doesNotContain("WARNING");
        assertThat(notes(helm, Values.defaults())).as("a ClusterIP Service, reached by port-forward").doesNotContain("WARNING");
    }
}
