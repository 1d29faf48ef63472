package dev.flinkstack.traffic;

import dev.flinkstack.traffic.sinks.TrafficSinks;
import dev.flinkstack.traffic.sources.TrafficSources;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Network-traffic analytics: flow records in, per-host window aggregates, alerts and dead-letter
 * lines out. {@code --help} lists the arguments.
 *
 * <p>The state backend is deliberately not set here: the cluster configuration chooses it (RocksDB
 * in the images), so the same jar runs anywhere.
 */
public final class TrafficAnalyticsJob {

    /** Name the job is submitted under. */
    public static final String JOB_NAME = "traffic-analytics";

    private TrafficAnalyticsJob() {}

    public static void main(String[] args) throws Exception {
        // Parsing here, at submission, also pins the generator's default start time once.
        JobOptions options = JobOptions.parse(args);
        if (options.help()) {
            System.out.println(JobOptions.usage());
            return;
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(configuration(options));
        build(env, options);
        // A name given at submission (pipeline.name, as the chart sets for session jobs) wins.
        env.execute(env.getConfiguration().getOptional(PipelineOptions.NAME).orElse(JOB_NAME));
    }

    /** The job-level configuration derived from {@code options}. */
    public static Configuration configuration(JobOptions options) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        // Fail fast instead of silently using slow, schema-fragile Kryo for a type that isn't a POJO.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (options.parallelism() > 0) {
            conf.set(CoreOptions.DEFAULT_PARALLELISM, options.parallelism());
        }
        return conf;
    }

    /** Wires source, pipeline and sinks into {@code env}. */
    public static void build(StreamExecutionEnvironment env, JobOptions options) {
        TrafficPipeline.Outputs outputs = TrafficPipeline.build(TrafficSources.create(env, options), options);
        TrafficSinks.write(outputs, options);
    }
}
