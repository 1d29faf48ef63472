package dev.flinkstack.control;

import dev.flinkstack.lifecycle.LifecycleOptions;
import dev.flinkstack.lifecycle.LifecycleStore;
import dev.flinkstack.lifecycle.RestorePoint;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code control reconcile}: keeps a session cluster's jobs as the chart's jobs file lists them, with
 * nothing but the REST API and the cluster's durable storage. Each entry's job has an id derived from
 * the cluster id and the entry's name (the next of a chain once it was stopped here: a JobManager
 * refuses an id it still knows), and the name as {@code pipeline.name}, so:
 *
 * <ul>
 *   <li>a job missing from the cluster is submitted from its latest state ({@link RestorePoint}: the
 *       retained checkpoints and savepoints of its id, or the entry's {@code fromSavepoint} on its first
 *       start), so after a JobManager restart without HA it resumes where it was;
 *   <li>a job is never submitted twice: a job that runs is left alone, and one that ended by itself
 *       (FINISHED, CANCELED, FAILED) stays ended;
 *   <li>a running job whose entry changed is stopped with a savepoint, then submitted again in its new
 *       definition from that savepoint;
 *   <li>a running job whose entry was removed is stopped with a savepoint, from which an entry of the
 *       same name later resumes.
 * </ul>
 *
 * The file is read again every round, so an edited ConfigMap takes effect without a restart.
 */
final class SessionJobs {

    /** One entry of the jobs file, as the chart renders {@code jobs[]}; {@code definition} hashes it. */
    private record Entry(String name, String definition, JsonNode spec) {}

    /** In a job name's store: the id its job has now. */
    private static final String CURRENT = "current-job-id";

    private final Control control;
    private final Control.Options options;
    private final Set<String> reported = new HashSet<>();
    private final Configuration config;

    SessionJobs(Control control, Control.Options options, Configuration config) {
        if (options.jobsFile == null) {
            throw new IllegalArgumentException("reconcile needs --jobs FILE");
        }
        this.control = control;
        this.options = options;
        this.config = config;
    }

    int run() throws InterruptedException {
        while (true) {
            try {
                round(config);
                if (options.once) {
                    return 0;
                }
            } catch (RuntimeException | IOException e) {
                report("round failed, retrying: " + e.getMessage());
                if (options.once) {
                    return 1;
                }
            }
            Thread.sleep(options.every.toMillis());
        }
    }

    private void round(Configuration config) throws IOException, InterruptedException {
        JsonNode file = dev.flinkstack.control.JobStatus.parse(Files.readString(Path.of(options.jobsFile)));
        String clusterId = file.path("clusterId").asText();
        Map<String, JobStatus> states = control.jobStates();
        Set<String> listed = new HashSet<>();
        for (JsonNode spec : file.path("jobs")) {
            // The definition: a hash of the entry as rendered (Helm writes its keys sorted).
            Entry entry = new Entry(spec.path("name").asText(), Control.jobIdOf(spec.toString()), spec);
            LifecycleStore named = store(config, "name-" + entry.name());
            String job = named.read(CURRENT).orElse(Control.jobIdOf(clusterId + "/" + entry.name()));
            listed.add(reconcile(config, entry, named, job, states));
        }
        for (Map.Entry<String, JobStatus> state : states.entrySet()) {
            String job = state.getKey();
            if (listed.contains(job) || state.getValue().isGloballyTerminalState()) {
                continue;
            }
            Optional<String> submitted = store(config, job).read(LifecycleStore.SESSION_JOB);
            if (submitted.isPresent()) {
                stop(config, job, "job '" + submitted.get().lines().findFirst().orElse("") + "' (" + job + ") was removed from jobs");
            }
        }
    }

