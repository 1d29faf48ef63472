package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.FlinkRest;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A job of a cluster under test, seen through the REST API of whichever JobManager leads at the
 * moment of each call (the leader changes when a test kills it).
 */
final class RunningJob {

    private final Supplier<FlinkRest> rest;
    private final String id;

    private RunningJob(Supplier<FlinkRest> rest, String id) {
        this.rest = rest;
        this.id = id;
    }

    /** Waits for the cluster's (first) job to appear. */
    static RunningJob await(Supplier<FlinkRest> rest, Duration timeout) {
        String id = Await.until("a job on the cluster", timeout, () -> rest.get().jobIds().stream().findFirst());
        return new RunningJob(rest, id);
    }

    static RunningJob of(Supplier<FlinkRest> rest, String id) {
        return new RunningJob(rest, id);
    }

    String id() {
        return id;
    }

    String state() {
        return rest.get().job(id).path("state").asText();
    }

    /** RUNNING, and so is every task of every vertex (not merely scheduled or waiting for slots). */
    boolean fullyRunning() {
        return rest.get().isFullyRunning(id);
    }

    /** Fully running and no vertex has finished: the bounded source still has records to emit. */
    boolean runningWithInputLeft() {
        JsonNode job = rest.get().job(id);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (vertex.path("tasks").path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    JsonNode checkpoints() {
        return rest.get().checkpoints(id);
    }

    long completedCheckpoints() {
        return checkpoints().path("counts").path("completed").asLong();
    }

    /** The id of the latest completed checkpoint, or -1. */
    long latestCompletedCheckpoint() {
        return checkpoints().path("latest").path("completed").path("id").asLong(-1);
    }

    /** How many times the job was restored from a checkpoint or savepoint. */
    long restores() {
        return checkpoints().path("counts").path("restored").asLong();
    }

    /** The checkpoint or savepoint the job was last restored from, if any. */
    Optional<JsonNode> restoredFrom() {
        JsonNode restored = checkpoints().path("latest").path("restored");
        return restored.isMissingNode() || restored.isNull() ? Optional.empty() : Optional.of(restored);
    }

    /** The largest parallelism among the job's vertices (the generator source always runs at 1). */
    int parallelism() {
        int parallelism = 0;
        for (JsonNode vertex : rest.get().job(id).path("vertices")) {
            parallelism = Math.max(parallelism, vertex.path("parallelism").asInt());
        }
        return parallelism;
    }

    void awaitFullyRunning(Duration timeout) {
        Await.condition("job " + id + " and all its tasks RUNNING", timeout, this::fullyRunning);
    }

    void awaitCompletedCheckpoints(long count, Duration timeout) {
        Await.condition(count + " completed checkpoints of job " + id, timeout,
                () -> completedCheckpoints() >= count);
    }

    void awaitState(String state, Duration timeout) {
        Await.condition("job " + id + " " + state, timeout, () -> state.equals(state()));
    }
}
