package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.buildtools.ImageTar;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How the images are layered: shared lower layers, and a job change that touches one small layer. */
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
    }

    @Test
    void layersGoFromRarelyToOftenChanged() {
        List<ImageTar.Layer> layers = jobManager.layers();

        assertThat(layers.get(0).files()).containsKey("opt/java/bin/java");
        assertThat(layers.get(1).comment()).isEqualTo("dependencies");
        assertThat(layers.get(1).files().keySet()).anyMatch(path -> path.startsWith("opt/flink/libs/flink-runtime-"));
        assertThat(layers.get(layers.size() - 2).files().keySet())
                .as("the chart's conf/ directory, the one copy of the defaults")
                .containsExactlyInAnyOrder("opt/flink/conf/config.yaml", "opt/flink/conf/log4j-console.properties");
        assertThat(layers.get(layers.size() - 1).files()).containsKey("opt/flink/bin/entrypoint.sh");
    }

    @Test
    void theJobJarHasALayerOfItsOwn() throws IOException {
        ImageTar.Layer jobLayer = jobManager.layers().stream()
                .filter(layer -> layer.files().containsKey("opt/flink/usrlib/traffic-analytics.jar"))
                .findFirst()
                .orElseThrow();

        assertThat(jobLayer.files()).hasSize(1);
        assertThat(jobLayer.files().get("opt/flink/usrlib/traffic-analytics.jar"))
                .isEqualTo(Files.size(ExampleJob.jar()));
        assertThat(jobLayer.compressedBytes()).isLessThan(1024 * 1024);
    }

    @Test
    void timestampsAreFixedSoBuildsAreReproducible() {
        assertThat(jobManager.config().path("created").asText()).isEqualTo("1970-01-01T00:00:00Z");
        jobManager.config().path("history")
                .forEach(step -> assertThat(step.path("created").asText()).isEqualTo("1970-01-01T00:00:00Z"));
    }
}
