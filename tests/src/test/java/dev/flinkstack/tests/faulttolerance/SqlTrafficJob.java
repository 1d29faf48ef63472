package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.ExampleJob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The example job's SQL version (job-template/src/main/sql) on the input of a {@link BoundedJob}: the
 * script as the images carry it, with its generator table set to the same options and 2 s
 * checkpoints, run by Flink's SQL driver. Its window is the script's, so {@code generator} must use
 * the same one ({@link #WINDOW}) for both versions to commit the same output.
 */
public record SqlTrafficJob(BoundedJob generator) implements ReferenceRun.Job {

    /** The script's tumbling window. */
    public static final String WINDOW = "10s";

    /** 40 s of input at 2000 records/s, as {@link BoundedJob#SHORT} with the script's window. */
    public static final SqlTrafficJob SHORT = new SqlTrafficJob(new BoundedJob(80_000, 2_000, WINDOW));

    /** The generator options of the script as shipped: what {@link #script()} replaces. */
    private static final String SHIPPED_GENERATOR_OPTIONS = "'rate' = '1000'";

    public SqlTrafficJob {
        if (!generator.window().equals(WINDOW)) {
            throw new IllegalArgumentException("the SQL version's window is " + WINDOW + ", not " + generator.window());
        }
    }

    /** The script, bounded to the generator's records, rate, seed, keys, start time and malformed lines. */
    public String script() {
        String shipped;
        try {
            shipped = Files.readString(ExampleJob.sqlScript());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!shipped.contains(SHIPPED_GENERATOR_OPTIONS)) {
            throw new IllegalStateException(ExampleJob.sqlScript() + " no longer has " + SHIPPED_GENERATOR_OPTIONS);
        }
        List<String> arguments = generator.arguments();
        List<String> options = new ArrayList<>();
        for (String name : List.of("rate", "records", "seed", "keys", "start-time", "malformed-every")) {
            String value = arguments.get(arguments.indexOf("--" + name) + 1);
            options.add("'" + name + "' = '" + value + "'");
        }
        return "SET 'execution.checkpointing.interval' = '2s';\n"
                + shipped.replace(SHIPPED_GENERATOR_OPTIONS, String.join(", ", options));
    }

    @Override
    public List<String> localRunArguments() {
        // The driver submits its INSERT and returns; the local cluster must wait for the job to end.
        return List.of("-Dtable.dml-sync=true", "-c", ExampleJob.SQL_DRIVER, ExampleJob.JAR_IN_IMAGE,
                "--script", script());
    }

    @Override
    public List<String> standaloneJobArguments(String... clusterArguments) {
        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.SQL_DRIVER));
        args.addAll(List.of(clusterArguments));
        args.addAll(List.of("--script", script()));
        return args;
    }

    @Override
    public Duration nominalDuration() {
        return generator.nominalDuration();
    }

    @Override
    public long malformedRecords() {
        return generator.malformedRecords();
    }
}
