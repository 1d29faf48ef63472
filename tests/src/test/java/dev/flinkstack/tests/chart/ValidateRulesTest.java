package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.ErrorMessages;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Values;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every cross-field rule of templates/validate.yaml: the render fails and the message names the key. */
class ValidateRulesTest {

    private static final Map<String, Object> JOB = Map.of("name", "a", "jarFile", "/opt/flink/usrlib/a.jar");

    /** A rule: the values that break it and the key its message must name. */
    record Rule(String key, Values values, String why, List<String> extraArgs) {

        Rule(String key, Values values, String why) {
            this(key, values, why, List.of());
        }

        @Override
        public String toString() {
            return key + " (" + why + ")";
        }
    }

    static List<Rule> rules() {
        return List.of(
                new Rule("mode", Values.of("mode", "batch"), "unknown mode, schema skipped",
                        List.of("--skip-schema-validation")),
                new Rule("autoscaling.engine", Values.of("autoscaling.engine", "kubernetes"), "unknown engine, schema skipped",
                        List.of("--skip-schema-validation")),
                new Rule("autoscaling.enabled", Values.of("autoscaling.enabled", true), "HPA in session mode"),
                new Rule("autoscaling.minReplicas", Values.of("mode", "application", "autoscaling.enabled", true,
                        "autoscaling.minReplicas", 5, "autoscaling.maxReplicas", 2), "min above max"),
                new Rule("autoscaling.targetCPUUtilizationPercentage", Values.of("mode", "application",
                        "autoscaling.enabled", true, "autoscaling.targetCPUUtilizationPercentage", null), "no metric"),
                new Rule("taskmanager.resources.requests.cpu", Values.of("mode", "application", "autoscaling.enabled", true,
                        "taskmanager.resources.requests.cpu", null), "CPU target without a CPU request"),
                new Rule("checkpoints.persistence.accessModes", Values.of(
                        "checkpoints.persistence.accessModes", List.of("ReadWriteOnce")), "RWO claim shared by 3 pods"),
                new Rule("checkpoints.persistence.accessModes", Values.of("checkpoints.persistence.singleNode", true,
                        "checkpoints.persistence.accessModes", List.of("ReadWriteOncePod")), "RWOP claim shared even on one node"),
                new Rule("checkpoints.persistence.storageClass", Values.of("checkpoints.persistence.existingClaim", "nfs",
                        "checkpoints.persistence.storageClass", "fast"), "storage class with an existing claim"),
                new Rule("flinkConfiguration.execution.checkpointing.incremental", Values.defaults()
                        .withMap("flinkConfiguration", "state.backend.type", "hashmap"), "incremental hashmap"),
                new Rule("jobmanager.replicas", Values.of("jobmanager.replicas", 2), "standby JobManagers without HA"),
                new Rule("highAvailability.zookeeper.quorum", Values.of("highAvailability.enabled", true,
                        "highAvailability.type", "zookeeper"), "ZooKeeper HA without a quorum"),
                new Rule("highAvailability.storageDir", Values.of("highAvailability.enabled", true,
                        "checkpoints.persistence.enabled", false), "HA metadata on an emptyDir"),
                new Rule("job.state", Values.of("job.state", "suspended"), "suspending a session cluster"),
                new Rule("job.upgradeMode", Values.of("mode", "application", "checkpoints.persistence.enabled", false),
                        "last-state on an emptyDir"),
                new Rule("job.state", Values.of("mode", "application", "checkpoints.persistence.enabled", false,
                        "job.upgradeMode", "stateless", "job.state", "suspended"), "a suspension's savepoint on an emptyDir"),
                new Rule("job.parallelism", Values.of("mode", "application", "job.parallelism", 8), "more parallelism than slots"),
                new Rule("jobs", Values.of("mode", "application", "jobs", List.of(JOB)), "jobs in application mode"),
                new Rule("cronJob.enabled", Values.of("mode", "application", "cronJob.enabled", true), "CronJob in application mode"),
                new Rule("jobs[1].name", Values.of("jobs", List.of(JOB, JOB)), "duplicate job names"),
                new Rule("jobs[0].allowNonRestoredState", Values.of("jobs", List.of(Map.of("name", "a",
                        "jarFile", "/a.jar", "allowNonRestoredState", true))), "allowNonRestoredState without a savepoint"),
                new Rule("flinkConfiguration.rest.port", Values.defaults().withMap("flinkConfiguration", "rest.port", 9000),
                        "a port the Services pin"),
                new Rule("flinkConfiguration.scheduler-mode", Values.defaults().withMap("flinkConfiguration", "scheduler-mode",
                        "reactive"), "reactive mode without the HPA"),
                new Rule("flinkConfiguration.taskmanager.memory.process.size", Values.defaults().withMap("flinkConfiguration",
                        "taskmanager.memory.process.size", "4g"), "memory that must match the container"),
                new Rule("taskmanager.resources.limits.memory", Values.of("taskmanager.resources",
                        Map.of("limits", Map.of("memory", "2Gi"))), "memory outside taskmanager.memory"),
                new Rule("taskmanager.memory", Values.of("taskmanager.memory", "512Mi"), "below Flink's minimum"),
                new Rule("jobmanager.memory", Values.of("jobmanager.memory", "512Mi"), "below Flink's minimum"),
                new Rule("jobmanager.podDisruptionBudget.minAvailable", Values.of("jobmanager.podDisruptionBudget.minAvailable", 1),
                        "minAvailable and maxUnavailable"),
                new Rule("jobmanager.service.ports", Values.of("jobmanager.service.ports.blob", 6123), "two ports on one number"),
                new Rule("taskmanager.service.ports", Values.of("taskmanager.service.ports.data", 9249), "data port on the metrics port"),
                new Rule("jobmanager.restService.nodePort", Values.of("jobmanager.restService.nodePort", 30081),
                        "a node port on a ClusterIP Service"),
                new Rule("monitoring.podMonitor.enabled", Values.of("monitoring.podMonitor.enabled", true), "no CRDs"),
                new Rule("monitoring.serviceMonitor.enabled", Values.of("monitoring.serviceMonitor.enabled", true), "no CRDs"),
                new Rule("monitoring.prometheusRule.enabled", Values.of("monitoring.prometheusRule.enabled", true), "no CRDs"),
                new Rule("monitoring.podMonitor.enabled", Values.of("monitoring.podMonitor.enabled", true, "metrics.enabled", false),
                        "a PodMonitor without the reporter", List.of(Helm.MONITORING_API)));
    }

