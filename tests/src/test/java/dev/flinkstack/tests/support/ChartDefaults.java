package dev.flinkstack.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Defaults of the chart's values.yaml and conf/config.yaml, for containers started outside
 * Kubernetes, so tests and benchmarks measure what a chart user gets.
 */
public final class ChartDefaults {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|)");

    private ChartDefaults() {}

    public static Path chartDir() {
        return Path.of(System.getProperty("chart.dir", "../charts/flink"));
    }

    public static JsonNode values() {
        try {
            return YAML.readTree(chartDir().resolve("values.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chart's values.yaml", e);
        }
    }

    /** The chart's conf/config.yaml: the Flink defaults the images ship too. */
    public static JsonNode flinkDefaults() {
        try {
            return YAML.readTree(chartDir().resolve("conf/config.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chart's conf/config.yaml", e);
        }
    }

    /**
     * Reactive mode as the chart enables it with {@code autoscaling.enabled}: the scheduler mode and
     * {@code autoscaling.maxParallelism} (the rescale timing is in the images' configuration already).
     */
    public static String reactiveProperties() {
        return "scheduler-mode: reactive\n"
                + "pipeline.max-parallelism: " + required(required(values(), "autoscaling"), "maxParallelism").asText() + "\n";
    }

    /** {@code taskmanager.numberOfTaskSlots}. */
    public static int taskSlots() {
        return required(required(values(), "taskmanager"), "numberOfTaskSlots").asInt();
    }

    /** The minimum time between two rescales in reactive mode. */
    public static Duration reactiveCooldown() {
        return duration(required(flinkDefaults(), "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling").asText());
    }

    /** A Flink duration such as {@code 500ms}, {@code 10s}, {@code 1min} or {@code 1h}. */
    static Duration duration(String value) {
        Matcher matcher = DURATION.matcher(value.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a duration: " + value);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "", "s" -> Duration.ofSeconds(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            throw new IllegalStateException("the chart has no '" + field + "' where expected");
        }
        return value;
    }
}
