package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The HorizontalPodAutoscaler or KEDA ScaledObject, the Flink signals they scale on, and the reactive mode they switch on. */
class AutoscalingTest {

    private static final Values AUTOSCALING = Values.of("mode", "application", "autoscaling.enabled", true);
    private static final Values FLINK_SIGNALS = AUTOSCALING.with("autoscaling.flinkMetrics.busyTimeMsPerSecond", 700,
            "autoscaling.flinkMetrics.backPressuredTimeMsPerSecond", 300,
            "autoscaling.flinkMetrics.pendingRecordsPerTaskManager", 2000000);
    private static final Values KEDA = FLINK_SIGNALS.with("autoscaling.engine", "keda",
            "autoscaling.keda.serverAddress", "http://prometheus-operated.monitoring.svc:9090");

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

    @HelmTest
    void shouldScaleOnFlinkSignalsAsExternalMetrics(Helm helm) {
        JsonNode metrics = helm.render(FLINK_SIGNALS).get("HorizontalPodAutoscaler", "flink-taskmanager").at("/spec/metrics");
        assertThat(metrics.findValuesAsText("type")).containsExactly("Resource", "Utilization",
                "External", "AverageValue", "External", "Value", "External", "AverageValue");
        JsonNode busy = metrics.at("/1/external");
        assertThat(busy.at("/metric/name").asText()).isEqualTo("flink_cluster_busy_time_ms_per_second_bottleneck_sum");
        assertThat(busy.at("/metric/selector/matchLabels").toString()).isEqualTo("{\"flink_cluster\":\"flink\"}");
        assertThat(busy.at("/target/averageValue").asText()).as("700 ms/s x 2 slots per TaskManager").isEqualTo("1400");
        JsonNode backPressure = metrics.at("/2/external");
        assertThat(backPressure.at("/metric/name").asText()).isEqualTo("flink_cluster_back_pressured_time_ms_per_second_max");
        assertThat(backPressure.at("/target/value").asText()).isEqualTo("300");
        JsonNode pending = metrics.at("/3/external");
        assertThat(pending.at("/metric/name").asText()).isEqualTo("flink_cluster_pending_records_sum");
        assertThat(pending.at("/target/averageValue").asText()).isEqualTo("2000000");

        JsonNode wider = helm.render(FLINK_SIGNALS.with("taskmanager.numberOfTaskSlots", 4, "fullnameOverride", "traffic-eu"))
                .get("HorizontalPodAutoscaler", "traffic-eu-taskmanager").at("/spec/metrics/1/external");
        assertThat(wider.at("/target/averageValue").asText()).isEqualTo("2800");
        assertThat(wider.at("/metric/selector/matchLabels/flink_cluster").asText())
                .as("the label value as Flink's reporter writes it").isEqualTo("traffic_eu");
    }

    @HelmTest
    void shouldScaleOnFlinkSignalsAlone(Helm helm) {
        JsonNode hpa = helm.render(AUTOSCALING.with("autoscaling.targetCPUUtilizationPercentage", null,
                "autoscaling.flinkMetrics.busyTimeMsPerSecond", 700)).get("HorizontalPodAutoscaler", "flink-taskmanager");
        assertThat(hpa.at("/spec/metrics").findValuesAsText("type")).containsExactly("External", "AverageValue");
    }