    static Stream<Arguments> cases() {
        return Helm.binaries().flatMap(helm -> rules().stream().map(rule -> Arguments.of(helm, rule)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void shouldFailNamingTheKey(Helm helm, Rule rule) {
        Helm.Result result = helm.template(rule.values(), rule.extraArgs().toArray(String[]::new));
        ErrorMessages.assertFailsNamingKey(result, rule.key());
        assertThat(result.stderr()).as("reported by validate.yaml").contains("Invalid values for the flink chart");
    }

    @HelmTest
    void shouldReportEveryViolationAtOnce(Helm helm) {
        Helm.Result result = helm.template(Values.of("jobmanager.replicas", 2, "autoscaling.enabled", true)
                .withMap("flinkConfiguration", "state.backend.type", "hashmap"));
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("jobmanager.replicas:", "autoscaling.enabled:",
                "flinkConfiguration.execution.checkpointing.incremental:");
    }

    @HelmTest
    void shouldExplainWhyASharedClaimMustBeReadWriteMany(Helm helm) {
        Helm.Result result = helm.template(Values.of("checkpoints.persistence.accessModes", List.of("ReadWriteOnce")));
        assertThat(result.stderr()).contains("cannot be shared across nodes")
                .contains("must read")
                .contains("ReadWriteMany")
                .contains("checkpoints.persistence.singleNode=true");
    }

    @HelmTest
    void shouldAcceptEveryRuleWhenSatisfied(Helm helm) {
        Helm.Result result = helm.template(Values.of("mode", "application", "autoscaling.enabled", true,
                "highAvailability.enabled", true, "jobmanager.replicas", 2,
                "job.fromSavepoint", "file:///flink-data/savepoints/x", "job.allowNonRestoredState", true));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
    }
}
