package dev.flinkstack.traffic;

import org.apache.flink.util.TimeUtils;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job's arguments: {@code --name value} or {@code --name=value}; every option has a default.
 *
 * <p>Parsing fails with an {@link IllegalArgumentException} whose message starts with the offending
 * argument and ends with the usage text, so a mistyped submission explains itself.
 */
public final class JobOptions {

    /** Where flow records come from. */
    public enum Source {
        /** Built-in deterministic generator: runs with no setup. */
        GENERATOR,
        /** Text files (JSON or CSV lines) in {@code --input-dir}, monitored for new files. */
        FILES
    }

    private record Option(String name, String value, String defaultValue, String description) {}

    private static final String NOW = "now";
    private static final String CLUSTER_DEFAULT = "cluster default";

    private static final List<Option> OPTIONS = List.of(
            new Option("source", "generator|files", "generator", "Where flow records come from."),
            new Option("rate", "N", "1000",
                    "Generator: records per second, 0 = unlimited. Also sets the event-time spacing "
                            + "(1000/rate ms; 1 ms when unlimited)."),
            new Option("records", "N", "0", "Generator: records to emit before finishing, 0 = unbounded."),
            new Option("keys", "N", "100",
                    "Generator: number of source hosts. Host 0 and every 20th after it scan ports, "
                            + "host 1 and every 20th after it are heavy hitters."),
            new Option("seed", "N", "42", "Generator: random seed; record i depends only on seed, i and start time."),
            new Option("malformed-every", "N", "1000", "Generator: make every N-th record malformed, 0 = never."),
            new Option("start-time", "ISO-8601|millis", NOW,
                    "Generator: event time of record 0; 'now' is resolved once, at submission."),
            new Option("input-dir", "PATH", "file:///flink-data/input", "Files: directory to read and monitor."),
            new Option("monitor-interval", "DURATION", "10s", "Files: how often to look for new files."),
            new Option("window", "DURATION", "10s", "Tumbling event-time window size."),
            new Option("out-of-orderness", "DURATION", "5s",
                    "Maximum event-time disorder before records count as late; also the generator's jitter."),
            new Option("idle-timeout", "DURATION", "30s",
                    "Mark a silent input partition idle after this long so windows still close, 0 = never."),
            new Option("bytes-threshold", "BYTES", "10000000",
                    "VOLUME alert when a host sends more bytes than this in one window."),
            new Option("port-scan-threshold", "N", "20",
                    "PORT_SCAN alert when a host reaches this many distinct destination ports in one window."),
            new Option("output", "PATH", "file:///flink-data/output",
                    "Base directory of the aggregates/, alerts/ and malformed/ outputs."),
            new Option("checkpoint-interval", "DURATION", "10s",
                    "Exactly-once checkpoint interval; output files are committed on checkpoints."),
            new Option("parallelism", "N", CLUSTER_DEFAULT, "Job parallelism (the generator source always runs at 1)."));

    private boolean help;
    private Source source;
    private long rate;
    private long records;
    private int keys;
    private long seed;
    private long malformedEvery;
    private Instant startTime;
    private String inputDir;
    private Duration monitorInterval;
    private Duration window;
    private Duration outOfOrderness;
    private Duration idleTimeout;
    private long bytesThreshold;
    private int portScanThreshold;
    private String output;
    private Duration checkpointInterval;
    private int parallelism;

    private JobOptions() {}

    /** Parses {@code args}; a missing {@code --start-time} resolves to now. */
    public static JobOptions parse(String... args) {
        return parse(Clock.systemUTC(), args);
    }

