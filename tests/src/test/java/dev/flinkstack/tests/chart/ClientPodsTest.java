package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Client pods: the job submission hook Job, the CronJob and the helm test pod. */
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
    }

    @HelmTest
    void shouldSubmitJobsFromAPostInstallHook(Helm helm) {
        Manifests m = helm.render(Values.of("jobs", List.of(TRAFFIC, Map.of("name", "second", "jarFile", "/flink-data/jars/b.jar"))));
        JsonNode job = m.get("Job", "flink-submit");
        assertThat(job.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("post-install");
        assertThat(job.at("/metadata/annotations/helm.sh~1hook-delete-policy").asText()).isEqualTo("before-hook-creation,hook-succeeded");
        JsonNode pod = job.at("/spec/template/spec");
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
        JsonNode c = pod.at("/containers/0");
        assertThat(c.path("image").asText()).isEqualTo("flinkstack/flink-jobmanager:2.3.0");
        assertThat(Manifests.env(c, "FLINK_REST_URL").path("value").asText()).isEqualTo("http://flink-jobmanager-rest:8081");
        String script = script(pod);
        assertThat(script).startsWith("set -euo pipefail\n/opt/flink/bin/entrypoint.sh control wait --timeout 300s\n")
                .contains("'/opt/flink/bin/entrypoint.sh' 'flink' 'run' '-m' 'flink-jobmanager-rest:8081' '-d' "
                        + "'-c' 'dev.flinkstack.traffic.TrafficAnalyticsJob' '-p' '2' "
                        + "'/opt/flink/usrlib/traffic-analytics.jar' '--rate' '500' '--output' 'file:///flink-data/output/it'\\''s'")
                .contains("'flink' 'run' '-m' 'flink-jobmanager-rest:8081' '-d' '/flink-data/jars/b.jar'");
        assertThat(script.indexOf("traffic-analytics.jar")).isLessThan(script.indexOf("b.jar"));
        assertThat(pod.path("volumes").findValuesAsText("claimName")).contains("flink-checkpoints");
    }

    @HelmTest
    void shouldSubmitFromASavepoint(Helm helm) {
        Map<String, Object> restored = Map.of("name", "restored", "jarFile", "/opt/flink/usrlib/traffic-analytics.jar",
                "fromSavepoint", "file:///flink-data/savepoints/sp-1", "allowNonRestoredState", true);
        String script = script(helm.render(Values.of("jobs", List.of(restored), "jobSubmission.hooks", "post-install,post-upgrade"))
                .get("Job", "flink-submit").at("/spec/template/spec"));
        assertThat(script).contains("'-s' 'file:///flink-data/savepoints/sp-1' '-n'");
    }

    @HelmTest
    void shouldSubmitAgainOnUpgradeWhenAsked(Helm helm) {
        JsonNode job = helm.render(Values.of("jobs", List.of(TRAFFIC), "jobSubmission.hooks", "post-install,post-upgrade"))
                .get("Job", "flink-submit");
        assertThat(job.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("post-install,post-upgrade");
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
