package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL Gateway of a session cluster (sqlGateway.enabled): what SqlGatewayIT runs. */
class SqlGatewayTest {

    private static final Values GATEWAY = Values.of("sqlGateway.enabled", true);

    private static JsonNode container(Manifests m) {
        return Manifests.container(m.get("Deployment", "flink-sql-gateway").at("/spec/template/spec"), "sql-gateway");
    }

    @HelmTest
    void shouldRunTheGatewayAgainstTheRestServiceOnItsOwnPort(Helm helm) {
        Manifests m = helm.render(GATEWAY.with("sqlGateway.service.port", 9083, "sqlGateway.extraArgs",
                List.of("-Dsql-gateway.session.idle-timeout=30min")));
        assertThat(Manifests.args(container(m))).containsExactly("sql-gateway",
                "-Dsql-gateway.endpoint.rest.address=flink-sql-gateway",
                "-Dsql-gateway.endpoint.rest.bind-address=0.0.0.0",
                "-Dsql-gateway.endpoint.rest.port=9083",
                "-Dexecution.target=remote",
                "-Drest.address=flink-jobmanager-rest",
                "-Drest.port=8081",
                "-Dsql-gateway.session.idle-timeout=30min");
        assertThat(container(m).at("/ports/0/containerPort").asInt()).isEqualTo(9083);
        assertThat(container(m).at("/readinessProbe/httpGet/path").asText()).isEqualTo("/v1/info");
        assertThat(container(m).at("/resources/limits/memory").asText()).isEqualTo("1Gi");
        JsonNode service = m.get("Service", "flink-sql-gateway");
        assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(9083);
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("rest");
        assertThat(service.at("/spec/selector/app.kubernetes.io~1component").asText()).isEqualTo("sql-gateway");
    }

    @HelmTest
    void shouldCheckReadinessOverTcpWhenRestIsHttps(Helm helm) {
        Manifests m = helm.render(UnworkableValuesTest.tls("rest").with("sqlGateway.enabled", true));
        assertThat(container(m).at("/readinessProbe/tcpSocket/port").asText()).isEqualTo("rest");
        assertThat(container(m).at("/readinessProbe").has("httpGet")).isFalse();
    }

    @HelmTest
    void shouldAdmitTheReleasesPodsAndTheConfiguredPeersOnly(Helm helm) {
        Map<String, Object> notebooks = Map.of("namespaceSelector", Map.of("matchLabels", Map.of("team", "data")));
        Manifests m = helm.render(GATEWAY.with("networkPolicy.enabled", true, "networkPolicy.sqlGateway.from", List.of(notebooks)));
        JsonNode rule = m.get("NetworkPolicy", "flink-sql-gateway").at("/spec/ingress/0");
        assertThat(rule.at("/ports/0/port").asText()).isEqualTo("rest");
        assertThat(rule.at("/from/0/podSelector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo(Helm.RELEASE);
        assertThat(rule.at("/from/1/namespaceSelector/matchLabels/team").asText()).isEqualTo("data");
    }

    @HelmTest
    void shouldRenderNoGatewayByDefault(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        assertThat(m.ofKind("Deployment")).noneMatch(d -> d.at("/metadata/name").asText().contains("sql-gateway"));
    }
}
