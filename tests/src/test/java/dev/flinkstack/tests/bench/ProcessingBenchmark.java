package dev.flinkstack.tests.bench;

import dev.flinkstack.tests.bench.BenchReport.Section;
import dev.flinkstack.tests.faulttolerance.BoundedJob;
import dev.flinkstack.tests.faulttolerance.KafkaTrafficJob;
import dev.flinkstack.tests.faulttolerance.SqlTrafficJob;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.RunningJob;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the example job does per slot on RocksDB: its throughput with an unthrottled generator, and
 * checkpoint duration and size for a keyed state of about 100 MB with incremental checkpoints.
 * One TaskManager with one slot and job parallelism 1, so "per slot" is what one slot achieves.
 */
class ProcessingBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Duration WARM_UP = Duration.ofSeconds(20);
    private static final Duration WINDOW = Duration.ofSeconds(30);
    /** Records the example job's parse operator handled (valid + malformed). */
    private static final Pattern PARSED_RECORDS =
            Pattern.compile("^flink_taskmanager_job_task_operator_(parsedRecords|malformedRecords)\\{.*} (\\S+)$");
    /** Records the bare count's keyed aggregation received. */
    private static final Pattern COUNTED_RECORDS = Pattern.compile(
            "^flink_taskmanager_job_task_operator_numRecordsIn\\{(.*operator_name=\"GroupAggregate[^\"]*\".*)} (\\S+)$");
    /** A bare keyed count, as SQL through flink-table-runtime's SQL driver: per-record RocksDB state access. */
    private static final List<String> BARE_KEYED_COUNT = List.of("--job-classname",
            "org.apache.flink.table.runtime.application.SqlDriver", "--script",
            "CREATE TABLE events (k BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000000000',"
                    + " 'fields.k.min' = '0', 'fields.k.max' = '99');"
                    + " CREATE TABLE counts (k BIGINT, n BIGINT) WITH ('connector' = 'blackhole');"
                    + " INSERT INTO counts SELECT k, COUNT(*) FROM events GROUP BY k;");
    private static final String ONE_SLOT = "taskmanager.numberOfTaskSlots: 1\nparallelism.default: 1\n";
    /**
     * Hosts whose open windows add up to about 100 MB of RocksDB files (measured: 55-75 B per host,
     * depending on how far compaction got).
     */
    private static final int STATE_KEYS = 1_800_000;
    private static final long STATE_TARGET_BYTES = 100L * 1000 * 1000;

    @AfterAll
    static void printReport() {
        BenchReport.print();
    }

    @Test
    void throughputPerSlotWithRocksDb() {
        List<Double> samples = new ArrayList<>();
        List<Double> bareCount = new ArrayList<>();
        List<String> args = List.of("--job-classname", ExampleJob.MAIN_CLASS,
                "--rate", "0", "--parallelism", "1", "--start-time", "2026-01-01T00:00:00Z");
        for (int run = 0; run < BenchReport.slowRuns(); run++) {
            samples.add(measure(oneSlotApplication(args), PARSED_RECORDS).recordsPerSecond());
            bareCount.add(measure(oneSlotApplication(BARE_KEYED_COUNT), COUNTED_RECORDS).recordsPerSecond());
        }
        BenchReport.add(Section.PROCESSING, 0, "Example job throughput per slot (RocksDB)", "records/s", samples,
                "unthrottled generator (--rate 0), parse, keyBy host, 10 s windows on RocksDB, 3 file sinks, "
                        + "checkpoints every 10 s; 1 slot, parallelism 1; records parsed per second over "
                        + WINDOW.toSeconds() + " s after " + WARM_UP.toSeconds() + " s warm-up. Reference, same "
                        + "slot and runs: a bare keyed count (SQL: datagen, GROUP BY 100 keys, COUNT(*) on RocksDB)",
                BenchReport.reference("bare keyed count", bareCount));
    }

    /**
     * The example job's SQL version next to the DataStream job, on the same input (the generator
     * unthrottled, same seed, hosts and start time), windows, checkpoints (every 2 s) and slot,
     * alternating in one run. Both count the lines they parse in the same metrics.
     */
    @Test
    void sqlVersionThroughputPerSlotNextToTheDataStreamJob() {
        BoundedJob unbounded = new BoundedJob(0, 0, SqlTrafficJob.WINDOW);
        SqlTrafficJob sql = new SqlTrafficJob(unbounded);
        List<Double> sqlRates = new ArrayList<>();
        List<Double> dataStreamRates = new ArrayList<>();
        for (int run = 0; run < BenchReport.slowRuns(); run++) {
            sqlRates.add(measure(oneSlotApplication(sql.standaloneJobArguments()), PARSED_RECORDS).recordsPerSecond());
            dataStreamRates.add(measure(oneSlotApplication(unbounded.standaloneJobArguments()), PARSED_RECORDS)
                    .recordsPerSecond());
        }
        BenchReport.add(Section.PROCESSING, 8, "Example job throughput per slot, SQL version", "records/s", sqlRates,
                "job-template/src/main/sql/traffic-analytics.sql through Flink's SQL driver: the generator unthrottled "
                        + "(rate 0, records 0), the traffic-flow format, 10 s windows on RocksDB, 3 file sinks, checkpoints "
                        + "every 2 s; 1 slot, parallelism 1; lines parsed per second over " + WINDOW.toSeconds() + " s after "
                        + WARM_UP.toSeconds() + " s warm-up. Reference, same slot, input and runs: the DataStream job",
                BenchReport.reference("DataStream job", dataStreamRates));
    }

    /**
     * The example job reading Kafka (the project's broker image on the cluster's network, one
     * partition filled before the job starts, more than it reads in the warm-up and window) and
     * writing its alerts to Kafka in transactions, next to the same job on its generator: same input
     * lines, windows, checkpoints (every 2 s) and slot, alternating in one run. The job reads the
     * backlog in a session cluster, from the shaded jar.
     */
    @Test
    void kafkaThroughputPerSlotNextToTheGenerator() {
        // Shorter than the other figures': the backlog (~100 bytes a line) is held in the broker's memory.
        Duration warmUp = Duration.ofSeconds(10);
        Duration window = Duration.ofSeconds(15);
        BoundedJob unbounded = new BoundedJob(0, 0, "10s");
        List<Double> kafkaRates = new ArrayList<>();
        List<Double> generatorRates = new ArrayList<>();
        for (int run = 0; run < BenchReport.slowRuns(); run++) {
            double generator = measure(oneSlotApplication(unbounded.standaloneJobArguments()), PARSED_RECORDS, warmUp, window)
                    .recordsPerSecond();
            generatorRates.add(generator);
            long backlog = (long) (generator * warmUp.plus(window).toSeconds() * 1.3);
            KafkaTrafficJob kafkaJob = new KafkaTrafficJob(new BoundedJob(backlog, 0, "10s"));
            try (FlinkContainerCluster cluster = FlinkContainerCluster.session().kafka(KafkaTrafficJob.TOPICS)
                    .taskManagers(1).flinkProperties(ONE_SLOT).start()) {
                kafkaJob.writeInput(cluster.kafka());
                FlinkRest rest = cluster.rest();
                String jobId = rest.runJar(rest.uploadJar(ExampleJob.jar()), kafkaJob.arguments());
                kafkaRates.add(measure(cluster, jobId, PARSED_RECORDS, warmUp, window).recordsPerSecond());
                assertThat(cluster.kafka().committedOffsets(KafkaTrafficJob.GROUP, KafkaTrafficJob.INPUT))
                        .as("the backlog outlasted the measurement").isLessThan(backlog);
            }
        }
        BenchReport.add(Section.PROCESSING, 9, "Example job throughput per slot, Kafka in and out", "records/s", kafkaRates,
                "--source kafka on a backlog of the generator's lines (one partition; the broker: images/kafka on the "
                        + "cluster's network), alerts to a Kafka topic in transactions, 10 s windows on RocksDB, checkpoints "
                        + "every 2 s; 1 slot, parallelism 1; lines parsed per second over " + window.toSeconds() + " s after "
                        + warmUp.toSeconds() + " s warm-up. Reference, same slot, options and runs: the generator "
                        + "unthrottled, alerts to files",
                BenchReport.reference("generator source", generatorRates));
    }

    /**
     * The example job on two TaskManagers of one slot each, parallelism 2, so every record crosses the
     * network once (keyBy host) and checkpoint barriers flow between them: without TLS and with the
     * chart's internal TLS, alternating, in one run.
     */
    @Test
    void throughputAndCheckpointsWithInternalTlsOnAndOff() {
        List<String> args = List.of("--job-classname", ExampleJob.MAIN_CLASS,
                "--rate", "0", "--parallelism", "2", "--start-time", "2026-01-01T00:00:00Z");
        List<Rate> plain = new ArrayList<>();
        List<Rate> tls = new ArrayList<>();
        for (int run = 0; run < BenchReport.slowRuns(); run++) {
            plain.add(measure(twoTaskManagers(args), PARSED_RECORDS));
            tls.add(measure(twoTaskManagers(args).internalTls(), PARSED_RECORDS));
        }
        String how = "the example job unthrottled (--rate 0), parallelism 2 on 2 TaskManagers of 1 slot, so each record "
                + "crosses the network once (keyBy host); checkpoints every 10 s to the data volume; "
                + WINDOW.toSeconds() + " s after " + WARM_UP.toSeconds() + " s warm-up. Reference, same run: without TLS";
        BenchReport.add(Section.PROCESSING, 6, "Example job throughput, 2 TaskManagers, internal TLS", "records/s",
                tls.stream().map(Rate::recordsPerSecond).toList(), "records parsed per second; " + how,
                BenchReport.reference("no TLS", plain.stream().map(Rate::recordsPerSecond).toList()));
        BenchReport.add(Section.PROCESSING, 7, "Checkpoint duration, 2 TaskManagers, internal TLS", "s",
                tls.stream().map(Rate::checkpointSeconds).toList(), "median end-to-end duration of each run's checkpoints; " + how,
                BenchReport.reference("no TLS", plain.stream().map(Rate::checkpointSeconds).toList()));
    }

    /** Records per second, and the median checkpoint duration, of a job's run. */
    private record Rate(double recordsPerSecond, double checkpointSeconds) {}

    /** Records per second an operator of the cluster's job handles on all TaskManagers after the warm-up, and its checkpoints' median duration. */
    private static Rate measure(FlinkContainerCluster.Builder builder, Pattern counter) {
        return measure(builder, counter, WARM_UP, WINDOW);
    }

    private static Rate measure(FlinkContainerCluster.Builder builder, Pattern counter, Duration warmUp, Duration window) {
        try (FlinkContainerCluster cluster = builder.start()) {
            return measure(cluster, RunningJob.awaitRunning(cluster::rest, TIMEOUT).id(), counter, warmUp, window);
        }
    }

    private static Rate measure(FlinkContainerCluster cluster, String jobId, Pattern counter, Duration warmUp, Duration window) {
        RunningJob.of(cluster::rest, jobId).awaitFullyRunning(TIMEOUT);
        Await.sleep(warmUp);
        long before = records(cluster, counter);
        long started = System.nanoTime();
        Await.sleep(window);
        long after = records(cluster, counter);
        double seconds = StartupBenchmark.seconds(started);
        JsonNode durations = cluster.rest().checkpoints(jobId).at("/summary/end_to_end_duration");
        return new Rate((after - before) / seconds, durations.path("p50").asDouble() / 1000);
    }

    /**
     * The same job and state, checkpointing to the data volume and to S3 (S3Proxy on the cluster's
     * network, in memory, as the chart's checkpoints.s3 configures it), one after the other in one run.
     */
    @Test
    void incrementalCheckpointsOfAbout100MbOfState() {
        List<String> args = List.of("--job-classname", ExampleJob.MAIN_CLASS,
                "--rate", "0", "--parallelism", "1", "--keys", Integer.toString(STATE_KEYS),
                "--window", "1d", "--checkpoint-interval", "10s", "--start-time", "2026-01-01T00:00:00Z");
        String how = "--keys " + STATE_KEYS + " --window 1d --rate 0: every host's open window in RocksDB, "
                + "updated at full speed (so compactions rewrite most files between checkpoints), checkpoints "
                + "every 10 s; " + BenchReport.runs() + " consecutive checkpoints once the state reached "
                + STATE_TARGET_BYTES / 1_000_000 + " MB";
        Checkpoints volume = checkpoints(oneSlotApplication(args));
        Checkpoints s3 = checkpoints(oneSlotApplication(args).s3Storage());
        BenchReport.add(Section.PROCESSING, 1, "Checkpoint duration, ~100 MB state, incremental, to the data volume", "s",
                volume.durations(), how);
        BenchReport.add(Section.PROCESSING, 2, "Checkpoint size uploaded (incremental)", "bytes", volume.uploaded(),
                "same checkpoints: new RocksDB files each checkpoint wrote");
        BenchReport.add(Section.PROCESSING, 3, "Full state size at those checkpoints", "bytes", volume.full(),
                "same checkpoints: all RocksDB files the checkpoint references");
        BenchReport.add(Section.PROCESSING, 4, "Checkpoint duration, ~100 MB state, incremental, to S3", "s",
                s3.durations(), "the same job and state, checkpointing to S3Proxy on the cluster's network through "
                        + "flink-s3-fs-hadoop. Reference, same run: the data volume",
                BenchReport.reference("data volume", volume.durations()));
        BenchReport.add(Section.PROCESSING, 5, "Checkpoint size uploaded to S3 (incremental)", "bytes", s3.uploaded(),
                "same checkpoints. Reference, same run: the data volume",
                BenchReport.reference("data volume", volume.uploaded()));
    }

    private record Checkpoints(List<Double> durations, List<Double> uploaded, List<Double> full) {}

    /** Consecutive completed checkpoints of the cluster's job once its state reached the target. */
    private static Checkpoints checkpoints(FlinkContainerCluster.Builder builder) {
        Checkpoints checkpoints = new Checkpoints(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (FlinkContainerCluster cluster = builder.start()) {
            FlinkRest rest = cluster.rest();
            String jobId = RunningJob.awaitRunning(cluster::rest, TIMEOUT).id();
            Await.condition("a checkpointed state of " + STATE_TARGET_BYTES / 1_000_000 + " MB", TIMEOUT,
                    () -> latest(rest, jobId).path("state_size").asLong() >= STATE_TARGET_BYTES);
            Set<Long> seen = new HashSet<>();
            seen.add(latest(rest, jobId).path("id").asLong());
            while (checkpoints.durations().size() < BenchReport.runs()) {
                JsonNode checkpoint = Await.until("the next completed checkpoint", Duration.ofMinutes(1), () -> {
                    JsonNode latest = latest(rest, jobId);
                    return seen.contains(latest.path("id").asLong())
                            ? Optional.empty() : Optional.of(latest);
                });
                seen.add(checkpoint.path("id").asLong());
                checkpoints.durations().add(checkpoint.path("end_to_end_duration").asDouble() / 1000);
                checkpoints.uploaded().add(checkpoint.path("checkpointed_size").asDouble());
                checkpoints.full().add(checkpoint.path("state_size").asDouble());
            }
        }
        return checkpoints;
    }

    private static JsonNode latest(FlinkRest rest, String jobId) {
        return rest.checkpoints(jobId).path("latest").path("completed");
    }

    /** The sum of the counters a pattern matches, from every TaskManager's Prometheus endpoint. */
    private static long records(FlinkContainerCluster cluster, Pattern counter) {
        long sum = 0;
        for (String taskManager : cluster.taskManagers()) {
            for (String line : cluster.metrics(taskManager).split("\n")) {
                Matcher matcher = counter.matcher(line);
                if (matcher.matches()) {
                    sum += (long) Double.parseDouble(matcher.group(2));
                }
            }
        }
        return sum;
    }

    /** Two TaskManagers with one slot each: a parallelism-2 job exchanges records between them. */
    private static FlinkContainerCluster.Builder twoTaskManagers(List<String> args) {
        return FlinkContainerCluster.application(args).taskManagers(2).flinkProperties(ONE_SLOT);
    }

    /** One TaskManager with one slot: figures per slot, no exchange between TaskManagers. */
    private static FlinkContainerCluster.Builder oneSlotApplication(List<String> args) {
        return FlinkContainerCluster.application(args).taskManagers(1).flinkProperties(ONE_SLOT);
    }
}
