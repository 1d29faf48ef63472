package dev.flinkstack.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A standalone Flink cluster of the project's images on a container network of its own, started the
 * way the README tells users to: JobManagers (session or application) and TaskManagers with a host
 * directory mounted at /flink-data. For tests that break it: any number of JobManagers (with
 * ZooKeeper high availability, a leader and standbys that each advertise their own address),
 * TaskManagers started, killed and stopped at will, a chosen image version, and a data volume that
 * may outlive the cluster as the chart's PersistentVolumeClaim outlives a release (savepoint
 * upgrades). REST and metrics ports are published on 127.0.0.1 only.
 */
public final class FlinkContainerCluster implements AutoCloseable {

    public static final int REST_PORT = 8081;
    public static final int METRICS_PORT = 9249;
    /** The bucket of {@link Builder#s3Storage()}. */
    public static final String S3_BUCKET = "flink-state";
    /** Where the containers reach the Kafka broker of {@link Builder#kafka}. */
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka:" + KafkaBroker.PORT;

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
    private static final String LEADER_LOG_LINE = "DefaultDispatcherRunner was granted leadership";

    private final ContainerEngine engine = ContainerEngine.fromSystemProperties();
    private final String id = "flinkstack-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Builder settings;
    private final Path dataDir;
    private final List<String> containers = new ArrayList<>();
    private final List<String> jobManagers = new ArrayList<>();
    private final List<String> taskManagers = new ArrayList<>();
    private final Map<String, FlinkRest> restClients = new HashMap<>();
    private ZooKeeperServer zooKeeper;
    private S3Server s3;
    private KafkaBroker kafka;
    private InternalTls tls;
    private int jobManagerCount;
    private int taskManagerCount;

