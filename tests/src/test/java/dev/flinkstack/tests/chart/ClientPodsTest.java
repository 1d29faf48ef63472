package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Client pods: the session jobs' reconciler, the CronJob and the helm test pod. */
class ClientPodsTest {

    private static final Map<String, Object> TRAFFIC = Map.of(
            "name", "traffic", "jarFile", "/opt/flink/usrlib/traffic-analytics.jar",
            "className", "dev.flinkstack.traffic.TrafficAnalyticsJob", "parallelism", 2,
            "args", List.of("--rate", "500", "--output", "file:///flink-data/output/it's"));

    private static String script(JsonNode podSpec) {
        JsonNode args = podSpec.at("/containers/0/args");
        assertThat(args.get(0).asText()).isEqualTo("bash");
        assertThat(args.get(1).asText()).isEqualTo("-c");
        return args.get(2).asText();
    }

    @HelmTest
    void shouldSubmitNoJobsByDefault(Helm helm) {
        Manifests m = helm.render(Values.defaults());
        assertThat(m.ofKind("Job")).isEmpty();
        assertThat(m.ofKind("CronJob")).isEmpty();
        assertThat(Manifests.yaml(ConfigMapTest.configMap(m).at("/data/jobs.json").asText()).path("jobs"))
                .as("the reconciler runs, with nothing to keep").isEmpty();
        assertThat(helm.render(Values.of("mode", "application")).names()).doesNotContain("Deployment/flink-jobs");
    }

    @HelmTest
    void shouldKeepSessionJobsWithAReconciler(Helm helm) {
        Map<String, Object> second = Map.of("name", "second", "jarFile", "/flink-data/jars/b.jar",
                "fromSavepoint", "/flink-data/savepoints/sp-1", "allowNonRestoredState", true);
        Manifests m = helm.render(Values.of("jobs", List.of(TRAFFIC, second)));
        JsonNode reconciler = m.get("Deployment", "flink-jobs");
        assertThat(reconciler.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(reconciler.at("/spec/strategy/type").asText()).as("never two reconcilers").isEqualTo("Recreate");
        JsonNode pod = reconciler.at("/spec/template/spec");
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Always");
        JsonNode c = pod.at("/containers/0");
        assertThat(c.path("image").asText()).isEqualTo("flinkstack/flink-jobmanager:2.3.0");
        assertThat(Manifests.args(c)).containsExactly("control", "reconcile", "--jobs", "/opt/flink/conf/jobs.json",
                "--every", "10s", "--timeout", "4m");
        assertThat(Manifests.env(c, "FLINK_REST_URL").path("value").asText()).isEqualTo("http://flink-jobmanager-rest:8081");
        assertThat(pod.path("volumes").findValuesAsText("claimName")).contains("flink-checkpoints");

        JsonNode jobs = Manifests.yaml(ConfigMapTest.configMap(m).at("/data/jobs.json").asText());
        assertThat(jobs.path("clusterId").asText()).as("job ids derive from it").isEqualTo("flink");
        assertThat(jobs.path("jobs")).hasSize(2);
        assertThat(jobs.at("/jobs/0/args/3").asText()).isEqualTo("file:///flink-data/output/it's");
        assertThat(jobs.at("/jobs/1/fromSavepoint").asText()).isEqualTo("/flink-data/savepoints/sp-1");
        assertThat(ConfigMapTest.config(m).path("flinkstack.lifecycle.dir").asText())
                .as("where the reconciler and the JobManager record each job's lifecycle")
                .isEqualTo("file:///flink-data/lifecycle/flink");
    }

    @HelmTest
    void shouldNotRollTheClusterWhenTheJobsChange(Helm helm) {
        JsonNode before = helm.render(Values.of("jobs", List.of(TRAFFIC))).get("Deployment", "flink-jobmanager");
        JsonNode after = helm.render(Values.of("jobs", List.of(Map.of("name", "other", "jarFile", "/a.jar"))))
                .get("Deployment", "flink-jobmanager");
        assertThat(after.at("/spec/template")).as("the reconciler reads the changed file itself").isEqualTo(before.at("/spec/template"));
    }

    @HelmTest
    void shouldSubmitABoundedJobOnASchedule(Helm helm) {
        JsonNode cron = helm.render(Values.of("cronJob.enabled", true, "cronJob.schedule", "*/5 * * * *",
                "cronJob.timeZone", "Europe/Berlin")).get("CronJob", "flink-scheduled");
        assertThat(cron.at("/spec/schedule").asText()).isEqualTo("*/5 * * * *");
        assertThat(cron.at("/spec/timeZone").asText()).isEqualTo("Europe/Berlin");
        assertThat(cron.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
        String script = script(cron.at("/spec/jobTemplate/spec/template/spec"));
        assertThat(script).contains("'flink' 'run' '-m' 'flink-jobmanager-rest:8081' '-p' '1' "
                        + "'/opt/flink/usrlib/traffic-analytics.jar'")
                .as("attached: the run ends with the job").doesNotContain("'-d'")
                .contains("'--records' '100000'");
        assertThat(script).as("a retried run waits for the Flink job its first pod submitted")
                .contains("control run-once --key \"$FLINK_SCHEDULED_RUN\" --timeout 3600s -- '/opt/flink/bin/entrypoint.sh' 'flink' 'run'");
        JsonNode key = cron.at("/spec/jobTemplate/spec/template/spec/containers/0/env").findParent("fieldRef");
        assertThat(key.at("/fieldRef/fieldPath").asText()).as("the Kubernetes Job's name").isEqualTo("metadata.labels['job-name']");
    }

    @HelmTest
    void shouldCheckTheRestApiInTheHelmTest(Helm helm) {
        JsonNode pod = helm.render(Values.defaults()).get("Pod", "flink-test-rest-api");
        assertThat(pod.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("test");
        assertThat(pod.at("/spec/restartPolicy").asText()).isEqualTo("Never");
        assertThat(Manifests.args(pod.at("/spec/containers/0")))
                .containsExactly("control", "wait", "--timeout", "300s", "--taskmanagers", "1");
    }

    @HelmTest
    void shouldCheckTheJobIsRunningInApplicationMode(Helm helm) {
        JsonNode pod = helm.render(Values.of("mode", "application")).get("Pod", "flink-test-rest-api");
        assertThat(Manifests.args(pod.at("/spec/containers/0")))
                .containsExactly("control", "wait", "--timeout", "300s", "--taskmanagers", "1", "--running-job");
    }

    @HelmTest
    void shouldSkipTheHelmTestWhenDisabled(Helm helm) {
        Manifests m = helm.render(Values.of("tests.enabled", false));
        assertThat(m.ofKind("Pod")).isEmpty();
    }

    @HelmTest
    void shouldUseAConfigurableClientImage(Helm helm) {
        JsonNode pod = helm.render(Values.of("client.image.repository", "tools/flink-cli", "client.image.tag", "1.0",
                "image.registry", "registry.example.com")).get("Pod", "flink-test-rest-api");
        assertThat(pod.at("/spec/containers/0/image").asText()).isEqualTo("registry.example.com/tools/flink-cli:1.0");
    }
}
