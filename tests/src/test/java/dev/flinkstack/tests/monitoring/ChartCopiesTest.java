package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.chart.Helm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * monitoring/ is the one source of the dashboards and alert rules; the chart's copies
 * (charts/flink/dashboards, charts/flink/rules) must equal it byte for byte. On failure run
 * {@code make sync-monitoring}.
 */
class ChartCopiesTest {

    @Test
    void shouldShipByteIdenticalCopiesOfTheDashboards() throws IOException {
        assertSameFiles(MonitoringFiles.dir().resolve("dashboards"), Helm.chartDir().resolve("dashboards"), ".json");
    }

    @Test
    void shouldShipByteIdenticalCopiesOfTheAlertRules() throws IOException {
        assertSameFiles(MonitoringFiles.dir().resolve("alerts"), Helm.chartDir().resolve("rules"), ".yaml");
    }

    private static void assertSameFiles(Path source, Path copy, String suffix) throws IOException {
        List<String> expected = names(MonitoringFiles.list(source, suffix));
        assertThat(Files.isDirectory(copy)).as(copy + " exists (make sync-monitoring)").isTrue();
        assertThat(names(MonitoringFiles.list(copy, suffix))).as("files in " + copy + " (make sync-monitoring)")
                .isEqualTo(expected);
        List<String> drifted = new ArrayList<>();
        for (String name : expected) {
            if (Files.mismatch(source.resolve(name), copy.resolve(name)) != -1) {
                drifted.add(copy.resolve(name) + " differs from " + source.resolve(name));
            }
        }
        assertThat(drifted).as("run make sync-monitoring").isEmpty();
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(f -> f.getFileName().toString()).toList();
    }
}
