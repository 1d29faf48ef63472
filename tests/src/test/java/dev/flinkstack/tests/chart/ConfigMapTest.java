package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Flink configuration (config.yaml) and log4j configuration, and the checksum that rolls pods. */
class ConfigMapTest {

    static JsonNode configMap(Manifests m) {
        return m.get("ConfigMap", "flink-config");
    }

    static JsonNode config(Manifests m) {
        return Manifests.yaml(configMap(m).at("/data/config.yaml").asText());
    }

    static String log4j(Manifests m) {
        return configMap(m).at("/data/log4j-console.properties").asText();
    }

    @HelmTest
    void shouldContainEveryDefaultOfConfYaml(Helm helm) throws IOException {
        JsonNode defaults = Manifests.yaml(Files.readString(Helm.chartDir().resolve("conf/config.yaml")));
        JsonNode chart = config(helm.render(Values.defaults()));
        List<String> missing = new ArrayList<>();
        defaults.fieldNames().forEachRemaining(key -> {
            if (!chart.has(key)) {
                missing.add(key);
            }
        });
        assertThat(missing).as("keys of conf/config.yaml (the images' configuration) missing from the chart's").isEmpty();
        assertThat(chart.path("heartbeat.timeout")).isEqualTo(defaults.path("heartbeat.timeout"));
    }

