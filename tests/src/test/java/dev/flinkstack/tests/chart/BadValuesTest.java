package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.ErrorMessages;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.Values;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Wrong values that values.schema.json rejects (types, enums, patterns, ranges, unknown keys): helm
 * template fails and the error names the key.
 */
class BadValuesTest {

    /** A bad value and the key the error must name. */
    record BadValue(String key, Values values) {

        static BadValue of(String key, Object value) {
            return new BadValue(key, Values.of(key.replaceAll("\\[\\d+]", ""), value));
        }

        /** A Flink key of flinkConfiguration (its name has dots, so it is one map key). */
        static BadValue flink(String flinkKey, Object value) {
            return new BadValue("flinkConfiguration." + flinkKey, Values.defaults().withMap("flinkConfiguration", flinkKey, value));
        }

        @Override
        public String toString() {
            return key;
        }
    }

    static List<BadValue> badValues() {
        return List.of(
                BadValue.of("mode", "batch"),
                BadValue.of("jobmanager.memory", "1G"),
                BadValue.of("taskmanager.memory", 1536),
                BadValue.of("taskmanager.kind", "DaemonSet"),
                BadValue.of("taskmanager.replicas", -1),
                BadValue.of("taskmanager.numberOfTaskSlots", 0),
                BadValue.of("jobmanager.replicas", "two"),
                BadValue.flink("state.backend.type", "filesystem"),
                BadValue.flink("execution.checkpointing.interval", "10 seconds"),
                BadValue.flink("execution.checkpointing.num-retained", 0),
                BadValue.flink("heartbeat.timeout", "soon"),
                BadValue.of("checkpoints.persistence.accessModes", List.of("ReadWriteAll")),
                BadValue.of("checkpoints.persistence.size", "ten"),
                BadValue.of("autoscaling.targetCPUUtilizationPercentage", "70%"),
                BadValue.of("autoscaling.maxReplicas", 0),
                BadValue.of("autoscaling.engine", "kubernetes"),
                BadValue.of("autoscaling.flinkMetrics.busyTimeMsPerSecond", 1500),
                BadValue.of("autoscaling.keda.serverAddress", "prometheus:9090"),
                BadValue.of("highAvailability.type", "etcd"),
                BadValue.of("highAvailability.zookeeper.quorum", "zk-0"),
                BadValue.of("image.digest", "abc123"),
                BadValue.of("image.pullPolicy", "Sometimes"),
                BadValue.of("jobmanager.restService.type", "ExternalName"),
                BadValue.of("jobmanager.service.ports.rest", 70000),
                BadValue.of("metrics.port", "9249"),
                BadValue.of("log4j.format", "xml"),
                BadValue.of("job.fromSavepoint", "/flink-data/savepoints/no-scheme"),
                BadValue.of("jobmanager.extraArgs", List.of("--no-dynamic-property")),
                BadValue.of("taskmanager.podAntiAffinityPreset", "always"),
                BadValue.of("fullnameOverride", "Flink_Prod"),
                BadValue.of("cronJob.schedule", "every hour"),
                BadValue.of("cronJob.concurrencyPolicy", "Sometimes"),
                new BadValue("jobs[0].jarFile", Values.of("jobs", List.of(Map.of("name", "a")))),
                new BadValue("jobs[0].name", Values.of("jobs", List.of(Map.of("name", "My Job", "jarFile", "/a.jar")))),
                new BadValue("jobmanager.replica", Values.of("jobmanager.replica", 2)),
                new BadValue("checkpoint", Values.of("checkpoint.interval", "10s")),
                new BadValue("ingress.hosts[0].paths[0].pathType", Values.of("ingress.hosts", List.of(Map.of("host", "a",
                        "paths", List.of(Map.of("path", "/", "pathType", "Any")))))),
                new BadValue("networkPolicy.metrics.from[0].podSelectr", Values.of("networkPolicy.metrics.from",
                        List.of(Map.of("podSelectr", Map.of())))));
    }

    static Stream<Arguments> cases() {
        return Helm.binaries().flatMap(helm -> badValues().stream().map(bad -> Arguments.of(helm, bad)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void shouldFailNamingTheKey(Helm helm, BadValue bad) {
        ErrorMessages.assertFailsNamingKey(helm.template(bad.values()), bad.key());
    }
}
