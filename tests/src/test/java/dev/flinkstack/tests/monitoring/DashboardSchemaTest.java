package dev.flinkstack.tests.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every dashboard in charts/flink/dashboards is a raw Grafana dashboard model that Grafana's schema
 * accepts (the dashboard kind, plus the options of the stat and time series panels), and follows the
 * project's conventions: stable uid, tags, variables, a unit and a description on every panel.
 */
class DashboardSchemaTest {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    private static final JsonSchema DASHBOARD = schema("dashboard.schema.json", "");
    private static final JsonSchema TIMESERIES_OPTIONS = schema("timeseries.schema.json", "#/definitions/Options");
    private static final JsonSchema TIMESERIES_FIELD_CONFIG = schema("timeseries.schema.json", "#/definitions/FieldConfig");
    private static final JsonSchema STAT_OPTIONS = schema("stat.schema.json", "#/definitions/Options");

    /** The dashboards the README, the chart and users' bookmarks refer to, by uid. */
    private static final Set<String> UIDS = Set.of("flink-cluster", "flink-job", "flink-taskmanagers");

    private static JsonSchema schema(String file, String fragment) {
        return FACTORY.getSchema(SchemaLocation.of("classpath:monitoring/grafana-schema/" + file + fragment));
    }

    static Stream<Path> dashboards() {
        return MonitoringFiles.dashboardFiles().stream();
    }

