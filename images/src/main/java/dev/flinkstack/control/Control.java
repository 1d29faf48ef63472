package dev.flinkstack.control;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.util.TimeUtils;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The images' {@code control} command: waits on a Flink cluster through its REST API, for the chart's
 * client pods ({@code helm test}, job submission), {@code make run} and anyone scripting a cluster.
 *
 * <pre>
 * control wait [--rest URL] [--timeout DURATION] [--taskmanagers N] [--running-job] [--job-name NAME]
 * </pre>
 *
 * Progress goes to stderr; exit status 0 when every condition holds, 1 on timeout (with what was
 * last seen), 2 on bad arguments. The REST URL defaults to {@code $FLINK_REST_URL}, then
 * {@code http://localhost:8081}.
 */
public final class Control {

    private static final String USAGE = "usage: control wait [--rest URL] [--timeout DURATION] [--taskmanagers N]"
            + " [--running-job] [--job-name NAME]";
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI rest;

    private Control(URI rest) {
        this.rest = rest;
    }

    public static void main(String[] args) {
        try {
            System.exit(run(List.of(args)));
        } catch (IllegalArgumentException e) {
            System.err.println("control: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    static int run(List<String> args) {
        if (args.isEmpty() || !args.get(0).equals("wait")) {
            throw new IllegalArgumentException(args.isEmpty() ? "no command" : "unknown command '" + args.get(0) + "'");
        }
        String restUrl = Optional.ofNullable(System.getenv("FLINK_REST_URL")).orElse("http://localhost:8081");
        Duration timeout = Duration.ofMinutes(5);
        int taskManagers = 0;
        boolean runningJob = false;
        String jobName = null;
        for (int i = 1; i < args.size(); i++) {
            String option = args.get(i);
            switch (option) {
                case "--rest" -> restUrl = value(args, ++i, option);
                case "--timeout" -> timeout = TimeUtils.parseDuration(value(args, ++i, option));
                case "--taskmanagers" -> taskManagers = Integer.parseInt(value(args, ++i, option));
                case "--running-job" -> runningJob = true;
                case "--job-name" -> {
                    jobName = value(args, ++i, option);
                    runningJob = true;
                }
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        Control control = new Control(URI.create(restUrl.endsWith("/") ? restUrl : restUrl + "/"));
        int minimum = taskManagers;
        String name = jobName;
        boolean ok = control.await("the REST API at " + restUrl, timeout, () -> control.get("overview") != null);
        if (ok && minimum > 0) {
            ok = control.await(minimum + " registered TaskManager(s)", timeout,
                    () -> control.get("overview").path("taskmanagers").asInt() >= minimum);
        }
        if (ok && runningJob) {
            ok = control.await((name == null ? "a job" : "job '" + name + "'") + " RUNNING with all its tasks", timeout,
                    () -> control.runningJobIds(name).stream().anyMatch(id -> JobStatus.isFullyRunning(control.getText("jobs/" + id))));
        }
        return ok ? 0 : 1;
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(index);
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; errors count as "not yet". */
    private boolean await(String what, Duration timeout, Supplier<Boolean> condition) {
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

    private JsonNode get(String path) {
        return JobStatus.parse(getText(path));
    }

    private String getText(String path) {
        HttpRequest request = HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /" + path + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET /" + path + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
