package dev.flinkstack.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A copy of the sources the images are built from (poms, build-tools, job-template, images, the
 * chart's conf/), for tests and benchmarks that build images of their own without touching the
 * build's images/target.
 */
public final class RepositoryCopy {

    private static final Path REPOSITORY =
            Path.of(System.getProperty("repository.dir", "..")).toAbsolutePath().normalize();
    private static final Path BASE_IMAGE_TAR = Path.of(System.getProperty("base.image.tar",
            REPOSITORY.resolve("target/base-image/jre-base.tar").toString()));

    private final Path root;

    private RepositoryCopy(Path root) {
        this.root = root;
    }

    public static RepositoryCopy into(Path target) {
        try {
            Files.createDirectories(target.resolve("tests"));
            Files.copy(REPOSITORY.resolve("pom.xml"), target.resolve("pom.xml"));
            Files.copy(REPOSITORY.resolve("tests/pom.xml"), target.resolve("tests/pom.xml"));
            for (String module : List.of("build-tools", "job-template", "images", "charts/flink/conf")) {
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
            return new RepositoryCopy(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** Builds the copy's JobManager image tar, with extra Maven arguments. */
    public Path buildJobManagerImage(String... mavenArguments) {
        if (!Files.isRegularFile(BASE_IMAGE_TAR)) {
            throw new IllegalStateException("no base image tar at " + BASE_IMAGE_TAR + ": run make base-image");
        }
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-q", "-f",
                root.resolve("pom.xml").toString(), "-pl", "images", "-am", "package", "-DskipTests",
                "-Djib.skip=false", "-Dbase.image=tar://" + BASE_IMAGE_TAR, "-Dimage.registry=flinkstack-copy"));
        command.addAll(List.of(mavenArguments));
        Processes.run(Duration.ofMinutes(10), command).orThrow();
        return root.resolve("images/target/jib/flink-jobmanager.tar");
    }
}