    private FlinkContainerCluster(Builder settings) {
        this.settings = settings;
        try {
            this.dataDir = settings.dataDir != null ? settings.dataDir : Files.createTempDirectory(id);
            // The containers run as uid 9999: let them write, as `make run` does.
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A session cluster: JobManagers run {@code jobmanager}; jobs are submitted over REST. */
    public static Builder session() {
        return new Builder(List.of("jobmanager"));
    }

    /** An application cluster: JobManagers run {@code standalone-job} with these arguments. */
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

    /** Builds a new version of both images (a layer more), tagged with their tag plus {@code suffix}: an upgrade's target. */
    public static void buildNewImageVersions(ContainerEngine engine, String suffix, Path buildContext) {
        for (String image : List.of(jobManagerImage(), taskManagerImage())) {
            engine.buildNewVersion(image, image + suffix, buildContext);
        }
    }

    /** A fresh data directory with the permissions the containers need; the caller deletes it. */
    public static Path newDataDir() {
        try {
            return Files.createTempDirectory("flinkstack-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FlinkContainerCluster start() {
        engine.createNetwork(id);
        if (settings.internalTls) {
            try {
                tls = InternalTls.create(Files.createTempDirectory(id + "-tls"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (settings.s3Storage) {
            s3 = S3Server.start(engine, id + "-s3", id, "s3", S3_BUCKET);
        }
        if (settings.highAvailabilityClusterId != null) {
            zooKeeper = ZooKeeperServer.start(engine, id + "-zookeeper", id, "zookeeper");
        }
        if (settings.kafkaTopics != null) {
            kafka = KafkaBroker.start(engine, id + "-kafka", id, "kafka", settings.kafkaTopics);
        }
        for (int i = 0; i < settings.jobManagers; i++) {
            startJobManager();
        }
        awaitLeader(STARTUP_TIMEOUT);
        for (int i = 0; i < settings.taskManagers; i++) {
            startTaskManager();
        }
        awaitTaskManagers(settings.taskManagers);
        return this;
    }

    /**
     * Starts one more JobManager (a standby, or the replacement of a killed one) with the cluster's
     * arguments and returns its container name. With HA it advertises its own name, as the chart's
     * JobManager pods advertise their pod IP; without, it is "jobmanager", the name the images'
     * configuration points TaskManagers to.
     */
    public String startJobManager() {
        String name = id + "-jobmanager-" + (++jobManagerCount);
        String address = highAvailability() ? "jobmanager-" + jobManagerCount : "jobmanager";
        ContainerEngine.Container container = flinkContainer(name, settings.jobManagerImage)
                .network(id, address)
                .publish(REST_PORT)
                .args(settings.jobManagerArgs);
        if (highAvailability()) {
            container.env("JOB_MANAGER_RPC_ADDRESS", address);
        }
        containers.add(name);
        jobManagers.add(name);
        engine.start(settings.customize.apply(container));
        return name;
    }

    /** Starts one more TaskManager (a replacement, or a scale-out) and returns its container name. */
    public String startTaskManager() {
        String name = id + "-taskmanager-" + (++taskManagerCount);
        containers.add(name);
        taskManagers.add(name);
        engine.start(settings.customize.apply(
                flinkContainer(name, settings.taskManagerImage).network(id).args("taskmanager")));
        return name;
    }

    /** SIGKILL: the process gets no chance to clean up, as when a node or a pod dies. */
    public void kill(String container) {
        engine.kill(container);
        jobManagers.remove(container);
        taskManagers.remove(container);
    }

    /** SIGTERM, then SIGKILL after 30 s: what Kubernetes does when it scales a Deployment down. */
    public void stop(String container) {
        engine.run("stop", "--time", "30", container).orThrow();
        jobManagers.remove(container);
        taskManagers.remove(container);
    }

    public void awaitTaskManagers(int count) {
        Await.condition(count + " registered TaskManagers", STARTUP_TIMEOUT,
                () -> rest().overview().path("taskmanagers").asInt() == count);
    }

    /**
     * The JobManager that leads: the only one without HA; with HA the running JobManager whose
     * dispatcher was granted leadership last (the others are standbys).
     */
    public Optional<String> leader() {
        if (!highAvailability()) {
            return jobManagers.stream().findFirst();
        }
        String leader = null;
        String latestGrant = "";
        for (String jobManager : jobManagers) {
            String grant = engine.logs(jobManager).lines()
                    .filter(line -> line.contains(LEADER_LOG_LINE))
                    .reduce((first, second) -> second)
                    .orElse("");
            // Log lines start with an ISO timestamp, so the later grant sorts last.
            if (!grant.isEmpty() && grant.compareTo(latestGrant) > 0) {
                latestGrant = grant;
                leader = jobManager;
            }
        }
        return Optional.ofNullable(leader);
    }

    /** Waits for a leading JobManager whose REST API answers, and returns its name. */
    public String awaitLeader(Duration timeout) {
        return Await.until("a leading JobManager with a REST API", timeout, () -> leader()
                .filter(jobManager -> rest(jobManager).overview().has("taskmanagers")));
    }

    /** The leading JobManager's REST API (the only JobManager's, without HA). */
    public FlinkRest rest() {
        return rest(jobManager());
    }

    /** The leading JobManager (the only one, without HA). */
    public String jobManager() {
        return leader().orElseThrow(() -> new IllegalStateException("no leading JobManager"));
    }

    public FlinkRest rest(String jobManager) {
        return restClients.computeIfAbsent(jobManager,
                name -> new FlinkRest("127.0.0.1", engine.publishedPort(name, REST_PORT)));
    }

    /** Runs the image's Flink CLI inside a container, as the chart's README tells users to. */
    public Processes.Result flinkCli(String container, String... args) {
        List<String> command = new ArrayList<>(List.of("exec", container, "/opt/flink/bin/entrypoint.sh", "flink"));
        command.addAll(List.of(args));
        return engine.run(command);
    }

    /** Waits for a container to exit and returns its exit code. */
    public int awaitExit(String container, Duration timeout) {
        return Await.until(container + " to exit", timeout, () -> {
            String[] state = engine.run("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", container)
                    .orThrow().stdout().trim().split(" ");
            return "false".equals(state[0]) ? Optional.of(Integer.parseInt(state[1])) : Optional.empty();
        });
    }

    /** The id of the image a container runs. */
    public String imageId(String container) {
        return engine.run("inspect", "--format", "{{.Image}}", container).orThrow().stdout().trim();
    }

    /** The Prometheus text a container's reporter serves on /metrics. */
    public String metrics(String container) {
        return new FlinkRest("127.0.0.1", engine.publishedPort(container, METRICS_PORT)).getText("/metrics");
    }

    public boolean highAvailability() {
        return settings.highAvailabilityClusterId != null;
    }

    public List<String> jobManagers() {
        return List.copyOf(jobManagers);
    }

    public List<String> taskManagers() {
        return List.copyOf(taskManagers);
    }

    /**
     * The TaskManagers that run tasks now, seen by the task metrics their reporters serve. A job
     * may fit into the slots of fewer TaskManagers than the cluster has: killing an idle one would
     * not touch it.
     */
    public List<String> taskManagersRunningTasks() {
        return taskManagers.stream()
                .filter(taskManager -> metrics(taskManager).contains("flink_taskmanager_job_task_numRecordsIn{"))
                .toList();
    }

    public Path dataDir() {
        return dataDir;
    }

    public ContainerEngine engine() {
        return engine;
    }

    /** The S3 server of {@link Builder#s3Storage()}. */
    public S3Server s3() {
        return Objects.requireNonNull(s3, "the cluster keeps its state on the data volume");
    }

    /** The Kafka broker of {@link Builder#kafka}. */
    public KafkaBroker kafka() {
        return Objects.requireNonNull(kafka, "the cluster has no Kafka broker");
    }

    /** Where checkpoints go, as Flink reports their paths: the data volume, or the S3 bucket. */
    public String checkpointsDir() {
        return settings.s3Storage ? "s3://" + S3_BUCKET + "/checkpoints" : "file:/flink-data/checkpoints";
    }

    private ContainerEngine.Container flinkContainer(String name, String image) {
        ContainerEngine.Container container = new ContainerEngine.Container(name, image)
                .volume(dataDir.toString(), "/flink-data", false)
                .publish(METRICS_PORT);
        String properties = flinkProperties();
        if (!properties.isEmpty()) {
            container.env("FLINK_PROPERTIES", properties);
        }
        if (tls != null) {
            container.volume(tls.keystoreDir().toString(), tls.mountPath(), true).env(tls.passwordVariable(), tls.keys().password());
        }
        if (settings.s3Storage) {
            container.env("ENABLE_BUILT_IN_PLUGINS", "flink-s3-fs-hadoop-" + System.getProperty("flink.version") + ".jar")
                    .env("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY)
                    .env("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
        }
        return container;
    }

    // The keys the chart derives for S3 storage and ZooKeeper HA, then the test's own (which win).
    private String flinkProperties() {
        StringBuilder properties = new StringBuilder();
        String durable = settings.s3Storage ? "s3://" + S3_BUCKET : "file:///flink-data";
        if (settings.s3Storage) {
            properties.append("execution.checkpointing.dir: ").append(durable).append("/checkpoints\n")
                    .append("execution.checkpointing.savepoint-dir: ").append(durable).append("/savepoints\n")
                    .append("s3.endpoint: ").append(s3.endpoint()).append('\n')
                    .append("s3.path.style.access: true\n")
                    .append("s3.directory.marker.retention: keep\n");
        }
        if (highAvailability()) {
            properties.append("high-availability.type: zookeeper\n")
                    .append("high-availability.zookeeper.quorum: ").append(zooKeeper.quorum()).append('\n')
                    .append("high-availability.zookeeper.path.root: /flink\n")
                    .append("high-availability.zookeeper.client.session-timeout: ")
                    .append(settings.zooKeeperSessionTimeout.toMillis()).append('\n')
                    .append("high-availability.cluster-id: ").append(settings.highAvailabilityClusterId).append('\n')
                    .append("high-availability.storageDir: ").append(durable).append("/ha\n");
        }
        if (tls != null) {
            properties.append(tls.properties());
        }
        if (settings.flinkProperties != null) {
            properties.append(settings.flinkProperties);
        }
        return properties.toString();
    }

    /**
     * Internal TLS as the chart configures it: the keys its tls.internal adds to the rendered
     * configuration, a keystore pair made by keytool in a directory mounted where those keys point,
     * and the password in the variable the keys reference.
     */
    private record InternalTls(String properties, Path keystoreDir, String mountPath, String passwordVariable, Keystores keys) {

        static InternalTls create(Path dir) {
            Values tls = Values.of("tls.internal.enabled", true,
                    "tls.internal.existingSecret", "flink-tls", "tls.internal.password.existingSecret", "flink-tls");
            JsonNode plain = renderedConfig(Values.defaults());
            JsonNode config = renderedConfig(tls);
            StringBuilder properties = new StringBuilder();
            config.fieldNames().forEachRemaining(key -> {
                if (!config.path(key).equals(plain.path(key))) {
                    properties.append(key).append(": ").append(config.path(key).asText()).append('\n');
                }
            });
            Matcher password = Pattern.compile("^\\$\\{(\\w+)}$").matcher(config.path("security.ssl.internal.keystore-password").asText());
            if (!password.matches()) {
                throw new IllegalStateException("the chart's keystore password is not a ${VARIABLE}: " + config);
            }
            Keystores keys = Keystores.selfSigned(dir, "flink-internal", "internal-tls-password");
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                for (Map.Entry<String, byte[]> file : keys.secretData().entrySet()) {
                    Path path = dir.resolve(file.getKey());
                    Files.write(path, file.getValue());
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String mountPath = Path.of(config.path("security.ssl.internal.keystore").asText()).getParent().toString();
            return new InternalTls(properties.toString(), dir, mountPath, password.group(1), keys);
        }

        private static JsonNode renderedConfig(Values values) {
            Manifests chart = Helm.binaries().findFirst().orElseThrow().render(values);
            return Manifests.yaml(chart.get("ConfigMap", "flink-config").at("/data/config.yaml").asText());
        }
    }

    /**
     * Saves every container's log under target/e2e-logs, then removes containers, ZooKeeper and the
     * network, and the data directory unless the builder was given one.
     */
    @Override
    public void close() {
        Path logDir = Path.of("target", "e2e-logs", id);
        for (String container : containers) {
            saveLog(logDir, container, () -> engine.logs(container));
            engine.remove(container);
        }
        if (zooKeeper != null) {
            saveLog(logDir, zooKeeper.name(), zooKeeper::logs);
            zooKeeper.close();
        }
        if (s3 != null) {
            saveLog(logDir, id + "-s3", s3::logs);
            s3.close();
        }
        if (kafka != null) {
            saveLog(logDir, id + "-kafka", kafka::logs);
            kafka.close();
        }
        engine.removeNetwork(id);
        if (tls != null) {
            deleteRecursively(tls.keystoreDir());
        }
        if (settings.dataDir == null) {
            deleteRecursively(dataDir);
        }
    }

    private static void saveLog(Path logDir, String container, Supplier<String> log) {
        try {
            Files.createDirectories(logDir);
            Files.writeString(logDir.resolve(container + ".log"), log.get());
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot save the log of " + container + ": " + e);
        }
    }

    /** Deletes a directory tree (the containers' files included: the tests run as root or as uid 9999). */
    public static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + root + ": " + e);
        }
    }

    /** How the cluster is started. */
    public static final class Builder {
        private final List<String> jobManagerArgs;
        private String jobManagerImage = jobManagerImage();
        private String taskManagerImage = taskManagerImage();
        private int jobManagers = 1;
        private int taskManagers = 2;
        private String flinkProperties;
        private String highAvailabilityClusterId;
        private Duration zooKeeperSessionTimeout = Duration.ofSeconds(8);
        private Path dataDir;
        private boolean s3Storage;
        private boolean internalTls;
        private Map<String, Integer> kafkaTopics;
        private UnaryOperator<ContainerEngine.Container> customize = UnaryOperator.identity();

        private Builder(List<String> jobManagerArgs) {
            this.jobManagerArgs = jobManagerArgs;
        }

        /** Image versions other than the build's, e.g. for an upgrade. */
        public Builder images(String jobManagerImage, String taskManagerImage) {
            this.jobManagerImage = jobManagerImage;
            this.taskManagerImage = taskManagerImage;
            return this;
        }

        public Builder jobManagers(int count) {
            this.jobManagers = count;
            return this;
        }

        public Builder taskManagers(int count) {
            this.taskManagers = count;
            return this;
        }

        /** FLINK_PROPERTIES for every Flink container ("key: value" lines). */
        public Builder flinkProperties(String properties) {
            this.flinkProperties = properties;
            return this;
        }

        /**
         * ZooKeeper HA, as the chart configures it: a ZooKeeper server on the network, the HA keys,
         * and metadata under /flink-data/ha. A killed leader's ZooKeeper session, and so its
         * leadership, ends after {@code sessionTimeout}.
         */
        public Builder zooKeeperHighAvailability(String clusterId, Duration sessionTimeout) {
            this.highAvailabilityClusterId = clusterId;
            this.zooKeeperSessionTimeout = sessionTimeout;
            return this;
        }

        /**
         * Checkpoints, savepoints and HA metadata in S3, as the chart's {@code checkpoints.s3} keeps
         * them: an S3 server (S3Proxy) on the network, the S3 plugin and keys in every Flink container.
         */
        public Builder s3Storage() {
            this.s3Storage = true;
            return this;
        }

        /** TLS on RPC, blob and data connections, with the chart's tls.internal configuration and a keytool key pair. */
        public Builder internalTls() {
            this.internalTls = true;
            return this;
        }

        /**
         * A Kafka broker on the network ({@link #KAFKA_BOOTSTRAP_SERVERS}), started
         * before the JobManagers with these topics (name to partition count).
         */
        public Builder kafka(Map<String, Integer> topics) {
            this.kafkaTopics = topics;
            return this;
        }

        /** Mount this directory at /flink-data and keep it on close (the caller deletes it). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Applied to every Flink container before it starts (extra mounts, --read-only, ...). */
        public Builder customize(UnaryOperator<ContainerEngine.Container> customize) {
            this.customize = customize;
            return this;
        }

        public FlinkContainerCluster start() {
            FlinkContainerCluster deployment = new FlinkContainerCluster(this);
            try {
                return deployment.start();
            } catch (RuntimeException | AssertionError e) {
                deployment.close();
                throw e;
            }
        }
    }
}
