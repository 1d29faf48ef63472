package dev.flinkstack.tests.chart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.KubernetesSchema;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS on the internal connections and the REST API: the keystores and their password reach every pod
 * from Secrets only, the configuration references the password, and everything that talks to the REST
 * API (probes, client pods) follows it. Running it is {@code TlsIT}.
 */
class TlsTest {

    private static final String CERT_MANAGER_API = "--api-versions=cert-manager.io/v1";

    private static Values bothEndpoints() {
        return UnworkableValuesTest.tls("internal").with("tls.rest.enabled", true, "tls.rest.existingSecret", "flink-tls-rest",
                "tls.rest.password.existingSecret", "flink-tls-password");
    }

    @HelmTest
    void theConfigurationNamesTheMountedKeystoresAndReferencesThePasswordOnly(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(bothEndpoints()));
        for (String endpoint : List.of("internal", "rest")) {
            String prefix = "security.ssl." + endpoint + ".";
            String password = "${FLINK_TLS_" + endpoint.toUpperCase() + "_PASSWORD}";
            assertThat(config.path(prefix + "enabled").asBoolean()).as(endpoint).isTrue();
            assertThat(config.path(prefix + "keystore").asText()).isEqualTo("/opt/flink/tls/" + endpoint + "/keystore.p12");
            assertThat(config.path(prefix + "truststore").asText()).isEqualTo("/opt/flink/tls/" + endpoint + "/truststore.p12");
            for (String key : List.of("keystore-password", "key-password", "truststore-password")) {
                assertThat(config.path(prefix + key).asText()).as(prefix + key).isEqualTo(password);
            }
        }
        assertThat(config.path("security.ssl.rest.authentication-enabled").asBoolean()).isFalse();
        assertThat(config.path("env.java.default-opts.all").asText()).as("internal connections authenticate by key, not host name")
                .isEqualTo("-Dorg.apache.flink.shaded.netty4.io.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE");
        assertThat(ConfigMapTest.config(helm.render(Values.defaults())).has("security.ssl.internal.enabled"))
                .as("off by default").isFalse();
    }

    @HelmTest
    void everyPodMountsTheKeystoresReadOnlyAndGetsThePasswordFromTheSecret(Helm helm) {
        Values session = bothEndpoints().with("cronJob.enabled", true,
                "jobs", List.of(Map.of("name", "a", "jarFile", "/opt/flink/usrlib/a.jar")));
        Values application = bothEndpoints().with("mode", "application", "job.upgradeMode", "savepoint");
        for (Values values : List.of(session, application)) {
            Manifests m = helm.render(values);
            assertThat(m.podSpecs()).hasSizeGreaterThanOrEqualTo(4);
            m.podSpecs().forEach((pod, spec) -> {
                JsonNode container = spec.path("containers").get(0);
                for (String endpoint : List.of("internal", "rest")) {
                    JsonNode volume = volume(spec, "tls-" + endpoint);
                    assertThat(volume.at("/secret/secretName").asText()).as(pod).isEqualTo("flink-tls-" + endpoint);
                    JsonNode mount = mount(container, "tls-" + endpoint);
                    assertThat(mount.path("mountPath").asText()).isEqualTo("/opt/flink/tls/" + endpoint);
                    assertThat(mount.path("readOnly").asBoolean()).as(pod + " mounts the keys read-only").isTrue();
                    assertThat(Manifests.env(container, "FLINK_TLS_" + endpoint.toUpperCase() + "_PASSWORD")
                            .at("/valueFrom/secretKeyRef").toString()).as(pod)
                            .isEqualTo("{\"name\":\"flink-tls-password\",\"key\":\"password\"}");
                }
                JsonNode restUrl = Manifests.env(container, "FLINK_REST_URL");
                if (restUrl != null) {
                    assertThat(restUrl.path("value").asText()).as(pod).isEqualTo("https://flink-jobmanager-rest:8081");
                }
            });
        }
    }

    @HelmTest
    void theReadinessProbeUsesHttpsOrOnlyThePortWithMutualAuthentication(Helm helm) {
        JsonNode https = readinessProbe(helm.render(bothEndpoints()));
        assertThat(https.at("/httpGet/scheme").asText()).isEqualTo("HTTPS");
        assertThat(https.at("/httpGet/path").asText()).isEqualTo("/overview");
        assertThat(readinessProbe(helm.render(Values.defaults())).at("/httpGet/scheme").asText()).isEqualTo("HTTP");
        JsonNode mutual = readinessProbe(helm.render(bothEndpoints().with("tls.rest.mutualAuthentication", true)));
        assertThat(mutual.has("httpGet")).as("the kubelet has no client certificate").isFalse();
        assertThat(mutual.at("/tcpSocket/port").asText()).isEqualTo("rest");
        assertThat(ConfigMapTest.config(helm.render(bothEndpoints().with("tls.rest.mutualAuthentication", true)))
                .path("security.ssl.rest.authentication-enabled").asBoolean()).isTrue();
    }

    @HelmTest
    void anIssuerGetsACertificateWithPkcs12KeystoresForTheRestServicesNames(Helm helm) {
        Values values = Values.of("tls.rest.enabled", true, "tls.rest.issuerRef.name", "flink-ca",
                "tls.rest.issuerRef.kind", "ClusterIssuer", "tls.rest.password.existingSecret", "flink-tls-password",
                "tls.rest.dnsNames", List.of("flink.example.com"),
                "tls.internal.enabled", true, "tls.internal.issuerRef.name", "flink-ca",
                "tls.internal.password.existingSecret", "flink-tls-password");
        Manifests m = helm.render(values, CERT_MANAGER_API);
        JsonNode rest = m.get("Certificate", "flink-tls-rest");
        assertThat(KubernetesSchema.violations(rest)).isEmpty();
        assertThat(rest.at("/spec/secretName").asText()).isEqualTo("flink-tls-rest");
        assertThat(rest.at("/spec/issuerRef").toString())
                .isEqualTo("{\"name\":\"flink-ca\",\"kind\":\"ClusterIssuer\",\"group\":\"cert-manager.io\"}");
        assertThat(rest.at("/spec/dnsNames").toString()).contains("\"flink-jobmanager-rest\"",
                "\"flink-jobmanager-rest.flink.svc\"", "\"localhost\"", "\"flink.example.com\"");
        assertThat(rest.at("/spec/keystores/pkcs12/create").asBoolean()).isTrue();
        assertThat(rest.at("/spec/keystores/pkcs12/passwordSecretRef").toString())
                .isEqualTo("{\"name\":\"flink-tls-password\",\"key\":\"password\"}");
        assertThat(rest.at("/spec/privateKey/algorithm").asText()).as("Flink's default cipher suites are RSA's").isEqualTo("RSA");
        JsonNode internal = m.get("Certificate", "flink-tls-internal");
        assertThat(KubernetesSchema.violations(internal)).isEmpty();
        assertThat(internal.at("/spec/issuerRef/kind").asText()).isEqualTo("Issuer");
        assertThat(volume(m.podSpecs().get("Deployment/flink-taskmanager"), "tls-internal").at("/secret/secretName").asText())
                .isEqualTo("flink-tls-internal");
        assertThat(helm.render(bothEndpoints()).ofKind("Certificate")).as("no Certificate for an existing Secret").isEmpty();
    }

    @HelmTest
    void anApplicationClusterRefusesJarUploadAndCancellationUnlessSwitchedOn(Helm helm) {
        JsonNode application = ConfigMapTest.config(helm.render(Values.of("mode", "application")));
        assertThat(application.path("web.submit.enable").asBoolean(true)).isFalse();
        assertThat(application.path("web.cancel.enable").asBoolean(true)).isFalse();
        JsonNode session = ConfigMapTest.config(helm.render(Values.defaults()));
        assertThat(session.has("web.submit.enable")).as("a session cluster takes jobs through REST").isFalse();
        JsonNode switched = ConfigMapTest.config(helm.render(Values.of("mode", "application")
                .withMap("flinkConfiguration", "web.cancel.enable", true)));
        assertThat(switched.path("web.cancel.enable").asBoolean()).as("the documented switch").isTrue();
    }

    private static JsonNode readinessProbe(Manifests m) {
        return Manifests.container(m.podSpecs().get("Deployment/flink-jobmanager"), "jobmanager").path("readinessProbe");
    }

    private static JsonNode volume(JsonNode spec, String name) {
        for (JsonNode volume : spec.path("volumes")) {
            if (name.equals(volume.path("name").asText())) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static JsonNode mount(JsonNode container, String name) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (name.equals(mount.path("name").asText())) {
                return mount;
            }
        }
        throw new AssertionError("no mount " + name + " in " + container.path("name").asText());
    }
}
