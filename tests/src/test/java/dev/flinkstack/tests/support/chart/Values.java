package dev.flinkstack.tests.support.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values for one render: chart values files (relative to the chart, e.g. {@code ci/ha-values.yaml})
 * followed by values set by dotted path, written to a temporary YAML file. Immutable.
 */
public final class Values {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final List<String> files;
    private final Map<String, Object> tree;

    private Values(List<String> files, Map<String, Object> tree) {
        this.files = files;
        this.tree = tree;
    }

    /** The chart's defaults. */
    public static Values defaults() {
        return new Values(List.of(), Map.of());
    }

    /** A chart values file, e.g. {@code ci/session-values.yaml}. */
    public static Values file(String chartRelativePath) {
        return defaults().andFile(chartRelativePath);
    }

    /** Pairs of dotted path and value, e.g. {@code of("mode", "application", "job.parallelism", 4)}. */
    public static Values of(Object... pathsAndValues) {
        return defaults().with(pathsAndValues);
    }

    public Values andFile(String chartRelativePath) {
        List<String> newFiles = new ArrayList<>(files);
        newFiles.add(chartRelativePath);
        return new Values(List.copyOf(newFiles), tree);
    }

    /** Sets pairs of dotted path and value (a path segment cannot contain dots; use {@link #withMap}). */
    public Values with(Object... pathsAndValues) {
        if (pathsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("pairs of path and value expected");
        }
        Map<String, Object> copy = deepCopy(tree);
        for (int i = 0; i < pathsAndValues.length; i += 2) {
            put(copy, List.of(((String) pathsAndValues[i]).split("\\.")), pathsAndValues[i + 1]);
        }
        return new Values(files, copy);
    }

    /** Sets {@code key} (which may contain dots) in the map at the dotted {@code parentPath}. */
    public Values withMap(String parentPath, String key, Object value) {
        Map<String, Object> copy = deepCopy(tree);
        List<String> path = new ArrayList<>(List.of(parentPath.split("\\.")));
        path.add(key);
        put(copy, path, value);
        return new Values(files, copy);
    }

    /** The helm arguments: {@code -f} for each file, then the generated file. */
    public List<String> arguments() {
        List<String> args = new ArrayList<>();
        Path chart = Helm.chartDir();
        for (String file : files) {
            args.add("-f");
            args.add(chart.resolve(file).toString());
        }
        if (!tree.isEmpty()) {
            try {
                Path generated = Files.createTempFile("values", ".yaml");
                generated.toFile().deleteOnExit();
                YAML.writeValue(generated.toFile(), tree);
                args.add("-f");
                args.add(generated.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return args;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, List<String> path, Object value) {
        Map<String, Object> node = root;
        for (String segment : path.subList(0, path.size() - 1)) {
            node = (Map<String, Object>) node.computeIfAbsent(segment, k -> new LinkedHashMap<String, Object>());
        }
        node.put(path.get(path.size() - 1), value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> source) {
        Map<String, Object> copy = new LinkedHashMap<>();
        source.forEach((key, value) -> copy.put(key,
                value instanceof Map<?, ?> map ? deepCopy((Map<String, Object>) map) : value));
        return copy;
    }

    @Override
    public String toString() {
        String set = tree.isEmpty() ? "" : tree.toString();
        return files.isEmpty() && set.isEmpty() ? "defaults" : String.join(" ", files) + " " + set;
    }
}
