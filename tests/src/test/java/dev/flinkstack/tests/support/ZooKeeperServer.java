package dev.flinkstack.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A standalone ZooKeeper server from the machine's Debian packages ({@code zookeeper}, which brings
 * {@code libzookeeper-java} and {@code libslf4j-java}), run inside a container on a test network so
 * that it listens on that network only. The project's JobManager image supplies the JRE;
 * {@code /usr/share/java} is mounted read-only and a generated {@code zoo.cfg} configures the server.
 */
public final class ZooKeeperServer implements AutoCloseable {

    public static final int CLIENT_PORT = 2181;

    /** Where Debian's packages put the jars (override with -Dzookeeper.libraries). */
    private static final Path LIBRARIES = Path.of(System.getProperty("zookeeper.libraries", "/usr/share/java"));

    private static final List<String> CLASSPATH =
            List.of("zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar");
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(1);

    private final ContainerEngine engine;
    private final String name;
    private final String alias;
    private final Path configDir;

    private ZooKeeperServer(ContainerEngine engine, String name, String alias, Path configDir) {
        this.engine = engine;
        this.name = name;
        this.alias = alias;
        this.configDir = configDir;
    }

    /**
     * Starts the server as container {@code name} on {@code network}, reachable there as
     * {@code alias:2181}, and waits until it answers {@code ruok}.
     */
    public static ZooKeeperServer start(ContainerEngine engine, String name, String network, String alias) {
        for (String jar : CLASSPATH) {
            if (!Files.isReadable(LIBRARIES.resolve(jar))) {
                throw new IllegalStateException(LIBRARIES.resolve(jar)
                        + " is missing: install Debian's ZooKeeper "
                        + "(apt-get install --no-install-recommends zookeeper)");
            }
        }
        Path configDir = writeConfig();
        ZooKeeperServer server = new ZooKeeperServer(engine, name, alias, configDir);
        try {
            String classpath = CLASSPATH.stream()
                    .map(jar -> "/usr/share/java/" + jar)
                    .collect(Collectors.joining(":"));
            engine.start(new ContainerEngine.Container(name, FlinkContainerCluster.jobManagerImage())
                    .network(network, alias)
                    .volume(LIBRARIES.toString(), "/usr/share/java", true)
                    .volume(configDir.toString(), "/etc/zookeeper", true)
                    .entrypoint("java")
                    .args("-Xmx128m", "-cp", classpath,
                            "org.apache.zookeeper.server.ZooKeeperServerMain", "/etc/zookeeper/zoo.cfg"));
            Await.condition("ZooKeeper to answer ruok", STARTUP_TIMEOUT,
                    () -> "imok".equals(server.fourLetterWord("ruok")));
            return server;
        } catch (RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
    }

    /** The connection string Flink's {@code high-availability.zookeeper.quorum} takes. */
    public String quorum() {
        return alias + ":" + CLIENT_PORT;
    }

    public String name() {
        return name;
    }

    /** Sends a four-letter command from inside the container (bash's /dev/tcp) and returns the answer. */
    public String fourLetterWord(String command) {
        // A bounded read: a server still starting may accept the connection and never answer.
        Processes.Result result = engine.run("exec", name, "bash", "-c",
                "exec 3<>/dev/tcp/127.0.0.1/" + CLIENT_PORT + " && echo " + command + " >&3"
                        + " && { read -r -t 5 reply <&3; echo \"$reply\"; }");
        return result.succeeded() ? result.stdout().trim() : "";
    }

    public String logs() {
        return engine.logs(name);
    }

    @Override
    public void close() {
        engine.remove(name);
        try (var files = Files.walk(configDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + configDir + ": " + e);
        }
    }

    // Short ticks so that the session of a killed JobManager expires within seconds: the server's
    // session timeouts are bounded by 2 and 20 ticks (1 s .. 10 s).
    private static Path writeConfig() {
        try {
            Path dir = Files.createTempDirectory("zookeeper");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path config = dir.resolve("zoo.cfg");
            Files.writeString(config, String.join("\n",
                    "tickTime=500",
                    "initLimit=10",
                    "syncLimit=5",
                    "dataDir=/tmp/zookeeper",
                    "clientPort=" + CLIENT_PORT,
                    "admin.enableServer=false",
                    "4lw.commands.whitelist=ruok",
                    ""));
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
