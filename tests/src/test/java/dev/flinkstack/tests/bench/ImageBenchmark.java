package dev.flinkstack.tests.bench;

import dev.flinkstack.tests.bench.BenchReport.Section;
import dev.flinkstack.tests.support.ImageTar;
import dev.flinkstack.tests.support.Processes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image sizes as users download and store them, and what a one-line change of the job's code costs:
 * the bytes of the image layers that differ between two builds of the repository, the second with
 * one line of the job edited.
 */
class ImageBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPOSITORY =
            Path.of(System.getProperty("repository.dir", "..")).toAbsolutePath().normalize();
    private static final Path BASE_IMAGE_TAR = Path.of(System.getProperty("base.image.tar",
            REPOSITORY.resolve("target/base-image/jre-base.tar").toString()));
    private static final String JOB_SOURCE =
            "job-template/src/main/java/dev/flinkstack/traffic/TrafficAnalyticsJob.java";
    private static final String CHANGED_LINE = "public static final String JOB_NAME = \"traffic-analytics\";";

    @AfterAll
    static void printReport() {
        BenchReport.print();
    }

    @Test
    void imageSizes() {
        int order = 0;
        for (String image : List.of("flink-jobmanager", "flink-taskmanager")) {
            Layers layers = Layers.read(ImageTar.builtBy(image));
            BenchReport.add(Section.IMAGES, order++, image + " image, compressed", "bytes",
                    List.of((double) layers.compressedBytes()), "layer blobs as pushed and pulled (gzip)");
            BenchReport.add(Section.IMAGES, order++, image + " image, uncompressed", "bytes",
                    List.of((double) layers.uncompressedBytes()), "layer tars as stored by the engine");
        }
    }

    @Test
    void bytesThatChangeAfterAOneLineJobChange(@TempDir Path work) throws IOException {
        assertThat(BASE_IMAGE_TAR).as("base image tar (make base-image)").isRegularFile();
        Path copy = work.resolve("repository");
        copyRepository(copy);
        Path before = buildJobManagerImage(copy, work.resolve("before.tar"));

        Path source = copy.resolve(JOB_SOURCE);
        String code = Files.readString(source);
        assertThat(code).as("the line the benchmark edits, in " + JOB_SOURCE).contains(CHANGED_LINE);
        Files.writeString(source,
                code.replace(CHANGED_LINE, CHANGED_LINE.replace("traffic-analytics", "traffic-analytics-v2")));
        Path after = buildJobManagerImage(copy, work.resolve("after.tar"));

        Layers old = Layers.read(before);
        Layers changed = Layers.read(after);
        long compressed = 0;
        long uncompressed = 0;
        int count = 0;
        for (Map.Entry<String, long[]> layer : changed.layers.entrySet()) {
            if (!old.layers.containsKey(layer.getKey())) {
                compressed += layer.getValue()[0];
                uncompressed += layer.getValue()[1];
                count++;
            }
        }
        String note = count + " of " + changed.layers.size() + " layers differ (job jar); "
                + "`mvn package` of a copy of the repository before and after editing one line of the job";
        BenchReport.add(Section.IMAGES, 10, "One-line job change: changed layer bytes, compressed", "bytes",
                List.of((double) compressed), note);
        BenchReport.add(Section.IMAGES, 11, "One-line job change: changed layer bytes, uncompressed", "bytes",
                List.of((double) uncompressed), note);
        assertThat(count).as("layers changed by a one-line job change").isBetween(1, 2);
    }

    /** The sources a build needs: poms, job-template, images (without build output). */
    private static void copyRepository(Path target) throws IOException {
        Files.createDirectories(target.resolve("tests"));
        Files.copy(REPOSITORY.resolve("pom.xml"), target.resolve("pom.xml"));
        Files.copy(REPOSITORY.resolve("tests/pom.xml"), target.resolve("tests/pom.xml"));
        for (String module : List.of("job-template", "images")) {
            Path from = REPOSITORY.resolve(module);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.filter(path -> !from.relativize(path).startsWith("target")).toList()) {
                    Path to = target.resolve(module).resolve(from.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }

    /** Builds the copy's JobManager image tar (job jar, runtime, Jib) and moves it to {@code tar}. */
    private static Path buildJobManagerImage(Path repository, Path tar) throws IOException {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-o", "-q", "-f",
                repository.resolve("pom.xml").toString(), "-pl", "images", "-am", "package", "-DskipTests",
                "-Djib.skip=false", "-Dbase.image=tar://" + BASE_IMAGE_TAR.toAbsolutePath(),
                "-Dimage.registry=flinkstack-bench", "-Dimage.tag=one-line-change"));
        Processes.run(Duration.ofMinutes(10), command).orThrow();
        Files.move(repository.resolve("images/target/jib/flink-jobmanager.tar"), tar);
        return tar;
    }

    /** The layers of an image tar: digest to {compressed, uncompressed} bytes. */
    private record Layers(Map<String, long[]> layers) {

        static Layers read(Path imageTar) {
            try (InputStream in = Files.newInputStream(imageTar)) {
                Map<String, byte[]> entries = TarEntries.read(in);
                JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
                Map<String, long[]> layers = new LinkedHashMap<>();
                for (JsonNode name : manifest.path("Layers")) {
                    byte[] blob = entries.get(name.asText());
                    long uncompressed;
                    try (GZIPInputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(blob))) {
                        uncompressed = gunzip.transferTo(OutputStream.nullOutputStream());
                    }
                    layers.put(name.asText(), new long[] {blob.length, uncompressed});
                }
                return new Layers(layers);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + imageTar, e);
            }
        }

        long compressedBytes() {
            return layers.values().stream().mapToLong(sizes -> sizes[0]).sum();
        }

        long uncompressedBytes() {
            return layers.values().stream().mapToLong(sizes -> sizes[1]).sum();
        }
    }

    /** The regular files of an (uncompressed, ustar) tar stream, by name. */
    private static final class TarEntries {

        private TarEntries() {}

        static Map<String, byte[]> read(InputStream in) throws IOException {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = field(header, 0, 100);
                String size = field(header, 124, 12).trim();
                long length = size.isEmpty() ? 0 : Long.parseLong(size, 8);
                byte[] content = in.readNBytes((int) length);
                in.skipNBytes((512 - length % 512) % 512);
                if (header[156] == '0' || header[156] == 0) {
                    entries.put(name, content);
                }
            }
            return entries;
        }

        private static String field(byte[] header, int offset, int length) {
            int end = offset;
            while (end < offset + length && header[end] != 0) {
                end++;
            }
            return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
        }
    }
}
