package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the chart renders for an application's lifecycle (job.upgradeMode, job.state, the nonces):
 * a fixed job id, a definition hash that changes exactly when the pods would, the lifecycle
 * configuration the images act on, the savepoint hook, suspension, and upgrades that replace pods
 * only when Flink must restart. LifecycleIT runs all of it.
 */
class JobLifecycleTest {

    private static final Values APPLICATION = Values.of("mode", "application", "job.args", List.of("--rate", "10"));

    private static List<String> jobManagerArgs(Manifests m) {
        return Manifests.args(Manifests.container(
                m.get("Deployment", "flink-jobmanager").at("/spec/template/spec"), "jobmanager"));
    }

    private static String jobId(Manifests m) {
        List<String> args = jobManagerArgs(m);
        return args.get(args.indexOf("--job-id") + 1);
    }

    private static String definition(Manifests m) {
        return jobManagerArgs(m).stream().filter(arg -> arg.startsWith("-Dflinkstack.definition="))
                .map(arg -> arg.substring(arg.indexOf('=') + 1)).findFirst().orElseThrow();
    }

    private static JsonNode podTemplate(Manifests m, String kind, String name) {
        return m.get(kind, name).at("/spec/template");
    }

    @HelmTest
    void shouldKeepOneJobIdAcrossUpgradesUnlessStateless(Helm helm) {
        Manifests first = helm.render(APPLICATION);
        Manifests changed = helm.render(APPLICATION.with("job.args", List.of("--rate", "20")).with("image.tag", "2.3.1"));
        assertThat(jobId(first)).matches("[0-9a-f]{32}").isEqualTo(jobId(changed));
        assertThat(jobId(helm.render(APPLICATION.with("highAvailability.clusterId", "other"))))
                .as("another cluster, another job").isNotEqualTo(jobId(first));

        Values stateless = APPLICATION.with("job.upgradeMode", "stateless");
        assertThat(jobId(helm.render(stateless.with("job.args", List.of("--rate", "20")))))
                .as("stateless: a new definition is a new job").isNotEqualTo(jobId(helm.render(stateless)));
        assertThat(jobId(helm.render(stateless))).isEqualTo(jobId(helm.render(stateless)));
    }

    @HelmTest
    void shouldChangeTheDefinitionExactlyWhenFlinkPodsWouldBeReplaced(Helm helm) {
        Manifests base = helm.render(APPLICATION);
        for (Values change : List.of(APPLICATION.with("job.args", List.of("--rate", "20")),
                APPLICATION.with("image.tag", "2.3.1"), APPLICATION.with("taskmanager.memory", "2Gi"),
                APPLICATION.withMap("flinkConfiguration", "execution.checkpointing.interval", "30s"),
                APPLICATION.with("job.restartNonce", "1"))) {
            assertThat(definition(helm.render(change))).as(change.toString()).isNotEqualTo(definition(base));
        }
        for (Values same : List.of(APPLICATION.with("taskmanager.replicas", 3), APPLICATION.with("log4j.rootLevel", "DEBUG"),
                APPLICATION.with("job.state", "suspended"), APPLICATION.with("job.savepointTimeout", "2m"))) {
            Manifests m = helm.render(same);
            assertThat(definition(m)).as(same.toString()).isEqualTo(definition(base));
            assertThat(podTemplate(m, "Deployment", "flink-jobmanager")).as(same + ": JobManager pod template")
                    .isEqualTo(podTemplate(base, "Deployment", "flink-jobmanager"));
            assertThat(podTemplate(m, "Deployment", "flink-taskmanager")).as(same + ": TaskManager pod template")
                    .isEqualTo(podTemplate(base, "Deployment", "flink-taskmanager"));
        }
    }

    @HelmTest
    void shouldKeepTheChartVersionOutOfPodTemplates(Helm helm) {
        Manifests m = helm.render(APPLICATION);
        for (String kind : List.of("Deployment")) {
            for (JsonNode workload : m.ofKind(kind)) {
                JsonNode labels = workload.at("/spec/template/metadata/labels");
                assertThat(labels.has("helm.sh/chart")).as("a chart bump must not replace pods").isFalse();
                assertThat(labels.has("app.kubernetes.io/version")).isFalse();
                assertThat(workload.at("/metadata/labels").has("helm.sh/chart")).isTrue();
            }
        }
    }