    /** Parses {@code args}; a missing {@code --start-time} resolves to {@code clock}'s now. */
    public static JobOptions parse(Clock clock, String... args) {
        Map<String, String> values = new HashMap<>();
        for (Option option : OPTIONS) {
            values.put(option.name(), option.defaultValue());
        }
        JobOptions options = new JobOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                options.help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw error("Unexpected argument: '" + arg + "' (options look like --name value)");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (!values.containsKey(name)) {
                throw error("Unknown option: --" + name);
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw error("Missing value for --" + name);
            }
            values.put(name, value.strip());
        }
        options.convert(values, clock);
        return options;
    }

    private void convert(Map<String, String> v, Clock clock) {
        source = source(v.get("source"));
        rate = longAtLeast(v, "rate", 0);
        records = longAtLeast(v, "records", 0);
        keys = (int) longBetween(v, "keys", 1, 1 << 24);
        seed = longAtLeast(v, "seed", Long.MIN_VALUE);
        malformedEvery = longAtLeast(v, "malformed-every", 0);
        startTime = v.get("start-time").equals(NOW)
                ? clock.instant().truncatedTo(ChronoUnit.MILLIS)
                : instant(v, "start-time");
        inputDir = text(v, "input-dir");
        monitorInterval = durationAtLeast(v, "monitor-interval", Duration.ofMillis(1));
        window = durationAtLeast(v, "window", Duration.ofMillis(1));
        outOfOrderness = durationAtLeast(v, "out-of-orderness", Duration.ZERO);
        idleTimeout = durationAtLeast(v, "idle-timeout", Duration.ZERO);
        bytesThreshold = longAtLeast(v, "bytes-threshold", 0);
        portScanThreshold = (int) longBetween(v, "port-scan-threshold", 1, 65536);
        output = text(v, "output");
        // Flink rejects checkpoint intervals below 10 ms.
        checkpointInterval = durationAtLeast(v, "checkpoint-interval", Duration.ofMillis(10));
        parallelism = v.get("parallelism").equals(CLUSTER_DEFAULT)
                ? -1
                : (int) longBetween(v, "parallelism", 1, 32768);
    }

    /** The help text: every option with its default. */
    public static String usage() {
        StringBuilder out = new StringBuilder()
                .append("Usage: TrafficAnalyticsJob [--option value]...\n\n")
                .append("Reads network flow records (JSON or CSV lines), totals them per source host in tumbling\n")
                .append("event-time windows, raises VOLUME and PORT_SCAN alerts, and writes JSON lines to\n")
                .append("<output>/aggregates, <output>/alerts and <output>/malformed (exactly once).\n\n")
                .append("Options (DURATION: 500ms, 10s, 1min, ...):\n");
        for (Option option : OPTIONS) {
            List<String> words = new ArrayList<>(List.of(option.description().split(" ")));
            words.add("(default: " + option.defaultValue() + ")"); // never split across lines
            appendOption(out, "--" + option.name() + " " + option.value(), words);
        }
        appendOption(out, "--help", List.of("Print this help and exit."));
        return out.toString();
    }

    // Two columns, the description wrapped so the text stays readable in an 100-column terminal.
    private static void appendOption(StringBuilder out, String left, List<String> words) {
        int indent = 36;
        int width = 100;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-" + (indent - 3) + "s ", left));
        for (String word : words) {
            if (line.length() > indent && line.length() + 1 + word.length() > width) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(" ".repeat(indent));
            }
            if (line.length() > indent) {
                line.append(' ');
            }
            line.append(word);
        }
        out.append(line).append('\n');
    }

    private static IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message + "\n\n" + usage());
    }

    private static IllegalArgumentException invalid(String name, String value, String expected) {
        return error("Invalid value for --" + name + ": '" + value + "' (expected " + expected + ")");
    }

    private static Source source(String value) {
        try {
            return Source.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("source", value, "generator or files");
        }
    }

    private static long longAtLeast(Map<String, String> v, String name, long min) {
        return longBetween(v, name, min, Long.MAX_VALUE);
    }

    private static long longBetween(Map<String, String> v, String name, long min, long max) {
        String value = v.get(name);
        String expected = min == Long.MIN_VALUE
                ? "an integer"
                : max == Long.MAX_VALUE
                        ? "an integer >= " + min
                        : "an integer in " + min + ".." + max;
        long parsed;
        try {
            parsed = Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw invalid(name, value, expected);
        }
        if (parsed < min || parsed > max) {
            throw invalid(name, value, expected);
        }
        return parsed;
    }

    private static Duration durationAtLeast(Map<String, String> v, String name, Duration min) {
        String value = v.get(name);
        String expected = "a duration >= " + TimeUtils.formatWithHighestUnit(min) + " such as 500ms, 10s or 1min";
        Duration parsed;
        try {
            parsed = TimeUtils.parseDuration(value);
        } catch (RuntimeException e) {
            throw invalid(name, value, expected);
        }
        if (parsed.compareTo(min) < 0) {
            throw invalid(name, value, expected);
        }
        return parsed;
    }

    private static Instant instant(Map<String, String> v, String name) {
        String value = v.get(name);
        try {
            return value.matches("-?[0-9]+")
                    ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value).truncatedTo(ChronoUnit.MILLIS);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw invalid(name, value, "an ISO-8601 instant such as 2026-01-01T00:00:00Z, or epoch millis");
        }
    }

    private static String text(Map<String, String> v, String name) {
        String value = v.get(name);
        if (value.isEmpty()) {
            throw invalid(name, value, "a non-empty path");
        }
        return value;
    }

    /** True if {@code --help} was given: print {@link #usage()} and run nothing. */
    public boolean help() {
        return help;
    }

    public Source source() {
        return source;
    }

    /** Generator records per second; 0 = unlimited. */
    public long rate() {
        return rate;
    }

    /** Generator record count; 0 = unbounded. */
    public long records() {
        return records;
    }

    public int keys() {
        return keys;
    }

    public long seed() {
        return seed;
    }

    /** Every N-th generated record is malformed; 0 = never. */
    public long malformedEvery() {
        return malformedEvery;
    }

    public Instant startTime() {
        return startTime;
    }

    public String inputDir() {
        return inputDir;
    }

    public Duration monitorInterval() {
        return monitorInterval;
    }

    public Duration window() {
        return window;
    }

    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    /** Zero means idleness detection is off. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public long bytesThreshold() {
        return bytesThreshold;
    }

    public int portScanThreshold() {
        return portScanThreshold;
    }

    public String output() {
        return output;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** The job parallelism, or -1 to use the cluster's {@code parallelism.default}. */
    public int parallelism() {
        return parallelism;
    }
}