    @HelmTest
    void shouldRenderDefaultsFromValues(Helm helm) {
        JsonNode c = config(helm.render(Values.defaults()));
        assertThat(c.path("jobmanager.rpc.address").asText()).isEqualTo("flink-jobmanager");
        assertThat(c.path("rest.address").asText()).isEqualTo("flink-jobmanager");
        assertThat(c.path("jobmanager.rpc.port").asInt()).isEqualTo(6123);
        assertThat(c.path("blob.server.port").asInt()).isEqualTo(6124);
        assertThat(c.path("rest.port").asInt()).isEqualTo(8081);
        assertThat(c.path("taskmanager.rpc.port").asInt()).isEqualTo(6122);
        assertThat(c.path("taskmanager.data.port").asInt()).isEqualTo(6121);
        assertThat(c.path("jobmanager.memory.process.size").asText()).isEqualTo("1g");
        assertThat(c.path("taskmanager.memory.process.size").asText()).isEqualTo("1536m");
        assertThat(c.path("taskmanager.numberOfTaskSlots").asInt()).isEqualTo(2);
        assertThat(c.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(c.path("execution.checkpointing.incremental").asBoolean()).isTrue();
        assertThat(c.path("execution.checkpointing.dir").asText()).isEqualTo("file:///flink-data/checkpoints");
        assertThat(c.path("execution.checkpointing.savepoint-dir").asText()).isEqualTo("file:///flink-data/savepoints");
        assertThat(c.path("execution.checkpointing.num-retained").asInt()).isEqualTo(3);
        assertThat(c.path("execution.checkpointing.interval").asText()).isEqualTo("10s");
        assertThat(c.path("execution.checkpointing.timeout").asText()).isEqualTo("10min");
        assertThat(c.path("metrics.reporter.prom.port").asInt()).isEqualTo(9249);
        assertThat(c.path("io.tmp.dirs").asText()).isEqualTo("/tmp");
        assertThat(c.has("scheduler-mode")).isFalse();
        assertThat(c.has("high-availability.type")).isFalse();
    }

    @HelmTest
    void shouldTakeCheckpointSettingsFromFlinkConfiguration(Helm helm) {
        JsonNode c = config(helm.render(Values.defaults()
                .withMap("flinkConfiguration", "execution.checkpointing.interval", "1min")
                .withMap("flinkConfiguration", "execution.checkpointing.timeout", "2min")
                .withMap("flinkConfiguration", "execution.checkpointing.num-retained", 7)
                .withMap("flinkConfiguration", "state.backend.type", "hashmap")
                .withMap("flinkConfiguration", "execution.checkpointing.incremental", false)
                .withMap("flinkConfiguration", "execution.checkpointing.mode", "AT_LEAST_ONCE")));
        assertThat(c.path("execution.checkpointing.interval").asText()).isEqualTo("1min");
        assertThat(c.path("execution.checkpointing.timeout").asText()).isEqualTo("2min");
        assertThat(c.path("execution.checkpointing.num-retained").asInt()).isEqualTo(7);
        assertThat(c.path("state.backend.type").asText()).isEqualTo("hashmap");
        assertThat(c.path("execution.checkpointing.incremental").asBoolean()).isFalse();
        assertThat(c.path("execution.checkpointing.mode").asText()).isEqualTo("AT_LEAST_ONCE");
    }

    @HelmTest
    void shouldMergeFlinkConfigurationOverTheDefaults(Helm helm) {
        Values values = Values.defaults()
                .withMap("flinkConfiguration", "restart-strategy.type", "fixed-delay")
                .withMap("flinkConfiguration", "taskmanager.memory.managed.fraction", 0.5)
                .withMap("flinkConfiguration", "pipeline.object-reuse", true)
                .withMap("flinkConfiguration", "execution.checkpointing.incremental", false);
        JsonNode c = config(helm.render(values));
        assertThat(c.path("restart-strategy.type").asText()).isEqualTo("fixed-delay");
        assertThat(c.path("taskmanager.memory.managed.fraction").asDouble()).isEqualTo(0.5);
        assertThat(c.path("pipeline.object-reuse").asBoolean()).isTrue();
        assertThat(c.path("execution.checkpointing.incremental").asBoolean(true)).as("false overrides true").isFalse();
        assertThat(c.path("rest.port").asInt()).as("other keys kept").isEqualTo(8081);
    }

    @HelmTest
    void shouldPinPortsAndMemoryFromValues(Helm helm) {
        JsonNode c = config(helm.render(Values.of("jobmanager.service.ports.rest", 18081, "metrics.port", 19249,
                "jobmanager.memory", "2Gi", "taskmanager.memory", "4096Mi")));
        assertThat(c.path("rest.port").asInt()).isEqualTo(18081);
        assertThat(c.path("metrics.reporter.prom.port").asInt()).isEqualTo(19249);
        assertThat(c.path("jobmanager.memory.process.size").asText()).isEqualTo("2g");
        assertThat(c.path("taskmanager.memory.process.size").asText()).isEqualTo("4096m");
    }

    @HelmTest
    void shouldLeaveOutTheReporterWhenMetricsAreDisabled(Helm helm) {
        JsonNode c = config(helm.render(Values.of("metrics.enabled", false)));
        assertThat(c.has("metrics.reporter.prom.factory.class")).isFalse();
        assertThat(c.has("metrics.reporter.prom.port")).isFalse();
    }

    @HelmTest
    void shouldNameTheClusterOnEveryMetric(Helm helm) {
        assertThat(config(helm.render(Values.defaults())).path("metrics.reporter.prom.scope.variables.additional").asText())
                .isEqualTo("flink_cluster:flink");
        JsonNode renamed = Manifests.yaml(helm.render(Values.of("fullnameOverride", "traffic-eu-v2")).get("ConfigMap", "traffic-eu-v2-config")
                .at("/data/config.yaml").asText());
        assertThat(renamed.path("metrics.reporter.prom.scope.variables.additional").asText())
                .as("the name as Flink's reporter writes a label value").isEqualTo("flink_cluster:traffic_eu_v2");
        assertThat(config(helm.render(Values.defaults().withMap("flinkConfiguration", "metrics.reporter.prom.scope.variables.additional",
                "flink_cluster:flink,team:traffic"))).path("metrics.reporter.prom.scope.variables.additional").asText())
                .as("flinkConfiguration overrides it").isEqualTo("flink_cluster:flink,team:traffic");
        assertThat(config(helm.render(Values.of("metrics.enabled", false))).has("metrics.reporter.prom.scope.variables.additional"))
                .isFalse();
    }

    @HelmTest
    void shouldKeepTheLogAppenderSwitchAndApplyLevels(Helm helm) {
        String defaults = log4j(helm.render(Values.defaults()));
        assertThat(defaults).contains("rootLogger.appenderRef.main.ref = ${sys:flinkstack.log.appender:-text}")
                .contains("appender.json.layout.type = JsonTemplateLayout")
                .contains("rootLogger.level = INFO");
        String tuned = log4j(helm.render(Values.of("log4j.rootLevel", "WARN")
                .withMap("log4j.loggers", "org.apache.flink.runtime.checkpoint", "DEBUG")));
        assertThat(tuned).contains("rootLogger.level = WARN")
                .contains("logger.chart_org_apache_flink_runtime_checkpoint.name = org.apache.flink.runtime.checkpoint")
                .contains("logger.chart_org_apache_flink_runtime_checkpoint.level = DEBUG");
    }

    @HelmTest
    void shouldSetTheLogFormatInEveryFlinkContainer(Helm helm) {
        Manifests m = helm.render(Values.of("log4j.format", "json"));
        for (String workload : List.of("flink-jobmanager", "flink-taskmanager")) {
            JsonNode pod = m.get("Deployment", workload).at("/spec/template/spec");
            JsonNode container = pod.path("containers").get(0);
            assertThat(Manifests.env(container, "FLINK_LOG_FORMAT").path("value").asText()).isEqualTo("json");
        }
    }

    @HelmTest
    void shouldMountTheConfigurationReadOnly(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        for (String workload : List.of("flink-jobmanager", "flink-taskmanager")) {
            JsonNode pod = m.get("Deployment", workload).at("/spec/template/spec");
            JsonNode mount = null;
            for (JsonNode each : pod.path("containers").get(0).path("volumeMounts")) {
                if (each.path("mountPath").asText().equals("/opt/flink/conf")) {
                    mount = each;
                }
            }
            assertThat(mount).as(workload).isNotNull();
            assertThat(mount.path("readOnly").asBoolean()).isTrue();
        }
    }

    @HelmTest
    void shouldRollPodsWhenTheConfigurationChanges(Helm helm) {
        String before = checksum(helm.render(Values.defaults()), "flink-jobmanager");
        String same = checksum(helm.render(Values.defaults()), "flink-jobmanager");
        String after = checksum(helm.render(Values.defaults()
                .withMap("flinkConfiguration", "restart-strategy.type", "fixed-delay")), "flink-jobmanager");
        assertThat(before).isNotEmpty().isEqualTo(same).isNotEqualTo(after);
        Manifests m = helm.render(Values.defaults());
        assertThat(checksum(m, "flink-taskmanager")).isEqualTo(checksum(m, "flink-jobmanager"));
    }

    private static String checksum(Manifests m, String deployment) {
        return m.get("Deployment", deployment).at("/spec/template/metadata/annotations/checksum~1config").asText();
    }
}
