package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.ExampleJob;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded, deterministic run of the example job: the generator's record i depends only on seed, i
 * and start time, so every run with these arguments must commit the same output, whatever fails.
 *
 * <p>Windows of 1 s give thousands of aggregate lines, each a sum over its records, so one lost or
 * replayed record changes a line. Idleness detection is off: a parse subtask that falls behind after
 * a restore or rescale holds the watermark back instead of letting windows close without it, so
 * which records a window holds never depends on timing.
 *
 * @param records records the generator emits before the job finishes
 * @param rate records per second (also the event-time spacing, so part of the output)
 * @param window the tumbling window size, e.g. {@code 1s}
 */
public record BoundedJob(long records, long rate, String window) implements ReferenceRun.Job {

    /** A run with windows of 1 s. */
    public BoundedJob(long records, long rate) {
        this(records, rate, "1s");
    }

    /** 40 s of input at 2000 records/s: room for one failure or upgrade and its recovery. */
    static final BoundedJob SHORT = new BoundedJob(80_000, 2_000);

    /** 60 s of input at 2000 records/s: room for several failures or rescales and their replays. */
    static final BoundedJob LONG = new BoundedJob(120_000, 2_000);

    /** Where the job writes, on the cluster's data volume. */
    public static final String OUTPUT = "file:///flink-data/output";

    /** The job's own arguments. */
    public List<String> arguments() {
        return arguments(OUTPUT);
    }

    /** The job's own arguments, writing to {@code output} (a directory URI). */
    public List<String> arguments(String output) {
        return List.of(
                "--records", Long.toString(records),
                "--rate", Long.toString(rate),
                "--seed", "42",
                "--keys", "100",
                "--start-time", "2026-01-01T00:00:00Z",
                "--malformed-every", "1000",
                "--window", window,
                "--idle-timeout", "0",
                "--checkpoint-interval", "2s",
                "--output", output);
    }

    @Override
    public List<String> localRunArguments() {
        List<String> args = new ArrayList<>(List.of(ExampleJob.JAR_IN_IMAGE));
        args.addAll(arguments());
        return args;
    }

    @Override
    public List<String> standaloneJobArguments(String... clusterArguments) {
        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.MAIN_CLASS));
        args.addAll(List.of(clusterArguments));
        args.addAll(arguments());
        return args;
    }

    @Override
    public Duration nominalDuration() {
        return Duration.ofMillis(records * 1000 / rate);
    }

    @Override
    public long malformedRecords() {
        return records / 1000;
    }
}
