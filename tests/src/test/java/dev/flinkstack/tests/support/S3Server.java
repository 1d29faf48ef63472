package dev.flinkstack.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real S3 API: S3Proxy ({@code org.gaul:s3proxy}, its jar with dependencies from Maven Central) with
 * its in-memory backend, run inside a container on a test network, with its port published on
 * 127.0.0.1 for the test. It checks request signatures (AWS v2 and v4) against one access key, so a
 * wrong key fails as on AWS. Its filesystem backends are no S3: deleting a "directory" key that
 * still has keys below it never answers, and S3A deletes such directory markers. The test reads
 * objects through the API with curl's SigV4 signing. The project's JobManager image supplies the JRE.
 */
public final class S3Server implements AutoCloseable {

    public static final int PORT = 9000;
    public static final String ACCESS_KEY = "flinkstack-test";
    public static final String SECRET_KEY = "flinkstack-test-secret";

    private static final Path JAR = Path.of(System.getProperty("distribution.jars", "target/distribution-jars"), "s3proxy.jar");
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern KEY = Pattern.compile("<Key>([^<]*)</Key>");
    private static final Pattern NEXT = Pattern.compile("<NextContinuationToken>([^<]*)</NextContinuationToken>");

    private final ContainerEngine engine;
    private final String name;
    private final String alias;
    private final Path configDir;
    private int hostPort;

    private S3Server(ContainerEngine engine, String name, String alias, Path configDir) {
        this.engine = engine;
        this.name = name;
        this.alias = alias;
        this.configDir = configDir;
    }

    /**
     * Starts the server as container {@code name} on {@code network}, reachable there as
     * {@code http://alias:9000}, with the given buckets, and waits until it answers.
     */
    public static S3Server start(ContainerEngine engine, String name, String network, String alias, String... buckets) {
        if (!Files.isReadable(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the tests module's pre-integration-test phase copies it"
                    + " from Maven Central (mvn verify)");
        }
        S3Server server;
        try {
            Path configDir = Files.createTempDirectory("s3proxy");
            Files.setPosixFilePermissions(configDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path config = configDir.resolve("s3proxy.conf");
            Files.writeString(config, String.join("\n",
                    "s3proxy.endpoint=http://0.0.0.0:" + PORT,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=transient",
                    ""));
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
            server = new S3Server(engine, name, alias, configDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            engine.start(new ContainerEngine.Container(name, FlinkContainerCluster.jobManagerImage())
                    .network(network, alias)
                    .publish(PORT)
                    .volume(JAR.toAbsolutePath().toString(), "/opt/s3proxy.jar", true)
                    .volume(server.configDir.toString(), "/etc/s3proxy", true)
                    .env("LOG_LEVEL", "warn")
                    .entrypoint("java")
                    .args("-Xmx512m", "-jar", "/opt/s3proxy.jar", "--properties", "/etc/s3proxy/s3proxy.conf"));
            server.hostPort = engine.publishedPort(name, PORT);
            // Unsigned requests get 403 from a server that is up.
            Await.condition("S3Proxy to answer", STARTUP_TIMEOUT,
                    () -> server.curl(false, "-o", "/dev/null", "-w", "%{http_code}", server.url("")).stdout().equals("403"));
            for (String bucket : buckets) {
                server.curl(true, "-f", "-X", "PUT", server.url(bucket)).orThrow();
            }
            return server;
        } catch (RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
    }

    /** The endpoint URL on the network. */
    public String endpoint() {
        return "http://" + alias + ":" + PORT;
    }

    /** The keys of the bucket's objects under {@code prefix}, sorted. */
    public List<String> keys(String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            String query = "?list-type=2&prefix=" + encode(prefix) + (token == null ? "" : "&continuation-token=" + encode(token));
            String listing = curl(true, "-f", url(bucket) + query).orThrow().stdout();
            KEY.matcher(listing).results().forEach(key -> keys.add(key.group(1)));
            token = NEXT.matcher(listing).results().map(next -> next.group(1)).findFirst().orElse(null);
        } while (token != null);
        keys.sort(null);
        return keys;
    }

    /** Copies the objects under {@code prefix} to files under {@code target}, by their keys' paths below it. */
    public void download(String bucket, String prefix, Path target) {
        for (String key : keys(bucket, prefix)) {
            if (key.endsWith("/")) {
                continue; // a directory marker
            }
            Path file = target.resolve(key.substring(prefix.length()).replaceFirst("^/", ""));
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            curl(true, "-f", "-o", file.toString(), url(bucket + "/" + key)).orThrow();
        }
    }

    public String logs() {
        return engine.logs(name);
    }

    @Override
    public void close() {
        engine.remove(name);
        try (Stream<Path> files = Files.walk(configDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + configDir + ": " + e);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + hostPort + "/" + path;
    }

    private Processes.Result curl(boolean signed, String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", Long.toString(REQUEST_TIMEOUT.toSeconds())));
        if (signed) {
            command.addAll(List.of("--aws-sigv4", "aws:amz:us-east-1:s3", "--user", ACCESS_KEY + ":" + SECRET_KEY,
                    "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"));
        }
        command.addAll(List.of(args));
        return Processes.run(REQUEST_TIMEOUT.plusSeconds(5), command);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
