package dev.flinkstack.tests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark results of one {@code make bench}: every measurement as the median of its runs with
 * min and max, printed as a table and written as markdown and JSON to {@code bench.dir} (default
 * target/bench) after each measurement, so an interrupted run keeps what it measured.
 */
final class BenchReport {

    /** Table sections, in the order the table shows them. */
    enum Section {
        IMAGES("Images"),
        STARTUP("Start-up"),
        RECOVERY("Recovery and rescaling"),
        LIFECYCLE("Job lifecycle (the chart's operations, emulated)"),
        PROCESSING("Processing and checkpoints");

        private final String title;

        Section(String title) {
            this.title = title;
        }
    }

    /**
     * What a measurement is compared with: a figure measured in the same run (a bare JVM start, the
     * failure detection, a bare keyed count), or a published one (the official image's size).
     */
    record Reference(String name, double value) {}

    /** One measurement: its samples (one per run), unit, how it was taken, and its reference if any. */
    record Measurement(Section section, int order, String name, String unit, List<Double> samples, String note,
                       Reference reference) {

        double median() {
            List<Double> sorted = samples.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        double min() {
            return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path DIR = Path.of(System.getProperty("bench.dir", "target/bench"));
    private static final List<Measurement> MEASUREMENTS = new ArrayList<>();
    private static final Map<String, String> MACHINE = Machine.describe();
    private static final Instant STARTED = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private BenchReport() {}

    /** Runs per timing measurement ({@code -Dbench.runs}, default 5). */
    static int runs() {
        return Integer.getInteger("bench.runs", 5);
    }

    /** Runs per slow measurement, e.g. a full `make run` ({@code -Dbench.slow-runs}, default 3). */
    static int slowRuns() {
        return Integer.getInteger("bench.slow-runs", 3);
    }

    /** Records a measurement (replacing one of the same name) and rewrites the report files. */
    static void add(Section section, int order, String name, String unit, List<Double> samples, String note) {
        add(section, order, name, unit, samples, note, null);
    }

    /** Records a measurement next to its reference (same unit), and the ratio of their medians. */
    static synchronized void add(Section section, int order, String name, String unit, List<Double> samples,
                                 String note, Reference reference) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples for " + name);
        }
        MEASUREMENTS.removeIf(measurement -> measurement.name().equals(name));
        MEASUREMENTS.add(new Measurement(section, order, name, unit, List.copyOf(samples), note, reference));
        write();
    }

    /** The median of {@code samples}, as a reference. */
    static Reference reference(String name, List<Double> samples) {
        return new Reference(name, new Measurement(null, 0, name, "", samples, "", null).median());
    }

    /** The table so far, as markdown. */
    static synchronized String markdown() {
        StringBuilder out = new StringBuilder()
                .append("# flinkstack benchmarks\n\n")
                .append("Measured ").append(STARTED).append(" on: ").append(MACHINE.get("summary")).append(".\n")
                .append("Each figure is the median of its runs, with min and max.\n");
        Section current = null;
        for (Measurement m : sorted()) {
            if (m.section() != current) {
                current = m.section();
                out.append("\n### ").append(current.title).append("\n\n")
                        .append("| Measurement | Median | Min | Max | Runs | Reference (median) | Ratio | How |\n")
                        .append("|---|---:|---:|---:|---:|---|---:|---|\n");
            }
            Reference reference = m.reference();
            out.append("| ").append(m.name())
                    .append(" | ").append(format(m.median(), m.unit()))
                    .append(" | ").append(format(m.min(), m.unit()))
                    .append(" | ").append(format(m.max(), m.unit()))
                    .append(" | ").append(m.samples().size())
                    .append(" | ").append(reference == null ? "" : reference.name() + ": " + format(reference.value(), m.unit()))
                    .append(" | ").append(reference == null ? "" : String.format(Locale.ROOT, "%.2f", m.median() / reference.value()))
                    .append(" | ").append(m.note()).append(" |\n");
        }
        return out.toString();
    }

    private static List<Measurement> sorted() {
        return MEASUREMENTS.stream()
                .sorted(Comparator.comparing(Measurement::section).thenComparing(Measurement::order))
                .toList();
    }

    static String format(double value, String unit) {
        return switch (unit) {
            case "s" -> String.format(Locale.ROOT, "%.1f s", value);
            case "bytes" -> bytes(value);
            case "records/s" -> String.format(Locale.ROOT, "%,.0f records/s", value);
            default -> String.format(Locale.ROOT, "%.1f %s", value, unit);
        };
    }

    private static String bytes(double value) {
        if (value >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", value / (1024 * 1024));
        }
        if (value >= 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", value / 1024);
        }
        return String.format(Locale.ROOT, "%.0f B", value);
    }

    private static void write() {
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve("bench.md"), markdown(), StandardCharsets.UTF_8);
            ObjectNode root = JSON.createObjectNode();
            root.put("measuredAt", STARTED.toString());
            ObjectNode machine = root.putObject("machine");
            MACHINE.forEach(machine::put);
            ArrayNode measurements = root.putArray("measurements");
            for (Measurement m : sorted()) {
                ObjectNode node = measurements.addObject();
                node.put("section", m.section().title);
                node.put("name", m.name());
                node.put("unit", m.unit());
                node.set("median", number(m.median()));
                node.set("min", number(m.min()));
                node.set("max", number(m.max()));
                node.put("runs", m.samples().size());
                ArrayNode samples = node.putArray("samples");
                m.samples().forEach(sample -> samples.add(number(sample)));
                node.put("how", m.note());
                if (m.reference() != null) {
                    node.put("reference", m.reference().name());
                    node.set("referenceValue", number(m.reference().value()));
                    node.set("ratio", number(m.median() / m.reference().value()));
                }
            }
            JSON.writeValue(DIR.resolve("bench.json").toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark report under " + DIR, e);
        }
    }