    @HelmTest
    void shouldHandTheTaskManagersToAKedaScaledObject(Helm helm) {
        Manifests m = helm.render(KEDA.with("autoscaling.minReplicas", 2, "autoscaling.maxReplicas", 6,
                "autoscaling.keda.authenticationRef", "prometheus-auth"), Helm.KEDA_API);
        assertThat(m.ofKind("HorizontalPodAutoscaler")).as("KEDA creates the HPA").isEmpty();
        assertThat(m.get("Deployment", "flink-taskmanager").at("/spec").has("replicas")).as("KEDA owns the replica count").isFalse();
        JsonNode scaledObject = m.get("ScaledObject", "flink-taskmanager");
        assertThat(scaledObject.path("apiVersion").asText()).isEqualTo("keda.sh/v1alpha1");
        JsonNode spec = scaledObject.path("spec");
        assertThat(spec.at("/scaleTargetRef/apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(spec.at("/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(spec.at("/scaleTargetRef/name").asText()).isEqualTo("flink-taskmanager");
        assertThat(spec.path("minReplicaCount").asInt()).isEqualTo(2);
        assertThat(spec.path("maxReplicaCount").asInt()).isEqualTo(6);
        assertThat(spec.path("pollingInterval").asInt()).isEqualTo(30);
        assertThat(spec.at("/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown/stabilizationWindowSeconds").asInt())
                .isEqualTo(300);

        JsonNode triggers = spec.path("triggers");
        assertThat(triggers.findValuesAsText("type")).containsExactly("cpu", "prometheus", "prometheus", "prometheus");
        assertThat(triggers.at("/0/metricType").asText()).isEqualTo("Utilization");
        assertThat(triggers.at("/0/metadata/value").asText()).isEqualTo("70");
        assertThat(triggers.findValuesAsText("metricType")).containsExactly("Utilization", "AverageValue", "Value", "AverageValue");
        assertThat(triggers.findValuesAsText("query")).containsExactly(
                "flink_cluster:busy_time_ms_per_second:bottleneck_sum{namespace=\"flink\",flink_cluster=\"flink\"}",
                "flink_cluster:back_pressured_time_ms_per_second:max{namespace=\"flink\",flink_cluster=\"flink\"}",
                "flink_cluster:pending_records:sum{namespace=\"flink\",flink_cluster=\"flink\"}");
        assertThat(triggers.findValuesAsText("threshold")).containsExactly("1400", "300", "2000000");
        for (int i = 1; i <= 3; i++) {
            assertThat(triggers.at("/" + i + "/metadata/serverAddress").asText()).isEqualTo("http://prometheus-operated.monitoring.svc:9090");
            assertThat(triggers.at("/" + i + "/authenticationRef/name").asText()).isEqualTo("prometheus-auth");
            assertThat(triggers.at("/" + i + "/metadata/ignoreNullValues").asText()).as("no series is no value, not 0").isEqualTo("false");
        }
        assertThat(ConfigMapTest.config(m).path("scheduler-mode").asText()).as("reactive mode follows KEDA's replicas").isEqualTo("reactive");
    }

    @HelmTest
    void shouldQueryTheClusterLabelAsFlinksReporterWritesIt(Helm helm) {
        JsonNode triggers = helm.render(KEDA.with("fullnameOverride", "traffic-eu-v2"), Helm.KEDA_API)
                .get("ScaledObject", "traffic-eu-v2-taskmanager").at("/spec/triggers");
        assertThat(triggers.findValuesAsText("query"))
                .allMatch(query -> query.endsWith("{namespace=\"flink\",flink_cluster=\"traffic_eu_v2\"}"));
    }

    @HelmTest
    void shouldScaleAStatefulSetWithKeda(Helm helm) {
        Manifests m = helm.render(KEDA.with("taskmanager.kind", "StatefulSet", "autoscaling.keda.pollingInterval", 10), Helm.KEDA_API);
        JsonNode spec = m.get("ScaledObject", "flink-taskmanager").path("spec");
        assertThat(spec.at("/scaleTargetRef/kind").asText()).isEqualTo("StatefulSet");
        assertThat(spec.path("pollingInterval").asInt()).isEqualTo(10);
        assertThat(spec.at("/triggers/1").has("authenticationRef")).isFalse();
        assertThat(m.get("StatefulSet", "flink-taskmanager").at("/spec").has("replicas")).isFalse();
    }

    @HelmTest
    void shouldTurnCpuAndMemoryTargetsIntoKedaTriggers(Helm helm) {
        Values keda = AUTOSCALING.with("autoscaling.engine", "keda", "autoscaling.targetMemoryUtilizationPercentage", 80);
        JsonNode triggers = helm.render(keda, Helm.KEDA_API).get("ScaledObject", "flink-taskmanager").at("/spec/triggers");
        assertThat(triggers.findValuesAsText("type")).containsExactly("cpu", "memory");
        assertThat(triggers.findValuesAsText("value")).containsExactly("70", "80");
        JsonNode memoryOnly = helm.render(keda.with("autoscaling.targetCPUUtilizationPercentage", null), Helm.KEDA_API)
                .get("ScaledObject", "flink-taskmanager").at("/spec/triggers");
        assertThat(memoryOnly.findValuesAsText("type")).containsExactly("memory");
    }

    @HelmTest
    void shouldRenderNoAutoscalerWhileSuspended(Helm helm) {
        Values suspended = FLINK_SIGNALS.with("job.state", "suspended");
        assertThat(helm.render(suspended).ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(helm.render(KEDA.with("job.state", "suspended"), Helm.KEDA_API).ofKind("ScaledObject")).isEmpty();
    }
}
