package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.Processes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code helm template} of charts/flink with one helm binary of {@code helm.binaries} (both Helm 3 and
 * Helm 4 in {@code make test}), release "flink" in namespace "flink".
 */
final class ChartRenderer {

    static final String API = "--api-versions=monitoring.coreos.com/v1";

    private final Path helm;

    private ChartRenderer(Path helm) {
        this.helm = helm;
    }

    /** One renderer per binary of {@code helm.binaries}; the property is required. */
    static Stream<ChartRenderer> binaries() {
        String property = System.getProperty("helm.binaries", "").strip();
        if (property.isEmpty()) {
            throw new IllegalStateException("System property helm.binaries is empty: make test passes the helm "
                    + "binaries, e.g. -Dhelm.binaries=$PWD/.tools/helm-3.18.0/helm,$PWD/.tools/helm-4.1.4/helm");
        }
        return Arrays.stream(property.split(",")).map(String::strip).filter(p -> !p.isEmpty())
                .map(p -> new ChartRenderer(Path.of(p)));
    }

    static Path chartDir() {
        return Path.of(System.getProperty("chart.dir", "../charts/flink")).toAbsolutePath().normalize();
    }

    /** {@code helm template} with extra arguments ({@code --set}, {@code --set-json}, {@link #API}). */
    Processes.Result template(String... args) {
        List<String> command = new ArrayList<>(List.of(helm.toString(), "template", "flink", chartDir().toString(),
                "--namespace", "flink"));
        command.addAll(List.of(args));
        return Processes.run(Duration.ofMinutes(2), command);
    }

    /** Renders and parses every object; fails with helm's output if rendering fails. */
    Rendered render(String... args) {
        Processes.Result result = template(args);
        if (!result.succeeded()) {
            throw new AssertionError(result.describe());
        }
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = MonitoringFiles.YAML.readerFor(JsonNode.class).readValues(result.stdout())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.isObject() && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Rendered(List.copyOf(objects));
    }

    /** The binary's file name and directory, e.g. "helm-3.18.0/helm". */
    @Override
    public String toString() {
        return helm.getParent() == null ? helm.toString() : helm.getParent().getFileName() + "/" + helm.getFileName();
    }

    /** The objects of one render. */
    record Rendered(List<JsonNode> objects) {

        List<JsonNode> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        }

        Optional<JsonNode> find(String kind, String name) {
            return ofKind(kind).stream().filter(o -> name.equals(o.at("/metadata/name").asText())).findFirst();
        }

        JsonNode get(String kind, String name) {
            return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in "
                    + objects.stream().map(o -> o.path("kind").asText() + "/" + o.at("/metadata/name").asText()).toList()));
        }
    }

    /** Writes a file for promtool. */
    static Path write(Path file, String content) {
        try {
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
