package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.JobOutput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input under load: files of flow records, one line in ten malformed in some way (broken or
 * wrongly typed JSON, short or long CSV, out-of-range values, empty and 64 KiB lines, non-ASCII and
 * control characters), stream into the job as fast as it reads them. The job keeps running without
 * a restart, the {@code malformedRecords} and {@code parsedRecords} metrics that dashboards and alerts
 * use count exactly what was injected, and the dead-letter output holds every malformed line once.
 */
class BadInputUnderLoadIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FILES = 10;
    private static final int LINES_PER_FILE = 40_000;
    private static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final Pattern METRIC_LINE =
            Pattern.compile("^flink_taskmanager_job_task_operator_(malformedRecords|parsedRecords)\\{.*} (\\S+)$");

    @Test
    void malformedRecordsAreCountedAndDeadLetteredWhileTheJobKeepsRunning() throws IOException {
        Path data = FlinkContainerCluster.newDataDir();
        Path input = data.resolve("input");
        Files.createDirectories(input);
        Files.setPosixFilePermissions(input, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> args = List.of("--job-classname", ExampleJob.MAIN_CLASS,
                "--source", "files", "--input-dir", "file:///flink-data/input", "--monitor-interval", "1s",
                "--checkpoint-interval", "2s", "--output", BoundedJob.OUTPUT);
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(args).dataDir(data).taskManagers(2).start()) {
            FlinkRest rest = cluster.rest();
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(3));

            List<String> malformed = new ArrayList<>();
            long valid = 0;
            Random random = new Random(7);
            List<String> samples = malformedSamples();
            long writeStarted = System.nanoTime();
            for (int file = 0; file < FILES; file++) {
                List<String> lines = new ArrayList<>(LINES_PER_FILE);
                for (int i = 0; i < LINES_PER_FILE; i++) {
                    if (random.nextInt(10) == 0) {
                        String line = samples.get(random.nextInt(samples.size()));
                        malformed.add(line);
                        lines.add(line);
                    } else {
                        lines.add(validLine(random, START + (long) file * LINES_PER_FILE + i));
                        valid++;
                    }
                }
                writeAtomically(input.resolve("flows-" + file + ".txt"), lines);
                Await.sleep(Duration.ofMillis(500));
            }
            long total = valid + malformed.size();

            Await.condition("the job to parse all " + total + " lines", Duration.ofMinutes(3),
                    () -> sum(cluster, "parsedRecords") + sum(cluster, "malformedRecords") >= total);
            double seconds = (System.nanoTime() - writeStarted) / 1e9;
            long parsed = sum(cluster, "parsedRecords");
            long counted = sum(cluster, "malformedRecords");

            assertThat(job.state()).isEqualTo("RUNNING");
            assertThat(job.fullyRunning()).isTrue();
            String restarts = Await.until("the job's numRestarts metric", Duration.ofSeconds(30), () -> Optional
                    .of(rest.get("/jobs/" + job.id() + "/metrics?get=numRestarts").path(0).path("value").asText())
                    .filter(value -> !value.isEmpty()));
            assertThat(restarts).as("restarts of the job").isEqualTo("0");
            assertThat(counted).as("malformedRecords metric").isEqualTo(malformed.size());
            assertThat(parsed).as("parsedRecords metric").isEqualTo(valid);

            // Dead-letter lines are committed with the next checkpoint.
            List<String> deadLetters = Await.until("every malformed line in the dead-letter output",
                    Duration.ofMinutes(1), () -> {
                        List<String> committed = deadLetterLines(data.resolve("output"));
                        return committed.size() >= malformed.size() ? Optional.of(committed) : Optional.empty();
                    });
            System.out.printf("Bad input under load: %d lines in %d files (%d malformed, %d kinds) read in %.1f s; "
                            + "malformedRecords=%d parsedRecords=%d, dead letters=%d, restarts=0%n",
                    total, FILES, malformed.size(), samples.size(), seconds, counted, parsed, deadLetters.size());
            assertThat(deadLetters).containsExactlyInAnyOrderElementsOf(malformed);
        } finally {
            FlinkContainerCluster.deleteRecursively(data);
        }
    }

    /** The sample file's lines, plus those a text file cannot show plainly. */
    private static List<String> malformedSamples() throws IOException {
        List<String> samples = new ArrayList<>();
        try (InputStream in = BadInputUnderLoadIT.class.getResourceAsStream("/faulttolerance/malformed-lines.txt")) {
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(samples::add);
        }
        samples.add("");
        samples.add(" \t ");
        samples.add("1767225600000,10.0.0.1,172.16.0.5,443,TCP,1200,\u0000");
        samples.add("\u001b[31m1767225600000\u001b[0m,10.0.0.1,172.16.0.5,443,TCP,1200,3");
        samples.add("x".repeat(64 * 1024));
        return samples;
    }

    private static String validLine(Random random, long ts) {
        String src = "10.0." + random.nextInt(4) + "." + (1 + random.nextInt(50));
        String dst = "172.16.0." + (1 + random.nextInt(32));
        int port = random.nextInt(65536);
        long bytes = random.nextInt(20_000);
        long packets = 1 + bytes / 1400;
        return random.nextBoolean()
                ? ts + "," + src + "," + dst + "," + port + ",TCP," + bytes + "," + packets
                : "{\"ts\":\"" + Instant.ofEpochMilli(ts) + "\",\"src\":\"" + src + "\",\"dst\":\"" + dst
                        + "\",\"dstPort\":" + port + ",\"proto\":\"UDP\",\"bytes\":" + bytes
                        + ",\"packets\":" + packets + "}";
    }

    /** Written under a hidden name, then renamed: the file source never sees half a file. */
    private static void writeAtomically(Path file, List<String> lines) throws IOException {
        Path hidden = file.resolveSibling("." + file.getFileName());
        Files.write(hidden, lines, StandardCharsets.UTF_8);
        Files.move(hidden, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A counter of the parse operator, summed over every TaskManager's Prometheus endpoint. */
    private static long sum(FlinkContainerCluster cluster, String metric) {
        long sum = 0;
        for (String taskManager : cluster.taskManagers()) {
            for (String line : cluster.metrics(taskManager).split("\n")) {
                Matcher matcher = METRIC_LINE.matcher(line);
                if (matcher.matches() && matcher.group(1).equals(metric)) {
                    sum += (long) Double.parseDouble(matcher.group(2));
                }
            }
        }
        return sum;
    }

    /** The original lines of the committed dead-letter records. */
    private static List<String> deadLetterLines(Path output) {
        List<String> lines = new ArrayList<>();
        for (String record : JobOutput.read(output).lines("malformed")) {
            try {
                JsonNode node = JSON.readTree(record);
                assertThat(node.path("reason").asText()).isNotBlank();
                lines.add(node.path("line").asText());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + record, e);
            }
        }
        return lines;
    }
}
