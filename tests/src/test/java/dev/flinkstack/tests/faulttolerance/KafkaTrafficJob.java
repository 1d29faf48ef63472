package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.KafkaBroker;
import dev.flinkstack.traffic.JobOptions;
import dev.flinkstack.traffic.sources.TrafficGenerator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example job on a {@link BoundedJob}'s input read from Kafka: the test writes the generator's
 * lines to one partition of {@link #INPUT}, in order, so the job must commit exactly what the
 * generator's own run commits, its alerts to the {@link #ALERTS} topic instead of files.
 */
public record KafkaTrafficJob(BoundedJob generator) {

    /** 60 s of input at 2000 records/s, room for 2 kills and their recoveries (the DataStream case's input). */
    public static final KafkaTrafficJob LONG = new KafkaTrafficJob(BoundedJob.LONG);

    public static final String INPUT = "flows";
    public static final String ALERTS = "alerts";
    public static final String GROUP = "traffic-analytics";

    /** The topics and their partitions: one for the input, to keep its order; two for the alerts. */
    public static final Map<String, Integer> TOPICS = Map.of(INPUT, 1, ALERTS, 2);

    /** Writes the generator's lines to {@link #INPUT}, in order, at the generator's rate. */
    public void writeInput(KafkaBroker kafka) {
        writeInput(kafka, 0, generator.records());
    }

    /** Writes the generator's lines {@code from} (inclusive) to {@code to} (exclusive), as {@link #writeInput(KafkaBroker)}. */
    public void writeInput(KafkaBroker kafka, long from, long to) {
        TrafficGenerator lines = generatorLines();
        kafka.produce(INPUT, to - from, i -> lines.map(from + i), generator.rate());
    }

    /**
     * Writes the generator's lines from {@code from} on to {@link #INPUT} as fast as the broker takes
     * them (a backlog) until {@code stop} says so or the input ends; returns the index reached.
     */
    public long writeBacklog(KafkaBroker kafka, long from, BooleanSupplier stop) {
        TrafficGenerator lines = generatorLines();
        return from + kafka.produce(INPUT, generator.records() - from, i -> lines.map(from + i), 0, stop);
    }

    private TrafficGenerator generatorLines() {
        return TrafficGenerator.of(JobOptions.parse(generator.arguments().toArray(String[]::new)));
    }

    /** An application cluster's {@code standalone-job} arguments. */
    public List<String> standaloneJobArguments() {
        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.MAIN_CLASS));
        args.addAll(arguments());
        return args;
    }

    /** The job's own arguments: the generator's options (those of its source ignored), Kafka in and out. */
    public List<String> arguments() {
        List<String> args = new ArrayList<>(generator.arguments());
        args.addAll(List.of(
                "--source", "kafka",
                "--kafka-bootstrap-servers", FlinkContainerCluster.KAFKA_BOOTSTRAP_SERVERS,
                "--kafka-topic", INPUT,
                "--kafka-group-id", GROUP,
                "--alerts-topic", ALERTS));
        return args;
    }

    /**
     * What the job committed: the aggregates and dead-letter files under {@code outputDir}, and the
     * alerts as a {@code read_committed} consumer of {@link #ALERTS} sees them (none go to files).
     */
    public static JobOutput committedOutput(Path outputDir, KafkaBroker kafka) {
        JobOutput files = JobOutput.read(outputDir);
        assertThat(files.lines("alerts")).as("no alerts in files: they go to Kafka").isEmpty();
        return new JobOutput(Map.of(
                "aggregates", files.lines("aggregates"),
                "alerts", kafka.readCommitted(ALERTS),
                "malformed", files.lines("malformed")));
    }
}
