package dev.flinkstack.tests.faulttolerance;

import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.traffic.JobOptions;
import dev.flinkstack.traffic.sources.TrafficGenerator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The example job on a {@link BoundedJob}'s input read from Kafka: the test writes the generator's
 * lines to one partition of {@link #INPUT}, in order, so the job must commit exactly what the
 * generator's own run commits, its alerts to the {@link #ALERTS} topic instead of files.
 */
record KafkaTrafficJob(BoundedJob generator) {

    /** 60 s of input at 2000 records/s, room for 2 kills and their recoveries (the DataStream case's input). */
    static final KafkaTrafficJob LONG = new KafkaTrafficJob(BoundedJob.LONG);

    static final String INPUT = "flows";
    static final String ALERTS = "alerts";
    static final String GROUP = "traffic-analytics";

    /** The topics and their partitions: one for the input, to keep its order; two for the alerts. */
    static final Map<String, Integer> TOPICS = Map.of(INPUT, 1, ALERTS, 2);

    /** The generator's lines, as its run emits them. */
    List<String> lines() {
        TrafficGenerator lines = TrafficGenerator.of(JobOptions.parse(generator.arguments().toArray(String[]::new)));
        return LongStream.range(0, generator.records()).mapToObj(lines::map).toList();
    }

    /** An application cluster's {@code standalone-job} arguments: the generator's options, Kafka in and out. */
    List<String> standaloneJobArguments() {
        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.MAIN_CLASS));
        args.addAll(generator.arguments());
        args.addAll(List.of(
                "--source", "kafka",
                "--kafka-bootstrap-servers", FlinkContainerCluster.KAFKA_BOOTSTRAP_SERVERS,
                "--kafka-topic", INPUT,
                "--kafka-group-id", GROUP,
                "--alerts-topic", ALERTS));
        return args;
    }
}
