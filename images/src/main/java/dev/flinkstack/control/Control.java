package dev.flinkstack.control;

import dev.flinkstack.lifecycle.LifecycleOptions;
import dev.flinkstack.lifecycle.LifecycleStore;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.runtime.net.SSLUtils;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.util.TimeUtils;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The images' {@code control} command: operations on a Flink cluster through its REST API, for the
 * chart's client and hook pods, {@code make run} and anyone scripting a cluster.
 *
 * <pre>
 * control wait [--rest URL] [--timeout DURATION] [--taskmanagers N] [--running-job] [--job-name NAME]
 * control savepoint --job-id ID [--rest URL] [--timeout DURATION] [--suspend] [--unless-definition HASH]
 * control run-once --key KEY [--rest URL] [--timeout DURATION] -- COMMAND [ARGS...]
 * control reconcile --jobs FILE [--rest URL] [--every DURATION] [--timeout DURATION] [--once]
 * control ha-cleanup
 * </pre>
 *
 * {@code savepoint} is the chart's upgrade and suspend hook: it stops the application's job with a
 * savepoint, which the next JobManager restores ({@code dev.flinkstack.lifecycle.RestorePoint}).
 * It changes nothing when it cannot do that (the REST API unreachable, the job not running, the
 * savepoint failing), so a failed hook fails the Helm operation and leaves the job running.
 *
 * <p>{@code run-once} runs a job submission (COMMAND, a {@code flink run}) at most once per KEY, such as
 * the name of the Kubernetes Job of a scheduled run: the job gets an id derived from KEY, so a retry of
 * the same run (its pod died) waits for the job the first attempt submitted instead of starting a
 * second one writing the same output. {@code reconcile} keeps a session cluster's jobs as a file lists
 * them: {@link SessionJobs}. {@code ha-cleanup}, the chart's post-uninstall hook, deletes the cluster's
 * Kubernetes HA ConfigMaps: {@link HaCleanup}.
 *
 * <p>Progress goes to stderr; exit status 0 on success, 1 on failure or timeout (with what was
 * seen), 2 on bad arguments. The REST URL defaults to {@code $FLINK_REST_URL}, then
 * {@code http://localhost:8081}.
 */
public final class Control {

    private static final String USAGE = String.join("\n",
            "usage: control wait [--rest URL] [--timeout DURATION] [--taskmanagers N] [--running-job] [--job-name NAME]",
            "       control savepoint --job-id ID [--rest URL] [--timeout DURATION] [--suspend] [--unless-definition HASH]",
            "       control run-once --key KEY [--rest URL] [--timeout DURATION] -- COMMAND [ARGS...]",
            "       control reconcile --jobs FILE [--rest URL] [--every DURATION] [--timeout DURATION] [--once]",
            "       control ha-cleanup");
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

    private final HttpClient http;
    final URI rest;

    /** A client of the REST API at {@code restUrl}, over HTTPS as {@code security.ssl.rest.*} configures it. */
    Control(String restUrl, Configuration config) {
        this.rest = URI.create(restUrl.endsWith("/") ? restUrl : restUrl + "/");
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (SecurityOptions.isRestSSLEnabled(config)) {
            try {
                // The truststore checks the server; with mutual authentication the keystore identifies this client.
                http.sslContext(SSLUtils.createRestSSLContext(config, true));
            } catch (Exception e) {
                throw new IllegalStateException("cannot load the REST keystores (security.ssl.rest.*): " + e.getMessage(), e);
            }
        }
        this.http = http.build();
    }

    public static void main(String[] args) {
        try {
            System.exit(run(List.of(args)));
        } catch (IllegalArgumentException e) {
            System.err.println("control: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (IOException e) {
            System.err.println("control: FAILED: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            System.exit(1);
        }
    }

    static int run(List<String> args) throws IOException, InterruptedException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        int separator = args.indexOf("--");
        List<String> command = separator < 0 ? List.of() : args.subList(separator + 1, args.size());
        Options options = Options.parse(args.subList(1, separator < 0 ? args.size() : separator));
        Configuration config = loadConfiguration();
        Control control = new Control(options.restUrl, config);
        return switch (args.get(0)) {
            case "wait" -> control.await(options);
            case "savepoint" -> control.savepoint(options, config);
            case "run-once" -> control.runOnce(options, command);
            case "reconcile" -> new SessionJobs(control, options, config).run();
            case "ha-cleanup" -> HaCleanup.run(config);
            default -> throw new IllegalArgumentException("unknown command '" + args.get(0) + "'");
        };
    }

    /** The options of every command. */
    static final class Options {
        String restUrl = Optional.ofNullable(System.getenv("FLINK_REST_URL")).orElse("http://localhost:8081");
        Duration timeout = Duration.ofMinutes(5);
        int taskManagers;
        boolean runningJob;
        String jobName;
        String jobId;
        boolean suspend;
        String unlessDefinition;
        String key;
        String jobsFile;
        Duration every = Duration.ofSeconds(10);
        boolean once;

        static Options parse(List<String> args) {
            Options options = new Options();
            for (int i = 0; i < args.size(); i++) {
                String option = args.get(i);
                switch (option) {
                    case "--rest" -> options.restUrl = value(args, ++i, option);
                    case "--timeout" -> options.timeout = TimeUtils.parseDuration(value(args, ++i, option));
                    case "--taskmanagers" -> options.taskManagers = Integer.parseInt(value(args, ++i, option));
                    case "--running-job" -> options.runningJob = true;
                    case "--job-name" -> {
                        options.jobName = value(args, ++i, option);
                        options.runningJob = true;
                    }
                    case "--job-id" -> options.jobId = value(args, ++i, option);
                    case "--suspend" -> options.suspend = true;
                    case "--unless-definition" -> options.unlessDefinition = value(args, ++i, option);
                    case "--key" -> options.key = value(args, ++i, option);
                    case "--jobs" -> options.jobsFile = value(args, ++i, option);
                    case "--every" -> options.every = TimeUtils.parseDuration(value(args, ++i, option));
                    case "--once" -> options.once = true;
                    default -> throw new IllegalArgumentException("unknown option '" + option + "'");
                }
            }
            return options;
        }

        private static String value(List<String> args, int index, String option) {
            if (index >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(index);
        }
    }

    /** {@code control wait}: the REST API answers, N TaskManagers registered, a (named) job fully running. */
    private int await(Options options) {
        boolean ok = poll("the REST API at " + rest, options.timeout, () -> get("overview") != null);
        if (ok && options.taskManagers > 0) {
            ok = poll(options.taskManagers + " registered TaskManager(s)", options.timeout,
                    () -> get("overview").path("taskmanagers").asInt() >= options.taskManagers);
        }
        if (ok && options.runningJob) {
            String name = options.jobName;
            try {
                ok = poll((name == null ? "a job" : "job '" + name + "'") + " RUNNING with all its tasks", options.timeout,
                        () -> {
                            if (runningJobIds(name).stream().anyMatch(id -> JobStatus.isFullyRunning(getText("jobs/" + id)))) {
                                return true;
                            }
                            failedApplication().ifPresent(failure -> {
                                throw new ApplicationFailed(failure);
                            });
                            return false;
                        });
            } catch (ApplicationFailed e) {
                return failed(e.getMessage());
            }
        }
        return ok ? 0 : 1;
    }

    /** An application that failed before its job ran: waiting longer cannot help. */
    private static final class ApplicationFailed extends RuntimeException {
        ApplicationFailed(String message) {
            super(message);
        }
    }

    /**
     * A failed application (the main method or SQL script of an application cluster, before or while
     * submitting its job), with the root cause Flink reports, e.g. {@code ValidationException: Cannot
     * find table ...}; empty when none failed or the JobManager has no applications endpoint.
     */
    private Optional<String> failedApplication() {
        try {
            for (JsonNode application : get("applications/overview").path("applications")) {
                if ("FAILED".equals(application.path("status").asText())) {
                    String id = application.path("id").asText();
                    JsonNode entries = get("applications/" + id + "/exceptions").at("/exceptionHistory/entries");
                    String cause = entries.isEmpty() ? "no exception recorded" : rootCause(entries.get(0).path("stacktrace").asText());
                    return Optional.of("application " + application.path("name").asText() + " failed: " + cause);
                }
            }
        } catch (IllegalStateException e) {
            // Not a Flink with applications (before 2.3), or not reachable right now: keep waiting.
        }
        return Optional.empty();
    }

    /** The first line of the innermost "Caused by:" of a Java stack trace, or its first line. */
    static String rootCause(String stackTrace) {
        String cause = stackTrace.lines().findFirst().orElse("");
        for (String line : stackTrace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        return cause;
    }

    /** The Flink configuration of this image, with its file systems (and their plugins) ready to use. */
    static Configuration loadConfiguration() {
        Configuration config = GlobalConfiguration.loadConfiguration(
                Optional.ofNullable(System.getenv("FLINK_CONF_DIR")).orElse("/opt/flink/conf"));
        FileSystem.initialize(config, PluginUtils.createPluginManagerFromRootFolder(config));
        return config;
    }

    /** {@code control savepoint}: stop the job with a savepoint for an upgrade or a suspension. */
    int savepoint(Options options, Configuration config) {
        if (options.jobId == null) {
            throw new IllegalArgumentException("savepoint needs --job-id");
        }
        String job = options.jobId;
        LifecycleStore store = LifecycleStore.of(config, job).orElseThrow(() -> new IllegalArgumentException(
                "savepoint needs " + LifecycleStore.DIR.key() + " in the configuration"));

        Optional<String> suspended = store.read(LifecycleStore.SUSPENDED);
        if (suspended.isPresent()) {
            return done("the cluster is suspended; its state is in " + suspended.get());
        }
        try {
            get("overview");
        } catch (IllegalStateException e) {
            return failed("cannot reach the JobManager's REST API at " + rest + " (" + e.getMessage()
                    + "). Nothing was changed");
        }
        if (options.unlessDefinition != null && !options.suspend
                && options.unlessDefinition.equals(configValue(LifecycleOptions.DEFINITION.key()))) {
            return done("this operation does not replace the JobManager (same job definition): no savepoint needed");
        }
        Optional<org.apache.flink.api.common.JobStatus> state = jobState(job);
        Optional<String> ended = state.filter(org.apache.flink.api.common.JobStatus::isGloballyTerminalState)
                .map(Enum::name).or(() -> state.isEmpty() ? store.read(LifecycleStore.TERMINATED) : Optional.empty());
        if (ended.isPresent()) {
            if (options.suspend) {
                store.write(LifecycleStore.SUSPENDED, "job " + job + " (it had ended: " + ended.get() + ")");
            }
            return done(store.read(LifecycleStore.STOPPING).isPresent()
                    ? "job " + job + " was stopped with a savepoint already; the next JobManager restores it"
                    : "job " + job + " ended by itself (" + ended.get() + "): nothing to save");
        }
        if (!poll("job " + job + " RUNNING with all its tasks", options.timeout,
                () -> JobStatus.isFullyRunning(getText("jobs/" + job)))) {
            String now = jobState(job).map(status -> status == org.apache.flink.api.common.JobStatus.RUNNING
                    ? "RUNNING, but not all its tasks are (waiting for TaskManager slots?)" : status.name())
                    .orElse("not submitted");
            return failed("job " + job + " is " + now + " after " + TimeUtils.formatWithHighestUnit(options.timeout)
                    + ": a savepoint needs the job and all its tasks running. Nothing was changed");
        }

        // A stop an earlier (timed out) run triggered may still complete: its mark stays.
        boolean earlierStop = store.read(LifecycleStore.STOPPING).isPresent();
        String triggerId = UUID.randomUUID().toString().replace("-", "");
        store.write(LifecycleStore.STOPPING, triggerId);
        System.err.println("control: stopping job " + job + " with a savepoint (trigger " + triggerId + ")");
        try {
            post("jobs/" + job + "/stop", "{\"drain\": false, \"triggerId\": \"" + triggerId + "\"}");
        } catch (IllegalStateException e) {
            if (!earlierStop) {
                store.delete(LifecycleStore.STOPPING);
            }
            return failed("Flink refused the stop-with-savepoint: " + e.getMessage() + ". Nothing was changed");
        }
        String[] outcome = new String[2];
        boolean finished = poll("the savepoint", options.timeout, () -> {
            JsonNode status = get("jobs/" + job + "/savepoints/" + triggerId);
            if (!"COMPLETED".equals(status.at("/status/id").asText())) {
                return false;
            }
            outcome[0] = status.at("/operation/location").asText(null);
            outcome[1] = status.at("/operation/failure-cause/stack-trace").asText(null);
            return true;
        });
        if (!finished) {
            return failed("the savepoint did not complete within " + TimeUtils.formatWithHighestUnit(options.timeout)
                    + ". If Flink completes it later, the job stops and the next JobManager restores it;"
                    + " otherwise the job keeps running. Check the JobManager's log, then retry");
        }
        if (outcome[0] == null) {
            if (!earlierStop) {
                store.delete(LifecycleStore.STOPPING);
            }
            String cause = outcome[1] == null ? "no cause given" : outcome[1].lines().findFirst().orElse("");
            return failed("the savepoint failed, so the job keeps running: " + cause);
        }
        if (options.suspend) {
            store.write(LifecycleStore.SUSPENDED, outcome[0]);
        }
        return done("job " + job + " stopped with savepoint " + outcome[0]);
    }

    /** {@code control run-once}: submit with an id derived from the key, unless a job of that id exists. */
    private int runOnce(Options options, List<String> command) throws IOException, InterruptedException {
        if (options.key == null || command.isEmpty()) {
            throw new IllegalArgumentException("run-once needs --key KEY and -- COMMAND");
        }
        String job = jobIdOf(options.key);
        Optional<org.apache.flink.api.common.JobStatus> state = jobState(job);
        if (state.isEmpty()) {
            System.err.println("control: submitting job " + job + " for " + options.key);
            ProcessBuilder submission = new ProcessBuilder(command).inheritIO();
            String properties = Optional.ofNullable(System.getenv("FLINK_PROPERTIES")).orElse("");
            submission.environment().put("FLINK_PROPERTIES",
                    properties + "\n" + PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID.key() + ": " + job);
            return submission.start().waitFor();
        }
        if (!state.get().isGloballyTerminalState()) {
            System.err.println("control: job " + job + " for " + options.key
                    + " was submitted by an earlier attempt; waiting for it instead of submitting it again");
            if (!poll("job " + job + " to end", options.timeout,
                    () -> jobState(job).map(org.apache.flink.api.common.JobStatus::isGloballyTerminalState).orElse(false))) {
                return failed("job " + job + " did not end within " + TimeUtils.formatWithHighestUnit(options.timeout));
            }
            state = jobState(job);
        }
        return state.get() == org.apache.flink.api.common.JobStatus.FINISHED
                ? done("job " + job + " for " + options.key + " FINISHED")
                : failed("job " + job + " for " + options.key + " ended " + state.get());
    }

    /** A Flink job id (32 hex digits) derived from {@code key}. */
    static String jobIdOf(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int done(String message) {
        System.err.println("control: " + message);
        return 0;
    }

    private static int failed(String message) {
        System.err.println("control: FAILED: " + message + ".");
        return 1;
    }

    /** The job's state on the JobManager; empty when it does not know the job. */
    Optional<org.apache.flink.api.common.JobStatus> jobState(String job) {
        return Optional.ofNullable(jobStates().get(job));
    }

    /** Every job the JobManager knows; a job resubmitted under the id of an archived one counts as running. */
    Map<String, org.apache.flink.api.common.JobStatus> jobStates() {
        Map<String, org.apache.flink.api.common.JobStatus> states = new HashMap<>();
        for (JsonNode job : get("jobs/overview").path("jobs")) {
            states.merge(job.path("jid").asText(), org.apache.flink.api.common.JobStatus.valueOf(job.path("state").asText()),
                    (a, b) -> a.isGloballyTerminalState() ? b : a);
        }
        return states;
    }

    private String configValue(String key) {
        for (JsonNode entry : get("jobmanager/config")) {
            if (key.equals(entry.path("key").asText())) {
                return entry.path("value").asText();
            }
        }
        return null;
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; errors count as "not yet". */
    private boolean poll(String what, Duration timeout, Supplier<Boolean> condition) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String lastSeen = "nothing yet";
        System.err.println("control: waiting for " + what);
        while (true) {
            try {
                if (condition.get()) {
                    System.err.printf("control: ok: %s (%.1f s)%n", what, (System.nanoTime() - start) / 1e9);
                    return true;
                }
                lastSeen = "not yet";
            } catch (ApplicationFailed e) {
                throw e;
            } catch (RuntimeException e) {
                lastSeen = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                System.err.println("control: timed out after " + TimeUtils.formatWithHighestUnit(timeout)
                        + " waiting for " + what + "; last seen: " + lastSeen);
                return false;
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Ids of the RUNNING jobs, of those named {@code name} when it is given. */
    private List<String> runningJobIds(String name) {
        List<String> ids = new ArrayList<>();
        for (JsonNode job : get("jobs/overview").path("jobs")) {
            if ("RUNNING".equals(job.path("state").asText()) && (name == null || name.equals(job.path("name").asText()))) {
                ids.add(job.path("jid").asText());
            }
        }
        return ids;
    }

    JsonNode get(String path) {
        return JobStatus.parse(getText(path));
    }

    private String getText(String path) {
        return send(HttpRequest.newBuilder(rest.resolve(path)).GET(), "GET /" + path);
    }

    private String post(String path, String json) {
        return send(HttpRequest.newBuilder(rest.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), "POST /" + path);
    }

    private String send(HttpRequest.Builder request, String what) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(what + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
