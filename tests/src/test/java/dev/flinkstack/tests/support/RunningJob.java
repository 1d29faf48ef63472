package dev.flinkstack.tests.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A job of a cluster under test, seen through the REST API of whichever JobManager leads at the
 * moment of each call (the leader changes when a test kills it).
 */
public final class RunningJob {

    private final Supplier<FlinkRest> rest;
    private final String id;

    private RunningJob(Supplier<FlinkRest> rest, String id) {
        this.rest = rest;
        this.id = id;
    }

    /** Waits for the cluster's first job to appear and to run with all its tasks. */
    public static RunningJob awaitRunning(Supplier<FlinkRest> rest, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = Await.until("a job on the cluster", timeout, () -> rest.get().jobIds().stream().findFirst());
        RunningJob job = new RunningJob(rest, id);
        job.awaitFullyRunning(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        return job;
    }

    public static RunningJob of(Supplier<FlinkRest> rest, String id) {
        return new RunningJob(rest, id);
    }

    public String id() {
        return id;
    }

    public String state() {
        return rest.get().job(id).path("state").asText();
    }

    /** RUNNING, with none of its tasks still waiting (the images' definition, see FlinkRest). */
    public boolean fullyRunning() {
        return rest.get().isFullyRunning(id);
    }

    /** Fully running and no task finished yet: the bounded source still has records to emit. */
    public boolean runningWithInputLeft() {
        return fullyRunning() && rest.get().finishedTasks(id) == 0;
    }

    public long completedCheckpoints() {
        return rest.get().completedCheckpoints(id);
    }

    /** The id of the latest completed checkpoint, or -1. */
    public long latestCompletedCheckpoint() {
        return rest.get().latestCompletedCheckpoint(id).path("id").asLong(-1);
    }

    public long restores() {
        return rest.get().restores(id);
    }

    public Optional<JsonNode> restoredFrom() {
        return rest.get().restoredFrom(id);
    }

    public int parallelism() {
        return rest.get().maxParallelism(id);
    }

    /** Waits for the job and all its tasks to run; a timeout says what the job looked like last. */
    public void awaitFullyRunning(Duration timeout) {
        try {
            Await.condition("job " + id + " and all its tasks RUNNING", timeout, this::fullyRunning);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + lastSeen(), e.getCause());
        }
    }

    /**
     * The job's state, its tasks' states and its latest failure as the REST API shows them now: the
     * CI summary prints a failure's message, not the JobManager's log.
     */
    private String lastSeen() {
        try {
            FlinkRest now = rest.get();
            JsonNode job = now.job(id);
            Map<String, Integer> tasks = new TreeMap<>();
            for (JsonNode vertex : job.path("vertices")) {
                vertex.path("tasks").fields().forEachRemaining(count -> {
                    if (count.getValue().asInt() > 0) {
                        tasks.merge(count.getKey(), count.getValue().asInt(), Integer::sum);
                    }
                });
            }
            String failure = now.get("/jobs/" + id + "/exceptions").at("/exceptionHistory/entries/0/stacktrace").asText("");
            return job.path("state").asText() + ", tasks " + tasks
                    + failure.lines().findFirst().map(line -> ", latest failure: " + line).orElse("");
        } catch (RuntimeException e) {
            return "the REST API answered: " + e.getMessage();
        }
    }

    public void awaitCompletedCheckpoints(long count, Duration timeout) {
        Await.condition(count + " completed checkpoints of job " + id, timeout,
                () -> completedCheckpoints() >= count);
    }

    /**
     * Lets the job make progress worth keeping: fully running within {@code timeout}, two more completed
     * checkpoints, and input still left (else a test of what follows would prove nothing).
     */
    public void awaitProgress(Duration timeout) {
        awaitFullyRunning(timeout);
        awaitCompletedCheckpoints(completedCheckpoints() + 2, Duration.ofMinutes(1));
        if (!runningWithInputLeft()) {
            throw new AssertionError("job " + id + " has read all its input: make it longer, or the test proves nothing");
        }
    }

    public void awaitState(String state, Duration timeout) {
        Await.condition("job " + id + " " + state, timeout, () -> state.equals(state()));
    }

    /**
     * Stops the job with a savepoint in {@code targetDirectory}, {@code drain}ing it first (event time
     * to its end: every window fires) if asked, and returns the savepoint's location. Polling the
     * result also lets an application cluster exit: it keeps its REST server until the result is read.
     */
    public String stopWithSavepoint(String targetDirectory, boolean drain, Duration timeout) {
        String trigger = rest.get().post("/jobs/" + id + "/stop",
                "{\"targetDirectory\": \"" + targetDirectory + "\", \"drain\": " + drain + "}").path("request-id").asText();
        return Await.until("the stop-with-savepoint of job " + id, timeout, () -> {
            JsonNode status = rest.get().get("/jobs/" + id + "/savepoints/" + trigger);
            if (status.at("/operation").has("failure-cause")) {
                throw new AssertionError("stop-with-savepoint failed: " + status.at("/operation/failure-cause"));
            }
            return "COMPLETED".equals(status.at("/status/id").asText())
                    ? Optional.of(status.at("/operation/location").asText()) : Optional.<String>empty();
        });
    }
}