    @Test
    void shouldShipTheThreeDashboardsWithStableUids() {
        Set<String> uids = new HashSet<>();
        for (Path file : MonitoringFiles.dashboardFiles()) {
            String uid = MonitoringFiles.read(file).path("uid").asText();
            assertThat(uids.add(uid)).as("uid %s is unique", uid).isTrue();
            assertThat(file.getFileName().toString()).as("file named after its uid").isEqualTo(uid + ".json");
        }
        assertThat(uids).isEqualTo(UIDS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void shouldMatchGrafanasDashboardSchema(Path file) {
        assertThat(errors(DASHBOARD, MonitoringFiles.read(file))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void shouldMatchThePanelPluginSchemas(Path file) {
        List<String> errors = new ArrayList<>();
        for (JsonNode panel : MonitoringFiles.panels(MonitoringFiles.read(file))) {
            String where = "panel " + panel.path("id") + " '" + panel.path("title").asText() + "': ";
            switch (panel.path("type").asText()) {
                case "timeseries" -> {
                    errors.addAll(prefixed(where, errors(TIMESERIES_OPTIONS, panel.path("options"))));
                    errors.addAll(prefixed(where, errors(TIMESERIES_FIELD_CONFIG, panel.at("/fieldConfig/defaults/custom"))));
                }
                case "stat" -> {
                    errors.addAll(prefixed(where, errors(STAT_OPTIONS, panel.path("options"))));
                    if (panel.at("/fieldConfig/defaults").has("custom")) {
                        errors.add(where + "stat panels have no custom field config");
                    }
                }
                default -> errors.add(where + "panel type " + panel.path("type") + " has no schema here");
            }
        }
        assertThat(errors).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void shouldBeARawDashboardModelWithTagsAndVariables(Path file) {
        JsonNode dashboard = MonitoringFiles.read(file);
        assertThat(dashboard.has("dashboard")).as("no API wrapper").isFalse();
        assertThat(dashboard.has("id")).as("no instance-specific id").isFalse();
        assertThat(dashboard.path("title").asText()).startsWith("Flink / ");
        assertThat(dashboard.path("description").asText()).isNotBlank();
        List<String> tags = new ArrayList<>();
        dashboard.path("tags").forEach(tag -> tags.add(tag.asText()));
        assertThat(tags).contains("flink");

        List<String> variables = new ArrayList<>();
        for (JsonNode variable : dashboard.at("/templating/list")) {
            variables.add(variable.path("name").asText());
            if ("query".equals(variable.path("type").asText())) {
                assertThat(variable.at("/datasource/uid").asText()).isEqualTo("${datasource}");
                // An absent label (no namespace outside Kubernetes) must still match: All is ".*".
                assertThat(variable.path("includeAll").asBoolean()).as(variable.path("name") + " includeAll").isTrue();
                assertThat(variable.path("allValue").asText()).isEqualTo(".*");
            }
        }
        assertThat(variables).startsWith("datasource", "namespace");
        if (!dashboard.path("uid").asText().equals("flink-cluster")) {
            assertThat(variables).contains("job");
        }
        assertThat(dashboard.at("/templating/list/0/type").asText()).isEqualTo("datasource");
        assertThat(dashboard.at("/templating/list/0/query").asText()).isEqualTo("prometheus");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void shouldGiveEveryPanelADescriptionAUnitAndTheDatasourceVariable(Path file) {
        List<String> problems = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        JsonNode dashboard = MonitoringFiles.read(file);
        for (JsonNode row : dashboard.path("panels")) {
            if (!ids.add(row.path("id").asInt())) {
                problems.add("duplicate panel id " + row.path("id"));
            }
        }
        for (JsonNode panel : MonitoringFiles.panels(dashboard)) {
            String where = "panel " + panel.path("id") + " '" + panel.path("title").asText() + "': ";
            if (panel.path("title").asText().isBlank()) {
                problems.add(where + "no title");
            }
            if (panel.path("description").asText().isBlank()) {
                problems.add(where + "no description");
            }
            if (panel.at("/fieldConfig/defaults/unit").asText().isBlank()) {
                problems.add(where + "no unit");
            }
            if (!"${datasource}".equals(panel.at("/datasource/uid").asText())) {
                problems.add(where + "datasource is not ${datasource}");
            }
            if (panel.path("targets").isEmpty()) {
                problems.add(where + "no query");
            }
            for (JsonNode target : panel.path("targets")) {
                if (target.path("expr").asText().isBlank()) {
                    problems.add(where + "target " + target.path("refId") + " has no expr");
                }
                if (!"${datasource}".equals(target.at("/datasource/uid").asText())) {
                    problems.add(where + "target " + target.path("refId") + " datasource is not ${datasource}");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dashboards")
    void shouldLayOutPanelsWithoutOverlaps(Path file) {
        List<int[]> boxes = new ArrayList<>();
        List<String> overlaps = new ArrayList<>();
        for (JsonNode panel : MonitoringFiles.read(file).path("panels")) {
            JsonNode p = panel.path("gridPos");
            int[] box = {p.path("x").asInt(), p.path("y").asInt(), p.path("w").asInt(), p.path("h").asInt()};
            for (int[] other : boxes) {
                boolean apart = box[0] + box[2] <= other[0] || other[0] + other[2] <= box[0]
                        || box[1] + box[3] <= other[1] || other[1] + other[3] <= box[1];
                if (!apart) {
                    overlaps.add(panel.path("title").asText());
                }
            }
            boxes.add(box);
        }
        assertThat(overlaps).isEmpty();
    }

    @Test
    void shouldRejectAnUnknownFieldAsTheSchemaIsStrict() {
        JsonNode dashboard = MonitoringFiles.read(MonitoringFiles.dashboardFiles().get(0));
        ((ObjectNode) MonitoringFiles.panels(dashboard).get(0)).put("descripton", "typo");
        assertThat(errors(DASHBOARD, dashboard)).isNotEmpty();

        ObjectNode options = MonitoringFiles.panels(dashboard).stream()
                .filter(panel -> panel.path("type").asText().equals("timeseries")).findFirst().orElseThrow()
                .path("options").deepCopy();
        assertThat(errors(TIMESERIES_OPTIONS, options)).isEmpty();
        ((ObjectNode) options.path("tooltip")).put("mode", "several");
        assertThat(errors(TIMESERIES_OPTIONS, options)).isNotEmpty();
    }

    private static List<String> errors(JsonSchema schema, JsonNode node) {
        return schema.validate(node).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private static List<String> prefixed(String prefix, List<String> messages) {
        return messages.stream().map(m -> prefix + m).toList();
    }
}