    @HelmTest
    void shouldConfigureTheLifecycleOfAnApplication(Helm helm) {
        JsonNode config = ConfigMapTest.config(helm.render(APPLICATION.with("job.fromSavepoint", "file:///flink-data/sp-1")
                .with("job.savepointRedeployNonce", 2).with("job.restartNonce", "again")));
        assertThat(config.path("flinkstack.lifecycle.dir").asText()).isEqualTo("file:///flink-data/lifecycle/flink");
        assertThat(config.path("execution.job-status-changed-listeners").asText())
                .isEqualTo("dev.flinkstack.lifecycle.JobStatusRecorder$Factory");
        assertThat(config.path("execution.shutdown-on-application-finish").asBoolean(true))
                .as("the JobManager stays up after the job ended, so its Deployment does not run it again").isFalse();
        assertThat(config.path("flinkstack.initial-savepoint").asText()).isEqualTo("file:///flink-data/sp-1");
        assertThat(config.path("flinkstack.initial-savepoint-nonce").asText()).isEqualTo("2");
        assertThat(config.path("flinkstack.restart-nonce").asText()).isEqualTo("again");
        assertThat(config.path("execution.checkpointing.externalized-checkpoint-retention").asText())
                .isEqualTo("RETAIN_ON_CANCELLATION");

        JsonNode session = ConfigMapTest.config(helm.render(Values.defaults()));
        assertThat(session.path("execution.job-status-changed-listeners").asText()).as("the session jobs' lifecycle too")
                .isEqualTo("dev.flinkstack.lifecycle.JobStatusRecorder$Factory");
        assertThat(session.has("execution.shutdown-on-application-finish")).isFalse();
    }

    @HelmTest
    void shouldRenderNoHookForLastStateUpgrades(Helm helm) {
        assertThat(helm.render(APPLICATION).find("Job", "flink-savepoint")).isEmpty();
        assertThat(helm.render(Values.of("job.upgradeMode", "savepoint")).find("Job", "flink-savepoint"))
                .as("session mode").isEmpty();
    }

    @HelmTest
    void shouldStopTheJobWithASavepointBeforeUpgradesRollbacksAndUninstallInSavepointMode(Helm helm) {
        Manifests m = helm.render(APPLICATION.with("job.upgradeMode", "savepoint").with("job.savepointTimeout", "3m"));
        JsonNode hook = m.get("Job", "flink-savepoint");
        assertThat(hook.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("pre-upgrade,pre-rollback");
        assertThat(hook.at("/metadata/annotations/helm.sh~1hook-delete-policy").asText())
                .isEqualTo("before-hook-creation,hook-succeeded");
        assertThat(hook.at("/spec/backoffLimit").asInt()).isZero();
        assertThat(hook.at("/spec/activeDeadlineSeconds").asInt()).isEqualTo(240);
        JsonNode spec = hook.at("/spec/template/spec");
        assertThat(spec.path("automountServiceAccountToken").asBoolean(true)).as("no Kubernetes API needed").isFalse();
        JsonNode c = Manifests.container(spec, "savepoint");
        assertThat(Manifests.args(c)).containsExactly("control", "savepoint", "--job-id", jobId(m), "--timeout", "3m",
                "--unless-definition", definition(m));
        assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).contains("/opt/flink/conf", "/flink-data");

        JsonNode uninstall = m.get("Job", "flink-savepoint-uninstall");
        assertThat(uninstall.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("pre-delete");
        assertThat(Manifests.args(Manifests.container(uninstall.at("/spec/template/spec"), "savepoint")))
                .as("an uninstall always takes the savepoint")
                .containsExactly("control", "savepoint", "--job-id", jobId(m), "--timeout", "3m");
    }

    @HelmTest
    void shouldSuspendByScalingToZeroAfterASavepoint(Helm helm) {
        Manifests m = helm.render(APPLICATION.with("job.state", "suspended").with("autoscaling.enabled", true));
        assertThat(m.get("Deployment", "flink-jobmanager").at("/spec/replicas").asInt()).isZero();
        assertThat(m.get("Deployment", "flink-taskmanager").at("/spec/replicas").asInt()).isZero();
        assertThat(m.ofKind("HorizontalPodAutoscaler")).as("no autoscaling while suspended").isEmpty();
        JsonNode hook = m.get("Job", "flink-savepoint");
        assertThat(hook.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("pre-upgrade,pre-rollback");
        assertThat(Manifests.args(Manifests.container(hook.at("/spec/template/spec"), "savepoint"))).endsWith("--suspend");
        assertThat(m.find("Job", "flink-savepoint-uninstall")).as("nothing runs to save").isEmpty();

        Manifests statefulSet = helm.render(APPLICATION.with("job.state", "suspended").with("taskmanager.kind", "StatefulSet"));
        assertThat(statefulSet.get("StatefulSet", "flink-taskmanager").at("/spec/replicas").asInt()).isZero();
    }

    @HelmTest
    void shouldReplaceAllTaskManagersAtOnce(Helm helm) {
        assertThat(helm.render(APPLICATION).get("Deployment", "flink-taskmanager").at("/spec/strategy/type").asText())
                .isEqualTo("Recreate");
        JsonNode sts = helm.render(APPLICATION.with("taskmanager.kind", "StatefulSet")).get("StatefulSet", "flink-taskmanager");
        assertThat(sts.at("/spec/updateStrategy/rollingUpdate/maxUnavailable").asText()).isEqualTo("100%");
    }

    @HelmTest
    void shouldKeepTheClaimOnUninstallByDefault(Helm helm) {
        assertThat(helm.render(Values.defaults()).get("PersistentVolumeClaim", "flink-checkpoints")
                .at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
        assertThat(helm.render(Values.of("checkpoints.persistence.keepOnUninstall", false))
                .get("PersistentVolumeClaim", "flink-checkpoints").at("/metadata/annotations").has("helm.sh/resource-policy"))
                .isFalse();
    }
}
