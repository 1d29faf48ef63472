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
 * Defaults of the chart's values.yaml, as Flink configuration lines for containers started outside
 * Kubernetes, so tests and benchmarks measure what a chart user gets. The chart derives these keys
 * from the values (templates/_config.tpl).
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

    /** {@code heartbeat.interval} and {@code heartbeat.timeout}, from {@code heartbeat.*}. */
    public static String heartbeatProperties() {
        JsonNode heartbeat = required(values(), "heartbeat");
        return "heartbeat.interval: " + required(heartbeat, "interval").asText() + "\n"
                + "heartbeat.timeout: " + required(heartbeat, "timeout").asText() + "\n";
    }

    /**
     * Reactive mode as the chart enables it with {@code autoscaling.enabled}: the scheduler mode and
     * {@code autoscaling.reactive.*} (cooldown, resource stabilization, the rescale trigger's maximum
     * delay, max parallelism).
     */
    public static String reactiveProperties() {
        JsonNode reactive = required(required(values(), "autoscaling"), "reactive");
        return "scheduler-mode: reactive\n"
                + "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling: "
                + required(reactive, "cooldown").asText() + "\n"
                + "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout: "
                + required(reactive, "resourceStabilizationTimeout").asText() + "\n"
                + "jobmanager.adaptive-scheduler.rescale-trigger.max-delay: "
                + required(reactive, "rescaleTriggerMaxDelay").asText() + "\n"
                + "pipeline.max-parallelism: " + required(reactive, "maxParallelism").asText() + "\n";
    }

    /** {@code taskmanager.numberOfTaskSlots}. */
    public static int taskSlots() {
        return required(required(values(), "taskmanager"), "numberOfTaskSlots").asInt();
    }

    /** {@code autoscaling.reactive.cooldown}: the minimum time between two rescales. */
    public static Duration reactiveCooldown() {
        return duration(required(required(required(values(), "autoscaling"), "reactive"), "cooldown").asText());
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
            throw new IllegalStateException("the chart's values.yaml has no '" + field + "' where expected");
        }
        return value;
    }
}
