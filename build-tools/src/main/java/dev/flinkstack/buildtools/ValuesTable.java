package dev.flinkstack.buildtools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart README's values table ({@code make docs}), generated from values.yaml the way helm-docs
 * does: a {@code # --} comment documents the key below it (a documented map or list is one row, its default shown as
 * JSON); keys without a comment are rows of their own, described by their parent; {@code ref:}
 * lines become links and {@code e.g.} examples are left to the README's prose.
 */
public final class ValuesTable {

    /** The README lines the table goes between. */
    public static final String START = "<!-- values-table:start -->\n";
    public static final String END = "<!-- values-table:end -->";

    private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z][A-Za-z0-9]*):(.*)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ValuesTable() {}

    /** Usage: {@code ValuesTable CHART_DIR}: rewrites the table in CHART_DIR/README.md from CHART_DIR/values.yaml. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ValuesTable CHART_DIR");
            System.exit(2);
        }
        Path chart = Path.of(args[0]);
        Path readme = chart.resolve("README.md");
        String text = Files.readString(readme);
        String updated = text.replace(START + tableIn(text) + END,
                START + generate(Files.readString(chart.resolve("values.yaml"))) + END);
        Files.writeString(readme, updated);
        System.out.println(updated.equals(text) ? readme + ": values table up to date" : readme + ": values table updated");
    }

    /** The table between the markers of a README. */
    public static String tableIn(String readme) {
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("no " + START.strip() + " ... " + END + " markers");
        }
        return readme.substring(start + START.length(), end);
    }

    /** The table for a values.yaml. */
    public static String generate(String valuesYaml) {
        JsonNode values;
        try {
            values = YAML.readTree(valuesYaml);
        } catch (IOException e) {
            throw new UncheckedIOException("values.yaml is not YAML", e);
        }
        String[] lines = valuesYaml.split("\n", -1);
        List<String> rows = new ArrayList<>();
        rows.add("| Key | Type | Default | Description |");
        rows.add("|-----|------|---------|-------------|");
        Deque<int[]> indents = new ArrayDeque<>();
        Deque<String> keys = new ArrayDeque<>();
        Deque<Integer> documentedBlocks = new ArrayDeque<>();
        String pending = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String stripped = line.strip();
            if (stripped.startsWith("# --")) {
                List<String> description = new ArrayList<>(List.of(stripped.substring(4).strip()));
                int j = i + 1;
                while (j < lines.length && lines[j].strip().startsWith("#")) {
                    String text = lines[j].strip().substring(1).strip();
                    if (text.startsWith("e.g.")) {
                        while (j + 1 < lines.length && lines[j + 1].strip().startsWith("#")) {
                            j++;
                        }
                        j++;
                        break;
                    }
                    description.add(text.startsWith("ref:") ? "Ref: " + text.substring(4).strip() : text);
                    j++;
                }
                pending = String.join(" ", description);
                i = j - 1;
                continue;
            }
            Matcher m = KEY.matcher(line);
            if (!m.matches() || stripped.startsWith("-")) {
                continue;
            }
            int indent = m.group(1).length();
            String key = m.group(2);
            while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                indents.pop();
                keys.removeLast();
            }
            if (!documentedBlocks.isEmpty() && documentedBlocks.peek() < indent) {
                continue;
            }
            while (!documentedBlocks.isEmpty() && documentedBlocks.peek() >= indent) {
                documentedBlocks.pop();
            }
            List<String> path = new ArrayList<>(keys);
            path.add(key);
            JsonNode value = values;
            for (String segment : path) {
                value = value.path(segment);
            }
            String full = String.join(".", path);
            boolean isMap = value.isObject() && !value.isEmpty();
            if (pending != null) {
                rows.add(row(full, value, pending));
                pending = null;
                if (isMap || (value.isArray() && !value.isEmpty())) {
                    documentedBlocks.push(indent);
                    indents.push(new int[] {indent});
                    keys.addLast(key);
                    continue;
                }
            } else if (!isMap) {
                String parent = keys.isEmpty() ? "" : keys.peekLast();
                String description = parent.endsWith("Probe")
                        ? "Probe `" + key + "`."
                        : "See `" + String.join(".", path.subList(0, path.size() - 1)) + "`.";
                rows.add(row(full, value, description));
            }
            if (isMap) {
                indents.push(new int[] {indent});
                keys.addLast(key);
            }
        }
        return String.join("\n", rows) + "\n";
    }

    private static String row(String key, JsonNode value, String description) {
        String json;
        try {
            json = JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (json.length() > 80) {
            json = json.substring(0, 77) + "...";
        }
        return "| `" + key + "` | " + type(value) + " | `" + json.replace("|", "\\|") + "` | "
                + description.replace("|", "\\|") + " |";
    }

    private static String type(JsonNode value) {
        if (value.isNull()) {
            return "null";
        } else if (value.isBoolean()) {
            return "bool";
        } else if (value.isIntegralNumber()) {
            return "int";
        } else if (value.isNumber()) {
            return "float";
        } else if (value.isTextual()) {
            return "string";
        } else if (value.isArray()) {
            return "list";
        }
        return "object";
    }
}
