package dev.flinkstack.tests.distribution;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.Processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * `docker run` the way Flink's documentation shows it, on a network of the test's own: containers
 * named by their role (a network alias, as `--name` gives on a user-defined network), published
 * ports on 127.0.0.1 only. Closing saves every log under target/e2e-logs and removes everything.
 */
final class DockerRuns implements AutoCloseable {

    static final Duration STARTUP = Duration.ofMinutes(2);

    private final ContainerEngine engine = ContainerEngine.fromSystemProperties();
    private final String id = "flinkstack-docs-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> containers = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();

    DockerRuns() {
        engine.createNetwork(id);
    }

    /** Jars of jobs and formats nobody here wrote (flink-examples-streaming, flink-sql-avro). */
    static Path distributionJar(String name) {
        return Path.of(System.getProperty("distribution.jars", "target/distribution-jars"), name);
    }

    /** A container on the network, reachable there as {@code role}; the caller adds options and starts it. */
    ContainerEngine.Container container(String role, String image) {
        return new ContainerEngine.Container(id + "-" + role, image).network(id, role);
    }

    String start(ContainerEngine.Container container) {
        String name = engine.start(container);
        containers.add(name);
        return name;
    }

    /** A directory the containers' uid 9999 may write, removed on close. */
    Path directory() {
        try {
            Path dir = Files.createTempDirectory(id);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            directories.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The REST API of a container's published port 8081 (or another), once it answers. */
    FlinkRest rest(String container, int port) {
        FlinkRest rest = new FlinkRest("127.0.0.1", engine.publishedPort(container, port));
        Await.until("the REST API of " + container, STARTUP, () -> Optional.of(rest.get(port == 8081 ? "/overview" : "/config")));
        return rest;
    }

    Processes.Result exec(String container, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(command));
        return Processes.run(Duration.ofMinutes(3), withEngine(args));
    }

    /** Runs a container to its end (`docker run --rm` in the foreground) and returns what it printed. */
    Processes.Result runToEnd(Duration timeout, ContainerEngine.Container container) {
        String name = start(container);
        int exitCode = Integer.parseInt(
                Processes.run(timeout, withEngine(List.of("wait", name))).orThrow().stdout().strip());
        Processes.Result logs = engine.run("logs", name);
        return new Processes.Result(List.of("run", name), exitCode, logs.stdout(), logs.stderr());
    }

    String logs(String container) {
        return engine.logs(container);
    }

    ContainerEngine engine() {
        return engine;
    }

    private List<String> withEngine(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("container.engine", "docker"));
        command.addAll(args);
        return command;
    }

    @Override
    public void close() {
        Path logDir = Path.of("target", "e2e-logs", id);
        for (String container : containers) {
            try {
                Files.createDirectories(logDir);
                Files.writeString(logDir.resolve(container + ".log"), engine.logs(container));
            } catch (IOException | RuntimeException e) {
                System.err.println("cannot save the log of " + container + ": " + e);
            }
            engine.remove(container);
        }
        engine.removeNetwork(id);
        directories.forEach(FlinkContainerCluster::deleteRecursively);
    }
}
