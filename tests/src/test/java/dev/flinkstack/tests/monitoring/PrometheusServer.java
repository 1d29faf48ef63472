package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.FlinkContainerCluster;

import dev.flinkstack.tests.support.Await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server (the Debian package's binary, {@code prometheus.binary} or the PATH) run
 * as a child process on 127.0.0.1 with a temporary data directory. It scrapes the targets written
 * with {@link #scrape} (file-based service discovery, so targets can change while it runs) and
 * evaluates the given rule files.
 */
final class PrometheusServer implements AutoCloseable {

    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(2);
    /**
     * The label the chart adds to every series (metrics.reporter.prom.scope.variables.additional), as
     * a Flink property naming a cluster with a dash, and the selector of its series: Flink's reporter
     * writes the dash as '_'.
     */
    static final String CLUSTER_LABEL_PROPERTY = "metrics.reporter.prom.scope.variables.additional: flink_cluster:flinkstack-it\n";
    static final String CLUSTER_SELECTOR = "flink_cluster=\"flinkstack_it\"";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Process process;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /** Starts Prometheus with no targets yet; returns once it answers /-/ready. */
    static PrometheusServer start(List<Path> ruleFiles) throws IOException {
        Path dir = Files.createTempDirectory("flinkstack-prometheus");
        List<String> rules = new ArrayList<>();
        for (Path ruleFile : ruleFiles) {
            Path copy = dir.resolve("rules-" + ruleFile.getFileName());
            Files.copy(ruleFile, copy);
            rules.add(copy.toString());
        }
        Files.writeString(dir.resolve("targets.json"), "[]");
        String config = "global:\n"
                + "  scrape_interval: " + SCRAPE_INTERVAL.toSeconds() + "s\n"
                + "  scrape_timeout: " + SCRAPE_INTERVAL.toSeconds() + "s\n"
                + "  evaluation_interval: " + SCRAPE_INTERVAL.toSeconds() + "s\n"
                + "rule_files:\n"
                + rules.stream().map(r -> "  - " + r + "\n").reduce("", String::concat)
                + "scrape_configs:\n"
                + "  - job_name: flink\n"
                + "    file_sd_configs:\n"
                + "      - files: [" + dir.resolve("targets.json") + "]\n"
                + "        refresh_interval: 5s\n";
        Files.writeString(dir.resolve("prometheus.yml"), config);

        int port = freePort();
        Process process = new ProcessBuilder(
                        System.getProperty("prometheus.binary", "prometheus"),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        PrometheusServer server = new PrometheusServer(dir, process, port);
        try {
            Await.condition("Prometheus to be ready", Duration.ofMinutes(1), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Prometheus exited: " + server.log());
                }
                return server.get("/-/ready").statusCode() == 200;
            });
        } catch (RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Replaces the scrape targets: job label value "flink", plus a {@code flink_component} label. */
    void scrape(Map<String, List<Integer>> portsByComponent) {
        ArrayNode groups = JSON.createArrayNode();
        portsByComponent.forEach((component, ports) -> {
            var group = groups.addObject();
            var targets = group.putArray("targets");
            ports.forEach(port -> targets.add("127.0.0.1:" + port));
            group.putObject("labels").put("flink_component", component);
        });
        try {
            Path temp = dir.resolve("targets.json.tmp");
            JSON.writeValue(temp.toFile(), groups);
            Files.move(temp, dir.resolve("targets.json"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scrapes the cluster's JobManager and TaskManagers, as they are now. */
    void scrape(FlinkContainerCluster cluster) {
        Map<String, List<Integer>> targets = new LinkedHashMap<>();
        targets.put("jobmanager", List.of(cluster.engine().publishedPort(cluster.jobManager(), FlinkContainerCluster.METRICS_PORT)));
        targets.put("taskmanager", cluster.taskManagers().stream()
                .map(tm -> cluster.engine().publishedPort(tm, FlinkContainerCluster.METRICS_PORT)).toList());
        scrape(targets);
    }

    /** An instant query at "now"; fails on a PromQL error (the response's error message included). */
    JsonNode query(String promql) {
        JsonNode response = getJson("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(response.path("status").asText())) {
            throw new IllegalArgumentException("Prometheus rejected " + promql + ": " + response);
        }
        return response.at("/data/result");
    }

    /** The values of a label over the series matching a selector (what Grafana's label_values() lists). */
    List<String> labelValues(String label, String selector) {
        JsonNode response = getJson("/api/v1/label/" + label + "/values?match[]="
                + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        List<String> values = new ArrayList<>();
        response.path("data").forEach(v -> values.add(v.asText()));
        return values;
    }

    /** Active alerts (pending and firing) of the loaded rules. */
    JsonNode alerts() {
        return getJson("/api/v1/alerts").at("/data/alerts");
    }

    /** The state of an alert: "firing" if any of its instances fires, else "pending", or empty if inactive. */
    Optional<String> alertState(String name) {
        for (JsonNode alert : alerts()) {
            if (name.equals(alert.at("/labels/alertname").asText())) {
                if ("firing".equals(alert.path("state").asText())) {
                    return Optional.of("firing");
                }
            }
        }
        for (JsonNode alert : alerts()) {
            if (name.equals(alert.at("/labels/alertname").asText())) {
                return Optional.of(alert.path("state").asText());
            }
        }
        return Optional.empty();
    }

    /** The active scrape targets, with their health. */
    JsonNode targets() {
        return getJson("/api/v1/targets").at("/data/activeTargets");
    }

    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private JsonNode getJson(String pathAndQuery) {
        HttpResponse<String> response = get(pathAndQuery);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON from " + pathAndQuery + ": " + response.body(), e);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops Prometheus, keeps its log under target/e2e-logs, deletes its data. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Path logs = Path.of("target", "e2e-logs");
            Files.createDirectories(logs);
            Files.writeString(logs.resolve(dir.getFileName() + ".log"), log());
        } catch (IOException e) {
            System.err.println("cannot save the Prometheus log: " + e);
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e);
        }
    }
}
