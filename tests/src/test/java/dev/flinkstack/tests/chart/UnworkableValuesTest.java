package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.ErrorMessages;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values that used to render but could not work at run time, each in a pair: the mistake fails at
 * render time naming the key, and the corrected values render.
 */
class UnworkableValuesTest {

    /** A mistake, the key its error must name, and the values that do what was meant (both rendered with {@code args}). */
    record Pair(String key, Values broken, Values working, String why, List<String> args) {

        Pair(String key, Values broken, Values working, String why) {
            this(key, broken, working, why, List.of());
        }

        @Override
        public String toString() {
            return key + " (" + why + ")";
        }
    }

    private static Values flink(String key, Object value) {
        return Values.defaults().withMap("flinkConfiguration", key, value);
    }

    private static Values flinkProperties(String component, String properties) {
        return Values.of(component + ".extraEnv", List.of(Map.of("name", "FLINK_PROPERTIES", "value", properties)));
    }

    private static Values kubernetesHA(Object... more) {
        return Values.of("highAvailability.enabled", true, "highAvailability.type", "kubernetes").with(more);
    }

    static List<Pair> pairs() {
        return List.of(
                new Pair("taskmanager.extraArgs[0]", Values.of("taskmanager.extraArgs", List.of("-Dtaskmanager.memory.process.size=4g")),
                        Values.of("taskmanager.memory", "4Gi"), "a chart-owned key as a -D argument"),
                new Pair("taskmanager.extraEnv[0]", flinkProperties("taskmanager", "state.backend.type: rocksdb\ntaskmanager.memory.process.size: 4g"),
                        flinkProperties("taskmanager", "state.backend.type: rocksdb"), "a chart-owned key in FLINK_PROPERTIES"),
                new Pair("jobmanager.extraEnv[0]", flinkProperties("jobmanager", "rest.port: 9000"),
                        Values.of("jobmanager.service.ports.rest", 9000), "a port in FLINK_PROPERTIES"),
                new Pair("flinkConfiguration.taskmanager.memory.process.size",
                        Values.of("flinkConfiguration", Map.of("taskmanager", Map.of("memory", Map.of("process", Map.of("size", "6g"))))),
                        Values.of("taskmanager.memory", "6Gi"), "a chart-owned key as nested YAML"),
                new Pair("flinkConfiguration.taskmanager.memory.flink.size", flink("taskmanager.memory.flink.size", "2g"),
                        flink("taskmanager.memory.flink.size", "1g"), "total Flink memory above the process size"),
                new Pair("flinkConfiguration.jobmanager.memory.flink.size", flink("jobmanager.memory.flink.size", "2 gb"),
                        flink("jobmanager.memory.flink.size", "512 mb"), "total Flink memory above the process size"),
                new Pair("flinkConfiguration.heartbeat.timeout", flink("heartbeat.timeout", "500 ms"),
                        flink("heartbeat.timeout", "20 s"), "a heartbeat timeout below the interval"),
                new Pair("job.fromSavepoint", Values.of("job.fromSavepoint", "file:///flink-data/savepoints/savepoint-1"),
                        Values.of("jobs", List.of(Map.of("name", "a", "jarFile", "/opt/flink/usrlib/a.jar",
                                "fromSavepoint", "file:///flink-data/savepoints/savepoint-1"))), "a session cluster's savepoint"),
                new Pair("jobs[0].parallelism", Values.of("jobs", List.of(Map.of("name", "a", "jarFile", "/a.jar", "parallelism", 8))),
                        Values.of("taskmanager.replicas", 4, "jobs", List.of(Map.of("name", "a", "jarFile", "/a.jar", "parallelism", 8))),
                        "a session job wider than the cluster"),
                new Pair("cronJob.job.parallelism", Values.of("cronJob.enabled", true, "cronJob.job.parallelism", 5),
                        Values.of("cronJob.enabled", true, "cronJob.job.parallelism", 4), "a scheduled job wider than the cluster"),
                new Pair("serviceAccount.name", kubernetesHA("serviceAccount.create", false),
                        kubernetesHA("serviceAccount.create", false, "serviceAccount.name", "flink-ha", "serviceAccount.taskManagerName", "flink-ha-tm"),
                        "Kubernetes HA on the namespace's default ServiceAccount"),
                new Pair("rbac.create", kubernetesHA("rbac.create", false),
                        kubernetesHA("rbac.create", false, "serviceAccount.create", false, "serviceAccount.name", "flink-ha",
                                "serviceAccount.taskManagerName", "flink-ha-tm"),
                        "Kubernetes HA on a created ServiceAccount without rights"),
                new Pair("serviceAccount.taskManagerName", kubernetesHA("serviceAccount.create", false, "serviceAccount.name", "flink-ha"),
                        kubernetesHA("serviceAccount.create", false, "serviceAccount.name", "flink-ha", "serviceAccount.taskManagerName", "flink-ha"),
                        "TaskManagers silently given the JobManagers' rights"),
                new Pair("job.fromSavepoint", Values.of("mode", "application", "job.fromSavepoint", "savepoints/savepoint-1"),
                        Values.of("mode", "application", "job.fromSavepoint", "/flink-data/savepoints/savepoint-1"),
                        "a relative savepoint path (an absolute one is what Flink's docs use)"),
                new Pair("checkpoints.s3.bucket", s3().with("checkpoints.s3.bucket", ""), s3(), "S3 without a bucket"),
                new Pair("checkpoints.s3.bucket", s3().with("checkpoints.s3.bucket", "Flink_State"),
                        s3().with("checkpoints.s3.bucket", "flink-state"), "an invalid bucket name"),
                new Pair("checkpoints.s3.bucket", s3().with("checkpoints.s3.bucket", "flink-state/checkpoints"),
                        s3().with("checkpoints.s3.prefix", "checkpoints"), "a prefix in the bucket name"),
                new Pair("checkpoints.s3.enabled", s3().with("checkpoints.persistence.enabled", true), s3(), "the claim and S3 both set"),
                new Pair("checkpoints.s3.credentials", s3().with("checkpoints.s3.credentials.existingSecret", "s3-keys"),
                        s3().with("checkpoints.s3.credentials.existingSecret", "s3-keys",
                                "checkpoints.s3.credentials.accessKeyIdKey", "id", "checkpoints.s3.credentials.secretAccessKeyKey", "key"),
                        "a credentials Secret without its key names"),
                new Pair("tls.internal.enabled", tls("internal").with("tls.internal.existingSecret", ""), tls("internal"),
                        "TLS without keystores"),
                new Pair("tls.rest.password.existingSecret", tls("rest").with("tls.rest.password.existingSecret", ""), tls("rest"),
                        "keystores without their password"),
                new Pair("tls.rest.existingSecret", tls("rest").with("tls.rest.issuerRef.name", "flink-ca"), tls("rest"),
                        "an issuer and a Secret both giving the keystores"),
                new Pair("tls.internal.issuerRef", tls("internal").with("tls.internal.existingSecret", "", "tls.internal.issuerRef.name", "flink-ca"),
                        tls("internal"), "an issuer without cert-manager in the cluster"),
                new Pair("tls.rest.mutualAuthentication", Values.of("tls.rest.mutualAuthentication", true),
                        tls("rest").with("tls.rest.mutualAuthentication", true), "mutual authentication without HTTPS"),
                new Pair("job.sql", sqlPath().with("job.sql.script", "INSERT INTO sink SELECT * FROM source;"), sqlPath(),
                        "two SQL scripts"),
                new Pair("job.sql.path", Values.of("job.sql.path", "/opt/flink/usrlib/traffic-analytics.sql"), sqlPath(),
                        "a SQL script in session mode"),
                new Pair("job.className", sqlPath().with("job.className", "com.example.Job"), sqlPath(),
                        "a SQL script and a main class"),
                new Pair("job.sql.configMap.key", Values.of("mode", "application", "job.sql.configMap.name", "sql", "job.sql.configMap.key", ""),
                        Values.of("mode", "application", "job.sql.configMap.name", "sql"), "a ConfigMap without its key"),
                new Pair("job.sql.path", sqlPath().with("job.sql.path", "traffic-analytics.sql"), sqlPath(),
                        "a relative script path"),
                new Pair("sqlGateway.enabled", sqlPath().with("sqlGateway.enabled", true), Values.of("sqlGateway.enabled", true),
                        "a SQL Gateway in front of an application cluster"),
                new Pair("autoscaling.engine", keda(), busyTime(), "KEDA without its API in the cluster"),
                new Pair("autoscaling.keda.serverAddress", keda().with("autoscaling.keda.serverAddress", ""), keda(),
                        "KEDA with a Flink signal but no Prometheus to query", List.of(Helm.KEDA_API)),
                new Pair("autoscaling.targetCPUUtilizationPercentage",
                        keda().with("autoscaling.targetCPUUtilizationPercentage", null, "autoscaling.flinkMetrics.busyTimeMsPerSecond", null),
                        keda().with("autoscaling.targetCPUUtilizationPercentage", null), "KEDA with no trigger", List.of(Helm.KEDA_API)),
                new Pair("autoscaling.flinkMetrics", busyTime().with("metrics.enabled", false), busyTime(),
                        "a Flink signal without the Prometheus reporter"),
                new Pair("flinkConfiguration.metrics.reporter.prom.scope.variables.additional",
                        busyTime().withMap("flinkConfiguration", "metrics.reporter.prom.scope.variables.additional", "team:traffic"),
                        busyTime().withMap("flinkConfiguration", "metrics.reporter.prom.scope.variables.additional", "flink_cluster:flink,team:traffic"),
                        "reporter labels without the cluster's, which the Flink signals select on"));
    }

