package dev.flinkstack.tests.chart;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** values.schema.json covers every value, and the README documents every value. */
class ValuesDocumentationTest {

    /** Paths of values.yaml down to leaves, empty maps/lists and maps of free-form keys. */
    static List<String> valuePaths() throws IOException {
        JsonNode values = Manifests.yaml(Files.readString(Helm.chartDir().resolve("values.yaml")));
        List<String> paths = new ArrayList<>();
        collect(values, "", paths);
        return paths;
    }

    private static void collect(JsonNode node, String path, List<String> out) {
        if (node.isObject() && !node.isEmpty() && !isFreeForm(path)) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                collect(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), out);
            }
        } else {
            out.add(path);
        }
    }

    /** Maps passed through to Kubernetes or Flink as a whole. */
    private static boolean isFreeForm(String path) {
        return path.endsWith("resources") || path.endsWith("SecurityContext") || path.endsWith("behavior")
                || path.endsWith("annotations") || path.endsWith("Labels") || path.endsWith("labels")
                || path.equals("cronJob.job") || path.endsWith("ports");
    }

    private static JsonNode schemaNode(JsonNode schema, JsonNode node, String segment) {
        JsonNode resolved = resolve(schema, node);
        JsonNode child = resolved.at("/properties/" + segment);
        return child.isMissingNode() ? null : resolve(schema, child);
    }

    private static JsonNode resolve(JsonNode schema, JsonNode node) {
        String ref = node.path("$ref").asText("");
        return ref.isEmpty() ? node : schema.at(ref.substring(1));
    }

    @HelmTest
    void shouldDescribeEveryValueInTheSchema(Helm helm) throws IOException {
        JsonNode schema = Manifests.yaml(Files.readString(Helm.chartDir().resolve("values.schema.json")));
        List<String> missing = new ArrayList<>();
        for (String path : valuePaths()) {
            JsonNode node = schema;
            for (String segment : path.split("\\.")) {
                node = node == null ? null : schemaNode(schema, node, segment);
            }
            if (node == null) {
                missing.add(path);
            }
        }
        assertThat(missing).as("values without a schema").isEmpty();
        assertThat(schema.path("additionalProperties").asBoolean(true)).as("unknown top-level keys rejected").isFalse();
    }

    @HelmTest
    void shouldDocumentEveryValueInTheReadme(Helm helm) throws IOException {
        Path readme = Helm.chartDir().resolve("README.md");
        assertThat(readme).exists();
        String text = Files.readString(readme);
        List<String> missing = new ArrayList<>();
        for (String path : valuePaths()) {
            String topOfFreeForm = path;
            if (!text.contains("`" + topOfFreeForm + "`")) {
                missing.add(path);
            }
        }
        assertThat(missing).as("values missing from README.md (as `key`)").isEmpty();
    }

    @HelmTest
    void shouldCommentEveryValueInValuesYaml(Helm helm) throws IOException {
        List<String> lines = Files.readAllLines(Helm.chartDir().resolve("values.yaml"));
        List<String> undocumented = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.matches("^\\s*[A-Za-z][A-Za-z0-9]*:.*") || line.trim().startsWith("#")) {
                continue;
            }
            boolean isMapHeader = line.trim().endsWith(":");
            boolean documented = i > 0 && lines.get(i - 1).trim().startsWith("#");
            // Grouped keys (a probe's timings) share the comment of the first key of their group.
            boolean grouped = i > 0 && lines.get(i - 1).matches("^\\s*[A-Za-z][A-Za-z0-9]*:.*")
                    && indent(lines.get(i - 1)) == indent(line) && !lines.get(i - 1).trim().endsWith(":");
            if (!isMapHeader && !documented && !grouped && !insideFreeFormBlock(lines, i)) {
                undocumented.add((i + 1) + ": " + line.trim());
            }
        }
        assertThat(undocumented).as("keys of values.yaml without a comment").isEmpty();
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }

    /** True if an ancestor line of line i is a documented key whose value is a block (e.g. resources). */
    private static boolean insideFreeFormBlock(List<String> lines, int i) {
        int indent = indent(lines.get(i));
        for (int j = i - 1; j >= 0; j--) {
            String candidate = lines.get(j);
            if (candidate.isBlank() || candidate.trim().startsWith("#") || candidate.trim().startsWith("-")) {
                continue;
            }
            if (indent(candidate) < indent) {
                String key = candidate.trim().replaceFirst(":.*", "");
                if (j > 0 && lines.get(j - 1).trim().startsWith("# --") && candidate.trim().endsWith(":")) {
                    return true;
                }
                indent = indent(candidate);
                if (isFreeFormKey(key)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isFreeFormKey(String key) {
        return key.equals("resources") || key.endsWith("SecurityContext") || key.equals("behavior") || key.equals("job")
                || key.equals("ports") || key.equals("paths") || key.equals("hosts");
    }
}
