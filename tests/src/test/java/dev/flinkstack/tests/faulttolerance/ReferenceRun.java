package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.Processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The expected output of a bounded {@link Job}: what an undisturbed run of the same job commits. The
 * image's own Flink CLI runs the job in a local (in-process) cluster, {@code flink run --target
 * local}, in a container of its own; it runs in the background while a test breaks its cluster, and
 * is kept under target/ for the same image and arguments.
 */
public final class ReferenceRun {

    /** A bounded, deterministic job that writes under /flink-data/output. */
    public interface Job {

        /** What follows {@code flink run --target local}: options, the jar, the job's arguments. */
        List<String> localRunArguments();

        /** The arguments of an application cluster's {@code standalone-job} running this job. */
        List<String> standaloneJobArguments(String... clusterArguments);

        /** How long the job's input lasts, undisturbed. */
        Duration nominalDuration();

        /** Records that are deliberately malformed. */
        long malformedRecords();
    }

    private static final String ENGINE = System.getProperty("container.engine", "docker");
    private static final Path CACHE = Path.of("target", "faulttolerance-reference");
    private static final String COMPLETE = "COMPLETE";
    private static final Map<Job, CompletableFuture<JobOutput>> RUNS = new ConcurrentHashMap<>();

    private ReferenceRun() {}

    /** Starts the reference run of {@code job} unless it runs already or its output is cached. */
    public static CompletableFuture<JobOutput> start(Job job) {
        return RUNS.computeIfAbsent(job, key -> CompletableFuture.supplyAsync(
                () -> run(key),
                Executors.newSingleThreadExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "reference-run");
                    thread.setDaemon(true);
                    return thread;
                })));
    }

    /** The committed output of the undisturbed run of {@code job}, waiting for it if needed. */
    public static JobOutput await(Job job) {
        try {
            return start(job).get(timeout(job).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the reference run of " + job + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the reference run of " + job + " took longer than " + timeout(job));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Duration timeout(Job job) {
        return job.nominalDuration().multipliedBy(3).plusMinutes(3);
    }

    private static JobOutput run(Job job) {
        String image = FlinkContainerCluster.jobManagerImage();
        String key = key(imageId(image), job.localRunArguments());
        Path dir = CACHE.resolve(key).toAbsolutePath();
        if (Files.exists(dir.resolve(COMPLETE))) {
            return JobOutput.read(dir.resolve("output"));
        }
        // A run of an earlier test JVM that ended early may still write here: remove it first.
        String container = "flinkstack-reference-" + key;
        Processes.run(Duration.ofSeconds(30), List.of(ENGINE, "rm", "--force", container));
        FlinkContainerCluster.deleteRecursively(dir);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(ENGINE, "run", "--rm", "--name", container,
                "--volume", dir + ":/flink-data", image,
                "flink", "run", "--target", "local"));
        command.addAll(job.localRunArguments());
        Processes.Result result = Processes.run(timeout(job), command);
        if (!result.succeeded() || !result.stdout().contains("switched from state RUNNING to FINISHED")) {
            throw new IllegalStateException("reference run failed: " + result.describe());
        }
        // Only the output is kept.
        FlinkContainerCluster.deleteRecursively(dir.resolve("checkpoints"));
        try {
            Files.writeString(dir.resolve(COMPLETE), String.join(" ", job.localRunArguments()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return JobOutput.read(dir.resolve("output"));
    }

    private static String imageId(String image) {
        return Processes.run(Duration.ofSeconds(30), List.of(ENGINE, "image", "inspect", "--format", "{{.Id}}", image))
                .orThrow()
                .stdout()
                .trim();
    }

    private static String key(String imageId, List<String> arguments) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(imageId.getBytes(StandardCharsets.UTF_8));
            arguments.forEach(argument -> sha.update(("\0" + argument).getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
