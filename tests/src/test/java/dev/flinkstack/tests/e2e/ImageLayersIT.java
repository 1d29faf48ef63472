package dev.flinkstack.tests.e2e;

import dev.flinkstack.buildtools.ImageTar;
import dev.flinkstack.tests.support.ExampleJob;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** What the images hold and how they are layered: flink-dist's layout, shared layers, small job layer. */
class ImageLayersIT {

    private final ImageTar jobManager = ImageTar.read(ImageTar.builtBy("flink-jobmanager"));
    private final ImageTar taskManager = ImageTar.read(ImageTar.builtBy("flink-taskmanager"));

    @Test
    void bothImagesShareEveryLayer() {
        List<String> jobManagerLayers = jobManager.layers().stream().map(ImageTar.Layer::blob).toList();
        List<String> taskManagerLayers = taskManager.layers().stream().map(ImageTar.Layer::blob).toList();

        assertThat(jobManagerLayers).isEqualTo(taskManagerLayers);
        assertThat(jobManager.config().path("config").path("Cmd").get(0).asText()).isEqualTo("jobmanager");
        assertThat(taskManager.config().path("config").path("Cmd").get(0).asText()).isEqualTo("taskmanager");
        assertThat(jobManager.config().path("config").path("Entrypoint").get(0).asText()).isEqualTo("/docker-entrypoint.sh");
    }

    @Test
    void theImagesHoldFlinkDistsLayout() {
        Set<String> files = new TreeSet<>();
        jobManager.layers().forEach(layer -> files.addAll(layer.files().keySet()));

        assertThat(files).as("lib/: the runtime, Table API/SQL, CEP, files, CSV, JSON, log4j").contains(
                "opt/flink/lib/flink-runtime-2.3.0.jar", "opt/flink/lib/flink-table-api-java-uber-2.3.0.jar",
                "opt/flink/lib/flink-table-runtime-2.3.0.jar", "opt/flink/lib/flink-table-planner-loader-2.3.0.jar",
                "opt/flink/lib/flink-cep-2.3.0.jar", "opt/flink/lib/flink-connector-files-2.3.0.jar",
                "opt/flink/lib/flink-csv-2.3.0.jar", "opt/flink/lib/flink-json-2.3.0.jar",
                "opt/flink/lib/log4j-slf4j-impl-2.25.3.jar");
        assertThat(files).as("opt/: SQL client and gateway, state processor API, S3 file systems").contains(
                "opt/flink/opt/flink-sql-client-2.3.0.jar", "opt/flink/opt/flink-sql-gateway-2.3.0.jar",
                "opt/flink/opt/flink-state-processor-api-2.3.0.jar", "opt/flink/opt/flink-s3-fs-hadoop-2.3.0.jar",
                "opt/flink/opt/flink-s3-fs-native-2.3.0.jar");
        for (String reporter : List.of("prometheus", "jmx", "otel", "datadog", "graphite", "influx", "slf4j", "statsd")) {
            assertThat(files).as("plugins/: the %s reporter", reporter)
                    .anyMatch(path -> path.startsWith("opt/flink/plugins/metrics-" + reporter + "/flink-metrics-"));
        }
        assertThat(files).as("bin/: flink-dist's scripts").contains("docker-entrypoint.sh", "opt/flink/bin/flink",
                "opt/flink/bin/jobmanager.sh", "opt/flink/bin/taskmanager.sh", "opt/flink/bin/standalone-job.sh",
                "opt/flink/bin/historyserver.sh", "opt/flink/bin/sql-client.sh", "opt/flink/bin/sql-gateway.sh",
                "opt/flink/bin/kubernetes-jobmanager.sh", "opt/flink/bin/kubernetes-taskmanager.sh");
        assertThat(files).contains("opt/flink/conf/config.yaml", "opt/flink/conf/log4j-console.properties");
        assertThat(files).noneMatch(path -> path.startsWith("opt/flink/libs/"));
    }

    @Test
    void theBigPartsHaveLayersOfTheirOwn() {
        List<ImageTar.Layer> layers = jobManager.layers();
        assertThat(layers.get(0).files()).containsKey("opt/java/bin/java");
        for (String jar : List.of("opt/flink/opt/flink-s3-fs-hadoop-2.3.0.jar", "opt/flink/opt/flink-s3-fs-native-2.3.0.jar")) {
            assertThat(layers).as(jar).anyMatch(layer -> layer.files().keySet().equals(Set.of(jar)));
        }
        assertThat(layers).as("lib/ in one layer").anyMatch(layer -> !layer.files().isEmpty()
                && layer.files().keySet().stream().allMatch(path -> path.startsWith("opt/flink/lib/")));
    }

    @Test
    void theExampleJobHasALayerOfItsOwnAboveItsDependencies() throws IOException {
        List<ImageTar.Layer> layers = jobManager.layers();
        ImageTar.Layer jobLayer = layers.get(layers.size() - 1);
        ImageTar.Layer dependencyLayer = layers.get(layers.size() - 2);

        assertThat(jobLayer.files()).as("the job's classes and its SQL version")
                .containsOnlyKeys("opt/flink/usrlib/traffic-analytics.jar", "opt/flink/usrlib/traffic-analytics.sql");
        assertThat(jobLayer.files().get("opt/flink/usrlib/traffic-analytics.sql"))
                .isEqualTo(Files.size(ExampleJob.sqlScript()));
        assertThat(jobLayer.files().get("opt/flink/usrlib/traffic-analytics.jar"))
                .isEqualTo(Files.size(ExampleJob.jar().resolveSibling("traffic-analytics-classes.jar")));
        assertThat(jobLayer.compressedBytes()).isLessThan(100 * 1024);
        assertThat(dependencyLayer.files()).as("the Kafka connector and clients")
                .containsOnlyKeys("opt/flink/usrlib/traffic-analytics-dependencies.jar");
    }

    @Test
    void timestampsAreFixedSoBuildsAreReproducible() {
        assertThat(jobManager.config().path("created").asText()).isEqualTo("1970-01-01T00:00:00Z");
        jobManager.config().path("history")
                .forEach(step -> assertThat(step.path("created").asText()).isEqualTo("1970-01-01T00:00:00Z"));
    }
}
