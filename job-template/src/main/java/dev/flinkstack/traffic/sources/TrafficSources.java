package dev.flinkstack.traffic.sources;

import dev.flinkstack.traffic.JobOptions;
import dev.flinkstack.traffic.kafka.KafkaLines;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's sources of raw lines. Both emit plain strings without watermarks: timestamps are only
 * known after parsing, so the pipeline assigns them there.
 */
public final class TrafficSources {

    /** Operator uid of the generator source; keep it stable so savepoints still restore. */
    public static final String GENERATOR_UID = "traffic-generator";

    /** Operator uid of the file source. */
    public static final String FILES_UID = "traffic-files";


    private TrafficSources() {}

    /** Returns the stream of raw lines selected by {@code --source}. */
    public static DataStream<String> create(StreamExecutionEnvironment env, JobOptions options) {
        return switch (options.source()) {
            case GENERATOR -> generator(env, options);
            case FILES -> files(env, options);
            case KAFKA -> KafkaLines.create(env, options);
        };
    }

    /** The deterministic, rate-limited generator, optionally bounded by {@code --records}. */
    public static DataStream<String> generator(StreamExecutionEnvironment env, JobOptions options) {
        // One subtask, also under the reactive/adaptive scheduler (max parallelism 1): with more, the
        // index range is split into far-apart chunks whose event times would be years apart.
        return env.fromSource(generatorSource(options), WatermarkStrategy.noWatermarks(), "traffic-generator")
                .setParallelism(1)
                .setMaxParallelism(1)
                .uid(GENERATOR_UID);
    }

    /** The generator's source: run it at parallelism 1 (see {@link #generator}). */
    public static DataGeneratorSource<String> generatorSource(JobOptions options) {
        TrafficGenerator generator = TrafficGenerator.of(options);
        long count = options.records() == 0 ? Long.MAX_VALUE : options.records();
        RateLimiterStrategy<?> rateLimit = options.rate() == 0
                ? RateLimiterStrategy.noOp()
                : RateLimiterStrategy.perSecond(options.rate());
        return new DataGeneratorSource<>(generator, count, rateLimit, Types.STRING);
    }

    /** Text files in {@code --input-dir}, re-scanned every {@code --monitor-interval} for new files. */
    public static DataStream<String> files(StreamExecutionEnvironment env, JobOptions options) {
        FileSource<String> source = FileSource
                .forRecordStreamFormat(new TextLineInputFormat(), new Path(options.inputDir()))
                .monitorContinuously(options.monitorInterval())
                .build();
        // Rebalance: a file is read by one subtask, and a parse subtask that gets no lines would hold
        // back the event-time watermark (and so every window) until --idle-timeout.
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "traffic-files")
                .uid(FILES_UID)
                .rebalance();
    }
}
