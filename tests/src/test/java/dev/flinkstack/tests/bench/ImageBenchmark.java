package dev.flinkstack.tests.bench;

import dev.flinkstack.tests.bench.BenchReport.Section;
import dev.flinkstack.buildtools.ImageTar;
import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image sizes as users download and store them, and what a one-line change of the job's code costs:
 * the bytes of the image layers that differ between two builds of the repository, the second with
 * one line of the job edited.
 */
class ImageBenchmark {

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
            ImageTar tar = ImageTar.read(ImageTar.builtBy(image));
            BenchReport.add(Section.IMAGES, order++, image + " image, compressed", "bytes",
                    List.of((double) tar.compressedBytes()), "layer blobs as pushed and pulled (gzip)");
            BenchReport.add(Section.IMAGES, order++, image + " image, uncompressed", "bytes",
                    List.of((double) tar.uncompressedBytes()), "layer tars as stored by the engine");
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

        Set<String> unchanged = ImageTar.read(before).layers().stream()
                .map(ImageTar.Layer::blob)
                .collect(Collectors.toSet());
        List<ImageTar.Layer> layers = ImageTar.read(after).layers();
        List<ImageTar.Layer> changed = layers.stream().filter(layer -> !unchanged.contains(layer.blob())).toList();
        long compressed = changed.stream().mapToLong(ImageTar.Layer::compressedBytes).sum();
        long uncompressed = changed.stream().mapToLong(ImageTar.Layer::uncompressedBytes).sum();
        int count = changed.size();
        String note = count + " of " + layers.size() + " layers differ (job jar); "
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
}
