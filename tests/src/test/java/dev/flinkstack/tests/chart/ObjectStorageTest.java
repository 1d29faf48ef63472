package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Durable state in S3: every path derives from the bucket, every pod gets the plugin and the Secret's keys. */
class ObjectStorageTest {

    private static final List<String> DURABLE_KEYS = List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
            "jobmanager.archive.fs.dir", "historyserver.archive.fs.dir", "flinkstack.lifecycle.dir", "high-availability.storageDir");

    private static Values withCredentials(Values values) {
        return values.with("checkpoints.s3.credentials.existingSecret", "s3-keys",
                "checkpoints.s3.credentials.accessKeyIdKey", "id", "checkpoints.s3.credentials.secretAccessKeyKey", "secret");
    }

    @HelmTest
    void everyDurablePathIsInTheBucketUnderTheReleasesPrefix(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(UnworkableValuesTest.s3().with("highAvailability.enabled", true)));
        for (String key : DURABLE_KEYS) {
            assertThat(config.path(key).asText()).as(key).startsWith("s3://flink-state/flink/");
        }
        assertThat(config.path("execution.checkpointing.dir").asText()).isEqualTo("s3://flink-state/flink/checkpoints");
        assertThat(config.path("s3.aws.credentials.provider").asText()).isEqualTo("com.amazonaws.auth.DefaultAWSCredentialsProviderChain");
        assertThat(config.path("s3.path.style.access").asBoolean()).isFalse();
        assertThat(config.has("s3.endpoint")).as("AWS S3").isFalse();

        JsonNode custom = ConfigMapTest.config(helm.render(UnworkableValuesTest.s3().with("checkpoints.s3.prefix", "/teams/a/",
                "checkpoints.s3.endpoint", "http://minio.storage:9000", "checkpoints.s3.region", "eu-west-1", "checkpoints.s3.pathStyleAccess", true)));
        assertThat(custom.path("execution.checkpointing.savepoint-dir").asText()).isEqualTo("s3://flink-state/teams/a/savepoints");
        assertThat(custom.path("s3.endpoint").asText()).isEqualTo("http://minio.storage:9000");
        assertThat(custom.path("s3.endpoint.region").asText()).isEqualTo("eu-west-1");
        assertThat(custom.path("s3.path.style.access").asBoolean()).isTrue();
    }

    @HelmTest
    void everyPodLoadsThePluginAndReadsTheKeysFromTheSecretOnly(Helm helm) {
        Values session = withCredentials(UnworkableValuesTest.s3()).with("cronJob.enabled", true,
                "jobs", List.of(Map.of("name", "a", "jarFile", "/opt/flink/usrlib/a.jar")));
        Values application = withCredentials(UnworkableValuesTest.s3()).with("mode", "application", "job.upgradeMode", "savepoint");
        for (Values values : List.of(session, application)) {
            Manifests m = helm.render(values);
            assertThat(m.podSpecs()).hasSizeGreaterThanOrEqualTo(4);
            m.podSpecs().forEach((pod, spec) -> {
                JsonNode container = spec.path("containers").get(0);
                assertThat(Manifests.names(container.path("env"))).as(pod)
                        .contains("ENABLE_BUILT_IN_PLUGINS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
                assertThat(Manifests.env(container, "ENABLE_BUILT_IN_PLUGINS").path("value").asText()).as(pod)
                        .matches("flink-s3-fs-hadoop-[0-9.]+\\.jar");
                assertThat(Manifests.env(container, "AWS_ACCESS_KEY_ID").at("/valueFrom/secretKeyRef").toString()).as(pod)
                        .isEqualTo("{\"name\":\"s3-keys\",\"key\":\"id\"}");
                assertThat(Manifests.env(container, "AWS_SECRET_ACCESS_KEY").at("/valueFrom/secretKeyRef").toString()).as(pod)
                        .isEqualTo("{\"name\":\"s3-keys\",\"key\":\"secret\"}");
            });
            assertThat(m.ofKind("PersistentVolumeClaim")).as("no claim").isEmpty();
        }
    }

    @HelmTest
    void withoutASecretThePodsUseTheirCloudIdentity(Helm helm) {
        Manifests m = helm.render(UnworkableValuesTest.s3().with("serviceAccount.annotations",
                Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/flink")));
        JsonNode container = m.get("Deployment", "flink-taskmanager").at("/spec/template/spec/containers/0");
        assertThat(Manifests.names(container.path("env"))).doesNotContain("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        assertThat(m.get("ServiceAccount", "flink").at("/metadata/annotations/eks.amazonaws.com~1role-arn").asText())
                .isEqualTo("arn:aws:iam::123456789012:role/flink");
    }
}
