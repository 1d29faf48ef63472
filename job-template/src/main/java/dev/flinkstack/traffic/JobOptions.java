package dev.flinkstack.traffic;

import org.apache.flink.util.TimeUtils;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The job's arguments: {@code --name value} or {@code --name=value}; every option has a default.
 * Each option is one row of {@link #OPTIONS}: name, placeholder, default, help text and parser.
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
        FILES,
        /** A Kafka topic whose messages are JSON or CSV lines, read exactly once through checkpoints. */
        KAFKA
    }

    /** Where {@code --source kafka} starts when the job starts without state (a restore uses the state's offsets). */
    public enum KafkaStart {
        /** The consumer group's committed offsets, or the earliest where it has none. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    /** Where {@code --source kafka} stops. */
    public enum KafkaStop {
        /** Unbounded: the job runs until stopped. */
        NEVER,
        /** At the offsets that were the latest when the job started; then the job finishes (backfills, tests). */
        LATEST
    }

    /** Turns an option's text into its value, or throws {@link #invalid}. */
    private interface Parser<T> {
        T parse(String name, String value, Clock clock);
    }

    /** One option: {@code --name placeholder}, its default, its help text and how to read it. */
    private record Option<T>(String name, String placeholder, String defaultValue, String description, Parser<T> parser) {}

    private static final String NOW = "now";
    private static final String CLUSTER_DEFAULT = "cluster default";
    private static final String NONE = "none";

    private static final Option<Source> SOURCE = new Option<>("source", "generator|files|kafka", "generator",
            "Where flow records come from.", choice(Source.class));
    private static final Option<Long> RATE = new Option<>("rate", "N", "1000",
            "Generator: records per second, 0 = unlimited. Also sets the event-time spacing "
                    + "(1000/rate ms; 1 ms when unlimited).", integer(0, Long.MAX_VALUE));
    private static final Option<Long> RECORDS = new Option<>("records", "N", "0",
            "Generator: records to emit before finishing, 0 = unbounded.", integer(0, Long.MAX_VALUE));
    private static final Option<Long> KEYS = new Option<>("keys", "N", "100",
            "Generator: number of source hosts. Host 0 and every 20th after it scan ports, "
                    + "host 1 and every 20th after it are heavy hitters.", integer(1, 1 << 24));
    private static final Option<Long> SEED = new Option<>("seed", "N", "42",
            "Generator: random seed; record i depends only on seed, i and start time.",
            integer(Long.MIN_VALUE, Long.MAX_VALUE));
    private static final Option<Long> MALFORMED_EVERY = new Option<>("malformed-every", "N", "1000",
            "Generator: make every N-th record malformed, 0 = never.", integer(0, Long.MAX_VALUE));
    private static final Option<Instant> START_TIME = new Option<>("start-time", "ISO-8601|millis", NOW,
            "Generator: event time of record 0; 'now' is resolved once, at submission.", JobOptions::instant);
    private static final Option<String> INPUT_DIR = new Option<>("input-dir", "PATH", "file:///flink-data/input",
            "Files: directory to read and monitor.", JobOptions::text);
    private static final Option<Duration> MONITOR_INTERVAL = new Option<>("monitor-interval", "DURATION", "10s",
            "Files: how often to look for new files.", duration(Duration.ofMillis(1)));
    private static final Option<String> KAFKA_BOOTSTRAP_SERVERS = new Option<>("kafka-bootstrap-servers",
            "LIST", "localhost:9092", "Kafka: the brokers (host:port,...), for the source and the alerts topic.",
            JobOptions::text);
    private static final Option<String> KAFKA_TOPIC = new Option<>("kafka-topic", "NAME", "flows",
            "Kafka: the topic of flow records, one per message.", JobOptions::text);
    private static final Option<String> KAFKA_GROUP_ID = new Option<>("kafka-group-id", "ID", "traffic-analytics",
            "Kafka: the consumer group, which gets the offsets of every completed checkpoint (for lag monitoring; "
                    + "the job's state holds its own); also the prefix of the alerts topic's transactional ids, "
                    + "so give each job its own.", JobOptions::text);
    private static final Option<KafkaStart> KAFKA_START = new Option<>("kafka-start", "POSITION", "committed",
            "Kafka: where a job without state starts reading: committed (the group's offsets, or the earliest "
                    + "without them), earliest or latest.", choice(KafkaStart.class));
    private static final Option<KafkaStop> KAFKA_STOP = new Option<>("kafka-stop", "never|latest", "never",
            "Kafka: latest stops at the offsets that were the latest at job start, and the job finishes.",
            choice(KafkaStop.class));
    private static final Option<Optional<String>> KAFKA_PROPERTIES = new Option<>("kafka-properties", "PATH", NONE,
            "Kafka: a properties file of client settings (security.protocol, sasl.*, ssl.*) for the source "
                    + "and the alerts topic.", JobOptions::optionalText);
    private static final Option<Optional<String>> ALERTS_TOPIC = new Option<>("alerts-topic", "NAME", NONE,
            "Write alerts to this Kafka topic in transactions (exactly once; read it with isolation.level="
                    + "read_committed) instead of to <output>/alerts.", JobOptions::optionalText);
    private static final Option<Duration> WINDOW = new Option<>("window", "DURATION", "10s",
            "Tumbling event-time window size.", duration(Duration.ofMillis(1)));
    private static final Option<Duration> OUT_OF_ORDERNESS = new Option<>("out-of-orderness", "DURATION", "5s",
            "Maximum event-time disorder before records count as late; also the generator's jitter.",
            duration(Duration.ZERO));
    private static final Option<Duration> IDLE_TIMEOUT = new Option<>("idle-timeout", "DURATION", "30s",
            "Mark a silent input partition idle after this long so windows still close, 0 = never.",
            duration(Duration.ZERO));
    private static final Option<Long> BYTES_THRESHOLD = new Option<>("bytes-threshold", "BYTES", "10000000",
            "VOLUME alert when a host sends more bytes than this in one window.", integer(0, Long.MAX_VALUE));
    private static final Option<Long> PORT_SCAN_THRESHOLD = new Option<>("port-scan-threshold", "N", "20",
            "PORT_SCAN alert when a host reaches this many distinct destination ports in one window.",
            integer(1, 65536));
    private static final Option<String> OUTPUT = new Option<>("output", "PATH", "file:///flink-data/output",
            "Base directory of the aggregates/, alerts/ and malformed/ outputs.", JobOptions::text);
    // Flink rejects checkpoint intervals below 10 ms.
    private static final Option<Duration> CHECKPOINT_INTERVAL = new Option<>("checkpoint-interval", "DURATION", "10s",
            "Exactly-once checkpoint interval; output files are committed on checkpoints.",
            duration(Duration.ofMillis(10)));
    private static final Option<Long> PARALLELISM = new Option<>("parallelism", "N", CLUSTER_DEFAULT,
            "Job parallelism (the generator source always runs at 1).",
            (name, value, clock) -> value.equals(CLUSTER_DEFAULT) ? -1L : integer(1, 32768).parse(name, value, clock));

    private static final List<Option<?>> OPTIONS = List.of(SOURCE, RATE, RECORDS, KEYS, SEED, MALFORMED_EVERY,
            START_TIME, INPUT_DIR, MONITOR_INTERVAL, KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC, KAFKA_GROUP_ID, KAFKA_START,
            KAFKA_STOP, KAFKA_PROPERTIES, ALERTS_TOPIC, WINDOW, OUT_OF_ORDERNESS, IDLE_TIMEOUT, BYTES_THRESHOLD,
            PORT_SCAN_THRESHOLD, OUTPUT, CHECKPOINT_INTERVAL, PARALLELISM);

    private final boolean help;
    private final Map<Option<?>, Object> values;

    private JobOptions(boolean help, Map<Option<?>, Object> values) {
        this.help = help;
        this.values = values;
    }

    /** Parses {@code args}; a missing {@code --start-time} resolves to now. */
    public static JobOptions parse(String... args) {
        return parse(Clock.systemUTC(), args);
    }

    /** Parses {@code args}; a missing {@code --start-time} resolves to {@code clock}'s now. */
    public static JobOptions parse(Clock clock, String... args) {
        Map<String, Option<?>> byName = new HashMap<>();
        Map<Option<?>, String> texts = new LinkedHashMap<>();
        for (Option<?> option : OPTIONS) {
            byName.put(option.name(), option);
            texts.put(option, option.defaultValue());
        }
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw error("Unexpected argument: '" + arg + "' (options look like --name value)");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            Option<?> option = byName.get(name);
            if (option == null) {
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
            texts.put(option, value.strip());
        }
        Map<Option<?>, Object> values = new HashMap<>();
        texts.forEach((option, text) -> values.put(option, option.parser().parse(option.name(), text, clock)));
        return new JobOptions(help, values);
    }

    /** The help text: every option with its default. */
    public static String usage() {
        StringBuilder out = new StringBuilder()
                .append("Usage: TrafficAnalyticsJob [--option value]...\n\n")
                .append("Reads network flow records (JSON or CSV lines), totals them per source host in tumbling\n")
                .append("event-time windows, raises VOLUME and PORT_SCAN alerts, and writes JSON lines to\n")
                .append("<output>/aggregates, <output>/alerts and <output>/malformed (exactly once).\n\n")
                .append("Options (DURATION: 500ms, 10s, 1min, ...):\n");
        for (Option<?> option : OPTIONS) {
            List<String> words = new ArrayList<>(List.of(option.description().split(" ")));
            words.add("(default: " + option.defaultValue() + ")"); // never split across lines
            appendOption(out, "--" + option.name() + " " + option.placeholder(), words);
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

    private static <E extends Enum<E>> Parser<E> choice(Class<E> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        String expected = String.join(" or ", names);
        return (name, value, clock) -> {
            if (!names.contains(value.toLowerCase(Locale.ROOT))) {
                throw invalid(name, value, expected);
            }
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        };
    }

    private static Parser<Long> integer(long min, long max) {
        String expected = min == Long.MIN_VALUE
                ? "an integer"
                : max == Long.MAX_VALUE ? "an integer >= " + min : "an integer in " + min + ".." + max;
        return (name, value, clock) -> {
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
        };
    }

    private static Parser<Duration> duration(Duration min) {
        String expected = "a duration >= " + TimeUtils.formatWithHighestUnit(min) + " such as 500ms, 10s or 1min";
        return (name, value, clock) -> {
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
        };
    }

    private static Instant instant(String name, String value, Clock clock) {
        if (value.equals(NOW)) {
            return clock.instant().truncatedTo(ChronoUnit.MILLIS);
        }
        try {
            return value.matches("-?[0-9]+")
                    ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value).truncatedTo(ChronoUnit.MILLIS);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw invalid(name, value, "an ISO-8601 instant such as 2026-01-01T00:00:00Z, or epoch millis");
        }
    }

    private static String text(String name, String value, Clock clock) {
        if (value.isEmpty()) {
            throw invalid(name, value, "a non-empty value");
        }
        return value;
    }

    private static Optional<String> optionalText(String name, String value, Clock clock) {
        return value.equals(NONE) ? Optional.empty() : Optional.of(text(name, value, clock));
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Option<T> option) {
        return (T) values.get(option);
    }

    /** True if {@code --help} was given: print {@link #usage()} and run nothing. */
    public boolean help() {
        return help;
    }

    public Source source() {
        return get(SOURCE);
    }

    /** Generator records per second; 0 = unlimited. */
    public long rate() {
        return get(RATE);
    }

    /** Generator record count; 0 = unbounded. */
    public long records() {
        return get(RECORDS);
    }

    public int keys() {
        return get(KEYS).intValue();
    }

    public long seed() {
        return get(SEED);
    }

    /** Every N-th generated record is malformed; 0 = never. */
    public long malformedEvery() {
        return get(MALFORMED_EVERY);
    }

    public Instant startTime() {
        return get(START_TIME);
    }

    public String inputDir() {
        return get(INPUT_DIR);
    }

    public Duration monitorInterval() {
        return get(MONITOR_INTERVAL);
    }

    public String kafkaBootstrapServers() {
        return get(KAFKA_BOOTSTRAP_SERVERS);
    }

    public String kafkaTopic() {
        return get(KAFKA_TOPIC);
    }

    public String kafkaGroupId() {
        return get(KAFKA_GROUP_ID);
    }

    public KafkaStart kafkaStart() {
        return get(KAFKA_START);
    }

    public KafkaStop kafkaStop() {
        return get(KAFKA_STOP);
    }

    /** The Kafka client settings file, if any. */
    public Optional<String> kafkaProperties() {
        return get(KAFKA_PROPERTIES);
    }

    /** The Kafka topic alerts go to; empty: files under {@link #output()}. */
    public Optional<String> alertsTopic() {
        return get(ALERTS_TOPIC);
    }

    public Duration window() {
        return get(WINDOW);
    }

    public Duration outOfOrderness() {
        return get(OUT_OF_ORDERNESS);
    }

    /** Zero means idleness detection is off. */
    public Duration idleTimeout() {
        return get(IDLE_TIMEOUT);
    }

    public long bytesThreshold() {
        return get(BYTES_THRESHOLD);
    }

    public int portScanThreshold() {
        return get(PORT_SCAN_THRESHOLD).intValue();
    }

    public String output() {
        return get(OUTPUT);
    }

    public Duration checkpointInterval() {
        return get(CHECKPOINT_INTERVAL);
    }

    /** The job parallelism, or -1 to use the cluster's {@code parallelism.default}. */
    public int parallelism() {
        return get(PARALLELISM).intValue();
    }
}
