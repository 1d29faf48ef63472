package dev.flinkstack.traffic.sinks;

import dev.flinkstack.traffic.JobOptions;
import dev.flinkstack.traffic.TrafficPipeline;
import dev.flinkstack.traffic.kafka.KafkaAlerts;
import dev.flinkstack.traffic.records.JsonLine;


import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * Exactly-once JSON-lines file sinks. Part files roll on every checkpoint and are committed
 * (renamed from the hidden {@code .name-*.inprogress.*} to {@code name-*.jsonl}) only when that
 * checkpoint completes, so readers see only committed data, once. Files land in hourly bucket
 * directories ({@code yyyy-MM-dd--HH}, processing time).
 */
public final class TrafficSinks {

    /** Sub-directory of {@code --output} for window aggregates. */
    public static final String AGGREGATES = "aggregates";

    /** Sub-directory of {@code --output} for alerts. */
    public static final String ALERTS = "alerts";

    /** Sub-directory of {@code --output} for the dead-letter lines. */
    public static final String MALFORMED = "malformed";

    private TrafficSinks() {}

    /** Writes the three pipeline outputs under {@code --output}, alerts to {@code --alerts-topic} if given. */
    public static void write(TrafficPipeline.Outputs outputs, JobOptions options) {
        writeJsonLines(outputs.aggregates(), options.output(), AGGREGATES);
        options.alertsTopic().ifPresentOrElse(
                topic -> outputs.alerts().sinkTo(KafkaAlerts.sink(topic, options)).name("alerts-kafka-sink").uid(KafkaAlerts.UID),
                () -> writeJsonLines(outputs.alerts(), options.output(), ALERTS));
        writeJsonLines(outputs.malformed(), options.output(), MALFORMED);
    }

    private static <T extends JsonLine> void writeJsonLines(DataStream<T> stream, String output, String name) {
        stream.sinkTo(jsonLines(output, name)).name(name + "-sink").uid(name + "-sink");
    }

    /** Returns a file sink writing JSON lines to {@code <output>/<name>/}. */
    public static <T extends JsonLine> FileSink<T> jsonLines(String output, String name) {
        return FileSink.forRowFormat(new Path(output, name), new JsonLineEncoder<T>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix(name)
                        .withPartSuffix(".jsonl")
                        .build())
                .build();
    }
}
