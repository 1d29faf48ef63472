package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** JobManager Services, Ingress and NetworkPolicies. */
class NetworkingTest {

    @HelmTest
    void shouldExposeTheJobManagerPorts(Helm helm) {
        JsonNode svc = helm.render(Values.defaults()).get("Service", "flink-jobmanager");
        assertThat(svc.at("/spec/type").asText()).isEqualTo("ClusterIP");
        assertThat(svc.at("/spec/ports").findValuesAsText("name")).containsExactly("rpc", "blob", "rest", "metrics");
        assertThat(svc.at("/spec/ports").findValuesAsText("port")).containsExactly("6123", "6124", "8081", "9249");
        assertThat(svc.at("/spec/selector/app.kubernetes.io~1component").asText()).isEqualTo("jobmanager");
    }

    @HelmTest
    void shouldRenderAClusterIpRestServiceByDefault(Helm helm) {
        JsonNode rest = helm.render(Values.defaults()).get("Service", "flink-jobmanager-rest");
        assertThat(rest.at("/spec/type").asText()).isEqualTo("ClusterIP");
        assertThat(rest.at("/spec/ports/0/port").asInt()).isEqualTo(8081);
        assertThat(rest.at("/spec/ports/0/targetPort").asText()).isEqualTo("rest");
        assertThat(rest.at("/spec/ports/0").has("nodePort")).isFalse();
    }

    @HelmTest
    void shouldRenderALoadBalancerOrNodePortRestService(Helm helm) {
        JsonNode lb = helm.render(Values.of("jobmanager.restService.type", "LoadBalancer", "jobmanager.restService.port", 443,
                        "jobmanager.restService.loadBalancerSourceRanges", List.of("10.0.0.0/8"),
                        "jobmanager.restService.annotations", Map.of("service.beta.kubernetes.io/aws-load-balancer-internal", "true")))
                .get("Service", "flink-jobmanager-rest");
        assertThat(lb.at("/spec/type").asText()).isEqualTo("LoadBalancer");
        assertThat(lb.at("/spec/ports/0/port").asInt()).isEqualTo(443);
        assertThat(lb.at("/spec/loadBalancerSourceRanges/0").asText()).isEqualTo("10.0.0.0/8");
        assertThat(lb.at("/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-internal").asText()).isEqualTo("true");
        JsonNode nodePort = helm.render(Values.of("jobmanager.restService.type", "NodePort", "jobmanager.restService.nodePort", 30081))
                .get("Service", "flink-jobmanager-rest");
        assertThat(nodePort.at("/spec/ports/0/nodePort").asInt()).isEqualTo(30081);
    }

    @HelmTest
    void shouldRenderNoIngressByDefault(Helm helm) {
        assertThat(helm.render(Values.defaults()).ofKind("Ingress")).isEmpty();
    }

    @HelmTest
    void shouldRouteTheIngressToTheRestService(Helm helm) {
        JsonNode ingress = helm.render(Values.file("ci/security-values.yaml")).get("Ingress", "flink-jobmanager");
        assertThat(ingress.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
        assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("flink.example.com");
        JsonNode path = ingress.at("/spec/rules/0/http/paths/0");
        assertThat(path.at("/backend/service/name").asText()).isEqualTo("flink-jobmanager-rest");
        assertThat(path.at("/backend/service/port/name").asText()).isEqualTo("rest");
        assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("flink-example-com-tls");
        assertThat(ingress.at("/metadata/annotations/nginx.ingress.kubernetes.io~1auth-type").asText()).isEqualTo("basic");
    }

    @HelmTest
    void shouldRenderNoNetworkPolicyByDefault(Helm helm) {
        assertThat(helm.render(Values.defaults()).ofKind("NetworkPolicy")).isEmpty();
    }

    @HelmTest
    void shouldAllowOnlyClusterTrafficOnTheJobManagerPorts(Helm helm) {
        Manifests m = helm.render(Values.file("ci/security-values.yaml"));
        JsonNode jm = m.get("NetworkPolicy", "flink-jobmanager");
        assertThat(jm.at("/spec/podSelector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("jobmanager");
        assertThat(jm.at("/spec/policyTypes/0").asText()).isEqualTo("Ingress");
        JsonNode rules = jm.at("/spec/ingress");
        assertThat(rules.size()).isEqualTo(3);
        assertThat(rules.at("/0/ports").findValuesAsText("port")).containsExactly("rpc", "blob", "metrics-query");
        assertThat(Manifests.YAML.convertValue(rules.at("/0/from/0/podSelector/matchExpressions/0/values"), List.class))
                .containsExactly("jobmanager", "taskmanager");
        assertThat(rules.at("/1/ports").findValuesAsText("port")).containsExactly("rest");
        assertThat(rules.at("/1/from/0/podSelector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo("flink");
        assertThat(rules.at("/1/from/1/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText())
                .isEqualTo("ingress-nginx");
        assertThat(rules.at("/2/ports").findValuesAsText("port")).containsExactly("metrics");
    }

    @HelmTest
    void shouldAllowOnlyClusterTrafficOnTheTaskManagerPorts(Helm helm) {
        JsonNode tm = helm.render(Values.of("networkPolicy.enabled", true)).get("NetworkPolicy", "flink-taskmanager");
        JsonNode rules = tm.at("/spec/ingress");
        assertThat(rules.size()).isEqualTo(2);
        assertThat(rules.at("/0/ports").findValuesAsText("port")).containsExactly("rpc", "data", "metrics-query");
        assertThat(rules.at("/1/ports").findValuesAsText("port")).containsExactly("metrics");
        assertThat(rules.at("/1/from/0").has("namespaceSelector")).isTrue();
    }

    @HelmTest
    void shouldPinTheMetricQueryServicePortThatThePoliciesAllow(Helm helm) {
        Manifests m = helm.render(Values.of("networkPolicy.enabled", true, "metrics.queryServicePort", 6200));
        assertThat(ConfigMapTest.config(m).path("metrics.internal.query-service.port").asText()).isEqualTo("6200");
        for (String component : List.of("jobmanager", "taskmanager")) {
            JsonNode ports = Manifests.container(m.podSpecs().get("Deployment/flink-" + component), component).path("ports");
            assertThat(ports.findValues("name").stream().map(JsonNode::asText).toList()).as(component).contains("metrics-query");
            assertThat(ports.toString()).contains("{\"name\":\"metrics-query\",\"containerPort\":6200,\"protocol\":\"TCP\"}");
        }
    }

    @HelmTest
    void shouldDropTheMetricsRuleWithoutTheReporter(Helm helm) {
        JsonNode tm = helm.render(Values.of("networkPolicy.enabled", true, "metrics.enabled", false))
                .get("NetworkPolicy", "flink-taskmanager");
        assertThat(tm.at("/spec/ingress").size()).isEqualTo(1);
    }
}
