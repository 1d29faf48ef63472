package dev.flinkstack.tests.support;

import dev.flinkstack.control.JobStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.net.ssl.SSLContext;

/** A client of the JobManager's REST API (the endpoints the web UI and the CLI use). */
public final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http;

    public FlinkRest(String host, int port) {
        this(URI.create("http://" + host + ":" + port), null);
    }

    /** The REST API at {@code base}; {@code https://} with {@code tls} (its truststore, and its keystore for mutual TLS). */
    public FlinkRest(URI base, SSLContext tls) {
        this.base = base;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            http.sslContext(tls);
        }
        this.http = http.build();
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public String getText(String path) {
        return sendForBody(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public JsonNode overview() {
        return get("/overview");
    }

    /** The id of the only job of the cluster, once there is one. */
    public List<String> jobIds() {
        List<String> ids = new ArrayList<>();
        get("/jobs/overview").path("jobs").forEach(job -> ids.add(job.path("jid").asText()));
        return ids;
    }

    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    public long completedCheckpoints(String jobId) {
        return checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /** The latest completed checkpoint (id, external_path, sizes...), missing before the first. */
    public JsonNode latestCompletedCheckpoint(String jobId) {
        return checkpoints(jobId).path("latest").path("completed");
    }

    /** How many times the job was restored from a checkpoint or savepoint. */
    public long restores(String jobId) {
        return checkpoints(jobId).path("counts").path("restored").asLong();
    }

    /** The checkpoint or savepoint the job was last restored from, if any. */
    public Optional<JsonNode> restoredFrom(String jobId) {
        JsonNode restored = checkpoints(jobId).path("latest").path("restored");
        return restored.isMissingNode() || restored.isNull() ? Optional.empty() : Optional.of(restored);
    }

    /** The largest parallelism among the job's vertices (the generator source always runs at 1). */
    public int maxParallelism(String jobId) {
        int parallelism = 0;
        for (JsonNode vertex : job(jobId).path("vertices")) {
            parallelism = Math.max(parallelism, vertex.path("parallelism").asInt());
        }
        return parallelism;
    }

    /** The job runs with none of its tasks still waiting: the images' own definition ({@link JobStatus}). */
    public boolean isFullyRunning(String jobId) {
        return JobStatus.isFullyRunning(getText("/jobs/" + jobId));
    }

    /** Tasks of the job that finished (a bounded source that read all its input, say). */
    public int finishedTasks(String jobId) {
        int finished = 0;
        for (JsonNode vertex : job(jobId).path("vertices")) {
            finished += vertex.path("tasks").path("FINISHED").asInt();
        }
        return finished;
    }

    /** The value of a key in the JobManager's effective configuration. */
    public String configValue(String key) {
        for (JsonNode entry : get("/jobmanager/config")) {
            if (key.equals(entry.path("key").asText())) {
                return entry.path("value").asText();
            }
        }
        return null;
    }

    /** Uploads a job jar (multipart, as the web UI does) and returns its id on the cluster. */
    public String uploadJar(Path jar) {
        String boundary = "----flinkstack" + UUID.randomUUID();
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(
                    ("--" + boundary + "\r\n"
                                    + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                    + jar.getFileName()
                                    + "\"\r\n"
                                    + "Content-Type: application/x-java-archive\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            JsonNode response =
                    send(
                            HttpRequest.newBuilder(base.resolve("/jars/upload"))
                                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
            String fileName = response.path("filename").asText();
            return fileName.substring(fileName.lastIndexOf('/') + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs an uploaded jar with the given program arguments and returns the job id. */
    public String runJar(String jarId, List<String> programArguments) {
        ObjectNode request = JSON.createObjectNode();
        programArguments.forEach(request.putArray("programArgsList")::add);
        JsonNode response =
                send(
                        HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(request.toString())));
        return response.path("jobid").asText();
    }

    /** POSTs a JSON body and returns the JSON answer. */
    public JsonNode post(String path, String json) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            return JSON.readTree(sendForBody(request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String sendForBody(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response =
                    http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        response.request().method()
                                + " "
                                + response.uri()
                                + " answered "
                                + response.statusCode()
                                + ": "
                                + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
