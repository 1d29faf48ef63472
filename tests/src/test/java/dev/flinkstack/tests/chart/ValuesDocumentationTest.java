package dev.flinkstack.tests.chart;

import dev.flinkstack.buildtools.ValuesTable;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
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

    /** The values table between the README's markers is what {@code make docs} (ValuesTable) generates. */
    @HelmTest
    void shouldKeepTheReadmeValuesTableInSync(Helm helm) throws IOException {
        String readme = Files.readString(Helm.chartDir().resolve("README.md"));
        String generated = ValuesTable.generate(Files.readString(Helm.chartDir().resolve("values.yaml")));
        assertThat(ValuesTable.tableIn(readme)).as("README values table; regenerate it with make docs").isEqualTo(generated);
    }

    @HelmTest
    void shouldCommentEveryValueInValuesYaml(Helm helm) throws IOException {
        String table = ValuesTable.generate(Files.readString(Helm.chartDir().resolve("values.yaml")));
        List<String> undocumented = table.lines().filter(row -> row.contains("| See `")).toList();
        assertThat(undocumented).as("keys of values.yaml without a # -- comment (only probe timings may share one)")
                .isEmpty();
    }
}
