package dev.flinkstack.tests.bench;

import dev.flinkstack.tests.bench.BenchReport.Section;
import dev.flinkstack.buildtools.ImageTar;
import dev.flinkstack.tests.support.RepositoryCopy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image sizes as users download and store them, and what a one-line change of the job's code costs:
 * the bytes of the image layers that differ between two builds of the repository, the second with
 * one line of the job edited.
 */
class ImageBenchmark {

    private static final String JOB_SOURCE =
            "job-template/src/main/java/dev/flinkstack/traffic/TrafficAnalyticsJob.java";
    private static final String CHANGED_LINE = "public static final String JOB_NAME = \"traffic-analytics\";";

    @AfterAll
    static void printReport() {
        BenchReport.print();
    }

    /** The official image's size as its registry reports it (docker-library/repo-info, linux/amd64, 2026-08). */
    private static final BenchReport.Reference OFFICIAL_IMAGE =
            new BenchReport.Reference("official flink:2.3.0-java17, compressed", 701.1e6);

    @Test
    void imageSizes() {
        int order = 0;
        for (String image : List.of("flink-jobmanager", "flink-taskmanager")) {
            ImageTar tar = ImageTar.read(ImageTar.builtBy(image));
            BenchReport.add(Section.IMAGES, order++, image + " image, compressed", "bytes",
                    List.of((double) tar.compressedBytes()), "layer blobs as pushed and pulled (gzip); layers: "
                            + layers(tar), OFFICIAL_IMAGE);
            BenchReport.add(Section.IMAGES, order++, image + " image, uncompressed", "bytes",
                    List.of((double) tar.uncompressedBytes()), "layer tars as stored by the engine");
        }
    }

    /** Each layer with content, e.g. "lib/ 201.8 MiB", in image order. */
    private static String layers(ImageTar tar) {
        List<String> layers = new ArrayList<>();
        for (ImageTar.Layer layer : tar.layers()) {
            if (layer.compressedBytes() < 1024) {
                continue;
            }
            String content = layer == tar.layers().get(0) ? "base (Debian files, JRE)" : layer.files().keySet().stream().findFirst()
                    .map(path -> layer.files().size() == 1 ? path : path.substring(0, path.lastIndexOf('/') + 1))
                    .orElse("(directories)");
            layers.add(content.replace("opt/flink/", "") + " " + BenchReport.format(layer.compressedBytes(), "bytes"));
        }
        return String.join(", ", layers);
    }

    @Test
    void bytesThatChangeAfterAOneLineJobChange(@TempDir Path work) throws IOException {
        RepositoryCopy copy = RepositoryCopy.into(work.resolve("repository"));
        Path before = Files.move(copy.buildJobManagerImage("-Dimage.tag=before"), work.resolve("before.tar"));

        Path source = copy.root().resolve(JOB_SOURCE);
        String code = Files.readString(source);
        assertThat(code).as("the line the benchmark edits, in " + JOB_SOURCE).contains(CHANGED_LINE);
        Files.writeString(source,
                code.replace(CHANGED_LINE, CHANGED_LINE.replace("traffic-analytics", "traffic-analytics-v2")));
        Path after = copy.buildJobManagerImage("-Dimage.tag=after");

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

}