    /** Reconciles one entry, whose job currently has id {@code job}; returns its id afterwards. */
    private String reconcile(Configuration config, Entry entry, LifecycleStore named, String job, Map<String, JobStatus> states)
            throws IOException, InterruptedException {
        LifecycleStore store = store(config, job);
        Optional<JobStatus> state = Optional.ofNullable(states.get(job));
        if (state.isPresent() && !state.get().isGloballyTerminalState()) {
            Optional<String> definition = store.read(LifecycleStore.SESSION_JOB).map(text -> text.lines().skip(1).findFirst().orElse(""));
            if (state.get() == JobStatus.RUNNING && definition.isPresent() && !definition.get().equals(entry.definition())) {
                stop(config, job, "job '" + entry.name() + "' (" + job + ") changed; it is submitted again from the savepoint");
            }
            return job;
        }
        Configuration jobConfig = new Configuration(config);
        String initial = entry.spec().path("fromSavepoint").asText("");
        if (!initial.isEmpty()) {
            jobConfig.set(LifecycleOptions.INITIAL_SAVEPOINT, initial);
        }
        String nonce = jobConfig.get(LifecycleOptions.INITIAL_SAVEPOINT_NONCE);
        if (state.isPresent() && store.read(LifecycleStore.STOPPING).isPresent()) {
            // Stopped here (changed, or removed and listed again), so this JobManager still knows its id
            // and would refuse it: the job continues under the next id of its chain, from the same state.
            RestorePoint stopped = RestorePoint.choose(jobConfig, store, job);
            job = Control.jobIdOf(job + "/next");
            store = store(config, job);
            new RestorePoint.FirstStart(stopped.path().orElse(""), nonce).write(store);
            named.write(CURRENT, job);
        }
        RestorePoint restore = RestorePoint.choose(jobConfig, store, job);
        if (!restore.run()) {
            if (reported.add(job)) {
                report("not submitting job '" + entry.name() + "': " + restore.reason());
            }
            return job;
        }
        report("submitting job '" + entry.name() + "' (" + job + ") "
                + restore.path().map(path -> "from " + restore.reason() + ": " + path).orElse("with empty state: " + restore.reason()));
        submit(entry, job, restore.path());
        store.write(LifecycleStore.SESSION_JOB, entry.name() + "\n" + entry.definition());
        if (restore.path().isPresent() && restore.path().get().equals(initial)) {
            new RestorePoint.FirstStart(initial, nonce).write(store);
        }
        reported.remove(job);
        return job;
    }

    /** {@code flink run -d} of the entry with its fixed job id and name, from {@code restorePath}. */
    private void submit(Entry entry, String job, Optional<String> restorePath) throws IOException, InterruptedException {
        JsonNode spec = entry.spec();
        String flinkHome = Optional.ofNullable(System.getenv("FLINK_HOME")).orElse("/opt/flink");
        List<String> command = new ArrayList<>(List.of(flinkHome + "/bin/entrypoint.sh", "flink", "run",
                "-m", control.rest.getHost() + ":" + control.rest.getPort(), "-d",
                "-D" + PipelineOptions.NAME.key() + "=" + entry.name(),
                "-D" + PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID.key() + "=" + job));
        if (spec.hasNonNull("className")) {
            command.addAll(List.of("-c", spec.path("className").asText()));
        }
        if (spec.hasNonNull("parallelism")) {
            command.addAll(List.of("-p", spec.path("parallelism").asText()));
        }
        restorePath.ifPresent(path -> command.addAll(List.of("-s", path)));
        if (spec.path("allowNonRestoredState").asBoolean(false)) {
            command.add("-n");
        }
        command.add(spec.path("jarFile").asText());
        spec.path("args").forEach(arg -> command.add(arg.asText()));
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("flink run of job '" + entry.name() + "' exited with " + exit);
        }
    }

    private void stop(Configuration config, String job, String why) {
        report(why + ": stopping it with a savepoint");
        Control.Options stop = new Control.Options();
        stop.jobId = job;
        stop.timeout = options.timeout;
        if (control.savepoint(stop, config) != 0) {
            throw new IllegalStateException("the savepoint of job " + job + " failed; retrying next round");
        }
    }

    private static LifecycleStore store(Configuration config, String job) {
        return LifecycleStore.of(config, job).orElseThrow(() -> new IllegalArgumentException(
                "reconcile needs " + LifecycleStore.DIR.key() + " in the configuration"));
    }

    private static void report(String message) {
        System.err.println("control: reconcile: " + message);
    }
}