    /** Whole numbers (bytes) as integers, times and rates rounded to milliseconds and hundredths. */
    private static JsonNode number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return JSON.getNodeFactory().numberNode((long) value);
        }
        return JSON.getNodeFactory().numberNode(Math.round(value * 1000) / 1000.0);
    }

    /** Prints the table so far (each benchmark class does when it ends). */
    static void print() {
        System.out.println();
        System.out.println(markdown());
        System.out.println("(written to " + DIR.toAbsolutePath().normalize() + "/bench.md and bench.json)");
    }

    /** What the figures were measured on. */
    static final class Machine {

        private Machine() {}

        static Map<String, String> describe() {
            Map<String, String> machine = new LinkedHashMap<>();
            String cpu = firstMatch(Path.of("/proc/cpuinfo"), "model name").orElse("unknown CPU");
            int cores = Runtime.getRuntime().availableProcessors();
            long memoryKib = firstMatch(Path.of("/proc/meminfo"), "MemTotal")
                    .map(value -> Long.parseLong(value.replaceAll("[^0-9]", "")))
                    .orElse(0L);
            String os = firstMatch(Path.of("/etc/os-release"), "PRETTY_NAME").orElse(System.getProperty("os.name"))
                    .replace("\"", "");
            String load = read(Path.of("/proc/loadavg")).split(" ")[0];
            machine.put("cpu", cpu);
            machine.put("cores", Integer.toString(cores));
            machine.put("memory", String.format(Locale.ROOT, "%.0f GiB", memoryKib / 1024.0 / 1024.0));
            machine.put("os", os + ", Linux " + System.getProperty("os.version"));
            machine.put("containerEngine", System.getProperty("container.engine", "docker"));
            machine.put("loadAverageAtStart", load);
            machine.put("summary", String.format(Locale.ROOT, "%s, %d cores, %s, %s, %s (load average %s at start)",
                    cpu, cores, machine.get("memory"), machine.get("os"), machine.get("containerEngine"), load));
            return machine;
        }

        private static Optional<String> firstMatch(Path file, String key) {
            return read(file).lines()
                    .filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(line.contains(":") ? ':' : '=') + 1).trim())
                    .findFirst();
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                return "";
            }
        }
    }
}
