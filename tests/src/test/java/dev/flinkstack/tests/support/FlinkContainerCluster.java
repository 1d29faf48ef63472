package dev.flinkstack.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A standalone Flink cluster of the project's images on a container network of its own, started the
 * way the README tells users to: one JobManager (session or application) and N TaskManagers with a
 * host directory mounted at /flink-data. REST and metrics ports are published on 127.0.0.1 only.
 */
public final class FlinkContainerCluster implements AutoCloseable {

    public static final int REST_PORT = 8081;
    public static final int METRICS_PORT = 9249;
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    private final ContainerEngine engine = ContainerEngine.fromSystemProperties();
    private final String id = "flinkstack-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Builder settings;
    private final Path dataDir;
    private final List<String> containers = new ArrayList<>();
    private final List<String> taskManagers = new ArrayList<>();
    private int taskManagerCount;
    private FlinkRest rest;

    private FlinkContainerCluster(Builder settings) {
        this.settings = settings;
        try {
            this.dataDir = Files.createTempDirectory(id);
            // The containers run as uid 9999: let them write, as `make run` does.
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Builder session() {
        return new Builder(List.of("jobmanager"));
    }

    /** An application cluster running the image's job with these arguments. */
    public static Builder application(List<String> standaloneJobArguments) {
        List<String> args = new ArrayList<>(List.of("standalone-job"));
        args.addAll(standaloneJobArguments);
        return new Builder(args);
    }

    public static String jobManagerImage() {
        return System.getProperty("image.jobmanager", "flinkstack/flink-jobmanager:2.3.0");
    }

    public static String taskManagerImage() {
        return System.getProperty("image.taskmanager", "flinkstack/flink-taskmanager:2.3.0");
    }

    private FlinkContainerCluster start() {
        engine.createNetwork(id);
        String jobManager = id + "-jobmanager";
        containers.add(jobManager);
        engine.start(
                settings.customize.apply(
                        flinkContainer(jobManager, jobManagerImage())
                                .network(id, "jobmanager")
                                .publish(REST_PORT)
                                .args(settings.jobManagerArgs)));
        rest = new FlinkRest("127.0.0.1", engine.publishedPort(jobManager, REST_PORT));
        Await.until("the JobManager REST API", STARTUP_TIMEOUT, () -> java.util.Optional.of(rest.overview()));
        for (int i = 0; i < settings.taskManagers; i++) {
            startTaskManager();
        }
        awaitTaskManagers(settings.taskManagers);
        return this;
    }

    /** Starts one more TaskManager (a replacement, or a scale-out) and returns its container name. */
    public String startTaskManager() {
        String name = id + "-taskmanager-" + (++taskManagerCount);
        containers.add(name);
        taskManagers.add(name);
        engine.start(settings.customize.apply(flinkContainer(name, taskManagerImage()).network(id).args("taskmanager")));
        return name;
    }

    public void killTaskManager(String name) {
        engine.kill(name);
        taskManagers.remove(name);
    }

    public void awaitTaskManagers(int count) {
        Await.condition(
                count + " registered TaskManagers",
                STARTUP_TIMEOUT,
                () -> rest.overview().path("taskmanagers").asInt() == count);
    }

    private ContainerEngine.Container flinkContainer(String name, String image) {
        ContainerEngine.Container container =
                new ContainerEngine.Container(name, image)
                        .volume(dataDir.toString(), "/flink-data", false)
                        .publish(METRICS_PORT);
        if (settings.flinkProperties != null) {
            container.env("FLINK_PROPERTIES", settings.flinkProperties);
        }
        return container;
    }

    public FlinkRest rest() {
        return rest;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String jobManager() {
        return containers.get(0);
    }

    public List<String> taskManagers() {
        return List.copyOf(taskManagers);
    }

    public ContainerEngine engine() {
        return engine;
    }

    /** The Prometheus text a container's reporter serves on /metrics. */
    public String metrics(String container) {
        return new FlinkRest("127.0.0.1", engine.publishedPort(container, METRICS_PORT)).getText("/metrics");
    }

    /** Saves every container's log under target/e2e-logs, then removes containers, network and data. */
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
        deleteRecursively(dataDir);
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + root + ": " + e);
        }
    }

    /** How the cluster is started. */
    public static final class Builder {
        private final List<String> jobManagerArgs;
        private int taskManagers = 2;
        private String flinkProperties;
        private UnaryOperator<ContainerEngine.Container> customize = UnaryOperator.identity();

        private Builder(List<String> jobManagerArgs) {
            this.jobManagerArgs = jobManagerArgs;
        }

        public Builder taskManagers(int count) {
            this.taskManagers = count;
            return this;
        }

        /** FLINK_PROPERTIES for every container ("key: value" lines). */
        public Builder flinkProperties(String properties) {
            this.flinkProperties = properties;
            return this;
        }

        /** Applied to every container before it starts (extra mounts, --read-only, ...). */
        public Builder customize(UnaryOperator<ContainerEngine.Container> customize) {
            this.customize = customize;
            return this;
        }

        public FlinkContainerCluster start() {
            FlinkContainerCluster cluster = new FlinkContainerCluster(this);
            try {
                return cluster.start();
            } catch (RuntimeException | AssertionError e) {
                cluster.close();
                throw e;
            }
        }
    }
}
