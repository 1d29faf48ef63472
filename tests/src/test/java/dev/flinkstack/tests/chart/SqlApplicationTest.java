package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A SQL application (job.sql): the JobManager runs Flink's SQL driver on a script inline in values, in a
 * ConfigMap of the user's or in the image, with the job's identity and lifecycle as a jar job has them.
 * ChartLifecycleIT runs such a release.
 */
class SqlApplicationTest {

    private static final String SCRIPT = "SET 'pipeline.name' = 'copy';\nINSERT INTO sink SELECT * FROM source;\n";

    private static final Values INLINE = Values.of("mode", "application", "job.sql.script", SCRIPT);

    private static JsonNode jobManagerPod(Manifests m) {
        return m.get("Deployment", "flink-jobmanager").at("/spec/template");
    }

    private static List<String> jobManagerArgs(Manifests m) {
        return Manifests.args(Manifests.container(jobManagerPod(m).at("/spec"), "jobmanager"));
    }

    /** The arguments after the job id and definition hash, which change with every script. */
    private static List<String> jobArgs(Manifests m) {
        List<String> args = jobManagerArgs(m);
        return args.subList(args.indexOf("--job-id") + 3, args.size());
    }

    @HelmTest
    void shouldRunAnInlineScriptFromTheConfigMap(Helm helm) {
        Manifests m = helm.render(INLINE.with("job.args", List.of("--extra", "1")));
        assertThat(m.get("ConfigMap", "flink-config").at("/data/job.sql").asText()).isEqualTo(SCRIPT);
        assertThat(jobManagerArgs(m).get(0)).isEqualTo("standalone-job");
        assertThat(jobArgs(m)).containsExactly("--job-classname", ExampleJob.SQL_DRIVER,
                "--scriptUri", "file:///opt/flink/conf/job.sql", "--extra", "1");
    }

    @HelmTest
    void shouldMakeAChangedScriptANewDefinitionOfTheSameJob(Helm helm) {
        Manifests first = helm.render(INLINE);
        Manifests changed = helm.render(INLINE.with("job.sql.script", SCRIPT.replace("copy", "copy-v2")));
        assertThat(jobManagerPod(changed).at("/metadata/annotations/checksum~1job-sql").asText())
                .as("the JobManager reads the script at start only, so a new one replaces it")
                .isNotEqualTo(jobManagerPod(first).at("/metadata/annotations/checksum~1job-sql").asText())
                .isNotEmpty();
        List<String> firstArgs = jobManagerArgs(first);
        List<String> changedArgs = jobManagerArgs(changed);
        assertThat(changedArgs.get(changedArgs.indexOf("--job-id") + 1)).as("last-state: the same job, its state kept")
                .isEqualTo(firstArgs.get(firstArgs.indexOf("--job-id") + 1));
        assertThat(changedArgs.get(changedArgs.indexOf("--job-id") + 2)).as("the definition hash")
                .isNotEqualTo(firstArgs.get(firstArgs.indexOf("--job-id") + 2));
        assertThat(changed.get("Deployment", "flink-taskmanager").at("/spec/template"))
                .as("TaskManagers never read the script").isEqualTo(first.get("Deployment", "flink-taskmanager").at("/spec/template"));
    }

    @HelmTest
    void shouldMountAScriptFromTheUsersConfigMapInTheJobManagerOnly(Helm helm) {
        Manifests m = helm.render(Values.of("mode", "application", "job.sql.configMap.name", "orders-sql",
                "job.sql.configMap.key", "orders.sql"));
        JsonNode volume = Manifests.yaml("""
                name: job-sql
                configMap:
                  name: orders-sql
                  items:
                    - key: orders.sql
                      path: job.sql
                """);
        assertThat(jobManagerPod(m).at("/spec/volumes")).contains(volume);
        JsonNode container = Manifests.container(jobManagerPod(m).at("/spec"), "jobmanager");
        assertThat(container.at("/volumeMounts")).contains(Manifests.yaml("""
                name: job-sql
                mountPath: /opt/flink/sql
                readOnly: true
                """));
        assertThat(jobArgs(m)).containsExactly("--job-classname", ExampleJob.SQL_DRIVER,
                "--scriptUri", "file:///opt/flink/sql/job.sql");
        assertThat(m.get("ConfigMap", "flink-config").at("/data").has("job.sql")).isFalse();
        assertThat(m.get("Deployment", "flink-taskmanager").at("/spec/template/spec/volumes").toString())
                .doesNotContain("job-sql");
    }

    @HelmTest
    void shouldRunAScriptInTheImage(Helm helm) {
        Manifests m = helm.render(Values.of("mode", "application", "job.sql.path", ExampleJob.SQL_IN_IMAGE,
                "job.allowNonRestoredState", true));
        assertThat(jobArgs(m)).containsExactly("--job-classname", ExampleJob.SQL_DRIVER, "--allowNonRestoredState",
                "--scriptUri", "file://" + ExampleJob.SQL_IN_IMAGE);
        assertThat(jobManagerPod(m).at("/metadata/annotations").has("checksum/job-sql")).isFalse();
    }
}
