package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The HorizontalPodAutoscaler and the reactive mode it switches on. */
class AutoscalingTest {

    private static final Values AUTOSCALING = Values.of("mode", "application", "autoscaling.enabled", true);

    @HelmTest
    void shouldNotRenderAnAutoscalerByDefault(Helm helm) {
        Manifests m = helm.render(Values.of("mode", "application"));
        assertThat(m.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(m.get("Deployment", "flink-taskmanager").at("/spec").has("replicas")).isTrue();
        assertThat(ConfigMapTest.config(m).has("scheduler-mode")).isFalse();
    }

    @HelmTest
    void shouldScaleTheTaskManagerDeployment(Helm helm) {
        Manifests m = helm.render(AUTOSCALING.with("autoscaling.minReplicas", 2, "autoscaling.maxReplicas", 5));
        JsonNode hpa = m.get("HorizontalPodAutoscaler", "flink-taskmanager");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo("flink-taskmanager");
        assertThat(hpa.at("/spec/scaleTargetRef/apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(2);
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(5);
        assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
        assertThat(hpa.at("/spec/metrics/0/resource/target/type").asText()).isEqualTo("Utilization");
        assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(70);
        assertThat(hpa.at("/spec/metrics").size()).isEqualTo(1);
        assertThat(hpa.at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt()).isEqualTo(300);
        assertThat(m.get("Deployment", "flink-taskmanager").at("/spec").has("replicas"))
                .as("the HPA owns the replica count").isFalse();
    }

    @HelmTest
    void shouldScaleOnMemoryToo(Helm helm) {
        JsonNode hpa = helm.render(AUTOSCALING.with("autoscaling.targetMemoryUtilizationPercentage", 80))
                .get("HorizontalPodAutoscaler", "flink-taskmanager");
        assertThat(hpa.at("/spec/metrics").findValuesAsText("name")).containsExactly("cpu", "memory");
        assertThat(hpa.at("/spec/metrics/1/resource/target/averageUtilization").asInt()).isEqualTo(80);
        JsonNode memoryOnly = helm.render(AUTOSCALING.with("autoscaling.targetMemoryUtilizationPercentage", 80,
                "autoscaling.targetCPUUtilizationPercentage", null)).get("HorizontalPodAutoscaler", "flink-taskmanager");
        assertThat(memoryOnly.at("/spec/metrics").findValuesAsText("name")).containsExactly("memory");
    }

    @HelmTest
    void shouldScaleAStatefulSet(Helm helm) {
        Manifests m = helm.render(AUTOSCALING.with("taskmanager.kind", "StatefulSet"));
        assertThat(m.get("HorizontalPodAutoscaler", "flink-taskmanager").at("/spec/scaleTargetRef/kind").asText())
                .isEqualTo("StatefulSet");
        assertThat(m.get("StatefulSet", "flink-taskmanager").at("/spec").has("replicas")).isFalse();
    }

    @HelmTest
    void shouldSwitchTheJobToReactiveModeWithFastRescaling(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(AUTOSCALING));
        assertThat(config.path("scheduler-mode").asText()).isEqualTo("reactive");
        assertThat(config.path("jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling").asText()).isEqualTo("10s");
        assertThat(config.path("jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout").asText()).isEqualTo("2s");
        assertThat(config.path("jobmanager.adaptive-scheduler.rescale-trigger.max-delay").asText()).isEqualTo("2s");
        assertThat(config.path("pipeline.max-parallelism").asInt()).isEqualTo(120);
        assertThat(config.path("heartbeat.interval").asInt()).isEqualTo(1000);
        assertThat(config.path("heartbeat.timeout").asInt()).as("a lost TaskManager is noticed in seconds").isEqualTo(5000);
        assertThat(config.path("execution.checkpointing.interval").asText()).as("reactive mode needs checkpoints").isNotEmpty();
        assertThat(config.path("restart-strategy.type").asText()).isNotEqualTo("none");
    }

    @HelmTest
    void shouldTuneReactiveModeFromValuesAndFlinkConfiguration(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(AUTOSCALING.with("autoscaling.maxParallelism", 720)
                .withMap("flinkConfiguration", "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling", "30s")
                .withMap("flinkConfiguration", "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout", "1s")));
        assertThat(config.path("jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling").asText()).isEqualTo("30s");
        assertThat(config.path("jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout").asText()).isEqualTo("1s");
        assertThat(config.path("pipeline.max-parallelism").asInt()).isEqualTo(720);
    }
}