    /** Autoscaling on the busy time of the job's bottleneck, correctly. */
    static Values busyTime() {
        return Values.of("mode", "application", "autoscaling.enabled", true, "autoscaling.flinkMetrics.busyTimeMsPerSecond", 700);
    }

    /** KEDA scaling on the busy time, correctly (on a cluster with KEDA). */
    static Values keda() {
        return busyTime().with("autoscaling.engine", "keda", "autoscaling.keda.serverAddress", "http://prometheus-operated.monitoring.svc:9090");
    }

    /** A SQL application from a script in the image, correctly. */
    static Values sqlPath() {
        return Values.of("mode", "application", "job.sql.path", "/opt/flink/usrlib/traffic-analytics.sql");
    }

    /** TLS on an endpoint ("internal" or "rest") with keystores and their password from Secrets, correctly. */
    static Values tls(String endpoint) {
        String key = "tls." + endpoint;
        return Values.of(key + ".enabled", true, key + ".existingSecret", "flink-tls-" + endpoint,
                key + ".password.existingSecret", "flink-tls-password");
    }

    /** Durable state in S3, correctly. */
    static Values s3() {
        return Values.of("checkpoints.persistence.enabled", false, "checkpoints.s3.enabled", true, "checkpoints.s3.bucket", "flink-state");
    }

