package dev.flinkstack.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The committed output of the example job: the JSON lines of {@code <output>/aggregates},
 * {@code alerts} and {@code malformed}, sorted. Only committed part files count; the FileSink keeps
 * in-progress and pending files hidden (a leading {@code .}), and a failed attempt may leave some behind.
 */
public record JobOutput(Map<String, List<String>> linesByStream) {

    /** The job's three outputs, as sub-directories of {@code --output}. */
    public static final List<String> STREAMS = List.of("aggregates", "alerts", "malformed");

    public static JobOutput read(Path outputDir) {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        for (String stream : STREAMS) {
            lines.put(stream, committedLines(outputDir.resolve(stream)));
        }
        return new JobOutput(lines);
    }

    public List<String> lines(String stream) {
        return linesByStream.getOrDefault(stream, List.of());
    }

    public int totalLines() {
        return linesByStream.values().stream().mapToInt(List::size).sum();
    }

    /** E.g. {@code aggregates=6000 alerts=59 malformed=120}. */
    public String summary() {
        return STREAMS.stream().map(stream -> stream + "=" + lines(stream).size()).collect(Collectors.joining(" "));
    }

    /**
     * Every line this output holds more or fewer times than {@code expected} does, at most
     * {@code limit} of them, e.g. {@code aggregates: missing 1x {...}}; empty when both are equal.
     */
    public List<String> differencesFrom(JobOutput expected, int limit) {
        List<String> differences = new ArrayList<>();
        for (String stream : STREAMS) {
            Map<String, Long> actualCounts = counts(lines(stream));
            Map<String, Long> expectedCounts = counts(expected.lines(stream));
            Map<String, Long> all = new TreeMap<>(expectedCounts);
            actualCounts.keySet().forEach(line -> all.putIfAbsent(line, 0L));
            for (String line : all.keySet()) {
                long delta = actualCounts.getOrDefault(line, 0L) - expectedCounts.getOrDefault(line, 0L);
                if (delta != 0 && differences.size() < limit) {
                    differences.add(stream + ": " + (delta < 0 ? "missing " + -delta : "extra " + delta) + "x " + line);
                }
            }
        }
        return differences;
    }

    private static Map<String, Long> counts(List<String> lines) {
        return lines.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /**
     * The lines of the committed files under {@code dir}, sorted. Hidden files, as readers of a FileSink's
     * output skip them, are not: "." starts in-progress files, "_" the S3 writer's pending part objects.
     */
    public static List<String> committedLines(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<String> lines = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().matches("[._].*"))
                    .toList()) {
                lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
            lines.sort(null);
            return List.copyOf(lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the job output under " + dir, e);
        }
    }
}
