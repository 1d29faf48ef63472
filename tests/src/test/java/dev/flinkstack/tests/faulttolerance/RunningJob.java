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

    /**
     * Fully running, so no vertex has finished (its tasks would count as FINISHED, not RUNNING): the
     * bounded source still has records to emit.
     */
    boolean runningWithInputLeft() {
        return fullyRunning();
    }

    long completedCheckpoints() {
        return rest.get().completedCheckpoints(id);
    }

    /** The id of the latest completed checkpoint, or -1. */
    long latestCompletedCheckpoint() {
        return rest.get().latestCompletedCheckpoint(id).path("id").asLong(-1);
    }

    long restores() {
        return rest.get().restores(id);
    }

    Optional<JsonNode> restoredFrom() {
        return rest.get().restoredFrom(id);
    }

    int parallelism() {
        return rest.get().maxParallelism(id);
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
