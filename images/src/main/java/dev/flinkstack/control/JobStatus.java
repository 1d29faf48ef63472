package dev.flinkstack.control;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What "the job is running" means everywhere in this project (the chart's client pods, make run,
 * the tests): the job is RUNNING and none of its tasks still waits to run. Flink reports a job
 * RUNNING as soon as it is scheduled, while its tasks may still wait for slots or be deploying; a
 * task that FINISHED (a bounded source, say) is done, not waiting.
 */
public final class JobStatus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobStatus() {}

    /** Whether the job described by {@code GET /jobs/:jobid} is fully running. */
    public static boolean isFullyRunning(String jobDetailsJson) {
        return isFullyRunning(parse(jobDetailsJson));
    }

    static boolean isFullyRunning(JsonNode job) {
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        int running = 0;
        for (JsonNode vertex : job.path("vertices")) {
            JsonNode tasks = vertex.path("tasks");
            int vertexRunning = tasks.path("RUNNING").asInt();
            if (vertexRunning + tasks.path("FINISHED").asInt() != vertex.path("parallelism").asInt()) {
                return false;
            }
            running += vertexRunning;
        }
        return running > 0;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }
}