    static Stream<Arguments> cases() {
        return Helm.binaries().flatMap(helm -> pairs().stream().map(pair -> Arguments.of(helm, pair)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void shouldFailNamingTheKey(Helm helm, Pair pair) {
        ErrorMessages.assertFailsNamingKey(helm.template(pair.broken(), pair.args().toArray(String[]::new)), pair.key());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void shouldRenderOnceCorrected(Helm helm, Pair pair) {
        Helm.Result result = helm.template(pair.working(), pair.args().toArray(String[]::new));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
    }

    @HelmTest
    void nestedFlinkConfigurationBecomesOneFlatKey(Helm helm) {
        Manifests m = helm.render(Values.of("flinkConfiguration", Map.of(
                "taskmanager", Map.of("memory", Map.of("managed", Map.of("fraction", 0.2))),
                "execution.checkpointing", Map.of("interval", "30s"))));
        JsonNode config = ConfigMapTest.config(m);
        assertThat(config.path("taskmanager.memory.managed.fraction").asDouble()).isEqualTo(0.2);
        assertThat(config.path("execution.checkpointing.interval").asText()).isEqualTo("30s");
        assertThat(config.has("taskmanager")).as("no nested key next to the flat ones").isFalse();
    }

    @HelmTest
    void theHeapStateBackendGetsTheManagedMemoryUnlessSized(Helm helm) {
        assertThat(ConfigMapTest.config(helm.render(Values.defaults())).has("taskmanager.memory.managed.fraction"))
                .as("RocksDB keeps Flink's default share").isFalse();
        assertThat(ConfigMapTest.config(helm.render(flink("state.backend.type", "hashmap")
                .withMap("flinkConfiguration", "execution.checkpointing.incremental", false)))
                .path("taskmanager.memory.managed.fraction").asDouble()).isZero();
        assertThat(ConfigMapTest.config(helm.render(flink("state.backend.type", "hashmap")
                .withMap("flinkConfiguration", "execution.checkpointing.incremental", false)
                .withMap("flinkConfiguration", "taskmanager.memory.managed.fraction", 0.1)))
                .path("taskmanager.memory.managed.fraction").asDouble()).as("sized by the user").isEqualTo(0.1);
    }

    @HelmTest
    void everyFlinkContainerRequestsTheDiskOfItsTmpVolume(Helm helm) {
        Manifests m = helm.render(Values.of("tmpSizeLimit", "8Gi"));
        for (String deployment : List.of("flink-jobmanager", "flink-taskmanager")) {
            assertThat(m.get("Deployment", deployment).at("/spec/template/spec/containers/0/resources/requests/ephemeral-storage")
                    .asText()).as(deployment).isEqualTo("8Gi");
        }
    }

    @HelmTest
    void aHeartbeatTimeoutMayBeAFlinkDuration(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(flink("heartbeat.timeout", "1 min").withMap("flinkConfiguration",
                "heartbeat.interval", "10 s")));
        assertThat(config.path("heartbeat.timeout").asText()).isEqualTo("1 min");
    }
}
