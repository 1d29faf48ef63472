package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.Helm;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The chart's Grafana dashboards and Prometheus alert rules, the rules' promtool tests under
 * {@code monitoring/}, and what the tests need from them (every panel query, with Grafana's
 * variables replaced).
 */
final class MonitoringFiles {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * Flink metrics that only ever grow (Flink's reporter exports counters, and these cumulative
     * gauges, without a {@code _total} suffix): a dashboard or rule may only use them inside
     * {@code rate}, {@code irate} or {@code increase}. The *PerSecond gauges are already rates.
     */
    static final Pattern CUMULATIVE_METRIC = Pattern.compile(
            "flink_\\w*_(numRecords(In|Out)(Errors)?|numBytes(In|Out)(Local|Remote)?|numBuffers(In|Out)(Local|Remote)?"
                    + "|numRecordsSend(Errors)?|numBytesSend|numRestarts|numRescales|numberOf(Completed|Failed)Checkpoints"
                    + "|totalNumberOfCheckpoints|GarbageCollector_\\w+_(Count|Time)|CPU_Time|numFiredTimers"
                    + "|accumulate\\w+Ms|malformedRecords|parsedRecords|alertsRaised|numLateRecordsDropped"
                    + "|rocksdb_compact_(read|write)_bytes)");

    private static final Pattern METRIC = Pattern.compile("\\bflink_\\w+");

    private MonitoringFiles() {}

    /** The repository's {@code monitoring/} directory: the runbook README and the rules' unit tests. */
    static Path dir() {
        return Path.of(System.getProperty("monitoring.dir", "../monitoring")).toAbsolutePath().normalize();
    }

    /** The dashboards and alert rules have one copy: the chart's, which packages them. */
    static List<Path> dashboardFiles() {
        return list(Helm.chartDir().resolve("dashboards"), ".json");
    }

    static List<Path> ruleFiles() {
        return list(Helm.chartDir().resolve("rules"), ".yaml");
    }

    static List<Path> ruleTestFiles() {
        return list(dir().resolve("tests"), ".yaml");
    }

    static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return file.toString().endsWith(".json") ? JSON.readTree(file.toFile()) : YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** Every panel of a dashboard, rows excluded, including panels nested in collapsed rows. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    /** One query of one panel. */
    record PanelQuery(String dashboardUid, String dashboardTitle, int panelId, String panelTitle, String refId,
                      String expr) {

        String id() {
            return dashboardUid + "#" + panelId + refId;
        }

        /** The query as Grafana sends it once the dashboard's variables are set to {@code values}. */
        String concrete(Map<String, String> values) {
            return substitute(expr, values);
        }
    }

    /** Every query of every dashboard, in file and panel order. */
    static List<PanelQuery> panelQueries() {
        List<PanelQuery> queries = new ArrayList<>();
        for (Path file : dashboardFiles()) {
            JsonNode dashboard = read(file);
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    queries.add(new PanelQuery(dashboard.path("uid").asText(), dashboard.path("title").asText(),
                            panel.path("id").asInt(), panel.path("title").asText(), target.path("refId").asText(),
                            target.path("expr").asText()));
                }
            }
        }
        return queries;
    }

    /** Grafana's built-in variables and the dashboards' own, with values for a query at "now". */
    static Map<String, String> variables(String rateInterval, String range, String job) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("__rate_interval", rateInterval);
        values.put("__range", range);
        values.put("__interval", "10s");
        values.put("datasource", "prometheus");
        values.put("namespace", ".*");
        values.put("job", job);
        values.put("taskmanager", ".*");
        return values;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)");

    /** Replaces {@code $name} and {@code ${name}}; an unknown variable is an error. */
    static String substitute(String text, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("unknown variable $" + name + " in " + text);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every Flink metric name an expression reads. */
    static List<String> metricsIn(String expr) {
        List<String> names = new ArrayList<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /**
     * The cumulative metrics of {@code expr} that are not the direct argument of rate, irate or
     * increase with a range selector, e.g. {@code sum(flink_..._numRestarts)}.
     */
    static List<String> unwrappedCounters(String expr) {
        List<String> unwrapped = new ArrayList<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            if (!CUMULATIVE_METRIC.matcher(m.group()).matches()) {
                continue;
            }
            String function = enclosingFunction(expr, m.start());
            int close = closingParenthesis(expr, m.end());
            String argument = close < 0 ? "" : expr.substring(m.end(), close);
            boolean rangeSelector = argument.matches("(?s)\\s*(\\{[^}]*})?\\s*\\[[^\\]]+]\\s*");
            if (!List.of("rate", "irate", "increase").contains(function) || !rangeSelector) {
                unwrapped.add(m.group());
            }
        }
        return unwrapped;
    }

    /** The name of the function whose argument list contains position {@code at}, or "". */
    private static String enclosingFunction(String expr, int at) {
        int depth = 0;
        for (int i = at - 1; i >= 0; i--) {
            char c = expr.charAt(i);
            if (c == ')') {
                depth++;
            } else if (c == '(') {
                if (depth == 0) {
                    int end = i;
                    while (end > 0 && Character.isWhitespace(expr.charAt(end - 1))) {
                        end--;
                    }
                    int start = end;
                    while (start > 0 && (Character.isLetterOrDigit(expr.charAt(start - 1)) || expr.charAt(start - 1) == '_')) {
                        start--;
                    }
                    return expr.substring(start, end);
                }
                depth--;
            }
        }
        return "";
    }

    /** The position of the ')' that closes the group {@code from} is in, or -1. */
    private static int closingParenthesis(String expr, int from) {
        int depth = 0;
        for (int i = from; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }
}
