package dev.flinkstack.tests.support.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

/** The example values files in the chart's ci/ folder. */
public final class ExampleValues {

    /** Helm 3's lint has no --api-versions, so these render only with the Prometheus Operator (or KEDA) API. */
    public static final List<String> NEED_EXTRA_APIS = List.of("ci/monitoring-values.yaml", "ci/full-values.yaml",
            "ci/autoscaling-flink-metrics-values.yaml", "ci/autoscaling-keda-values.yaml");

    private ExampleValues() {}

    /** Chart-relative paths of ci/*-values.yaml, sorted. */
    public static List<String> files() {
        try (Stream<Path> files = Files.list(Helm.chartDir().resolve("ci"))) {
            List<String> names = files.map(p -> "ci/" + p.getFileName())
                    .filter(name -> name.endsWith("-values.yaml"))
                    .sorted()
                    .toList();
            if (names.isEmpty()) {
                throw new IllegalStateException("no ci/*-values.yaml in " + Helm.chartDir());
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every (helm binary, values file) pair. */
    public static Stream<Arguments> withHelm() {
        return Helm.binaries().flatMap(helm -> files().stream().map(file -> Arguments.of(helm, file)));
    }
}
