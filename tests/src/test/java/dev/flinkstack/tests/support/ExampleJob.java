package dev.flinkstack.tests.support;

import java.nio.file.Path;
import java.util.List;

/** The example job as the end-to-end tests run it: faster checkpoints, same code as the image's. */
public final class ExampleJob {

    public static final String MAIN_CLASS = "dev.flinkstack.traffic.TrafficAnalyticsJob";

    /** Where the images carry the job jar. */
    public static final String JAR_IN_IMAGE = "/opt/flink/usrlib/traffic-analytics.jar";

    /** Where the images carry the job's SQL version (job-template/src/main/sql). */
    public static final String SQL_IN_IMAGE = "/opt/flink/usrlib/traffic-analytics.sql";

    /** Flink's driver that runs a SQL script as a job (flink-table-runtime, in the images' lib/). */
    public static final String SQL_DRIVER = "org.apache.flink.table.runtime.application.SqlDriver";

    /** Job arguments: a moderate generator rate and 2 s checkpoints so tests see several quickly. */
    public static final List<String> ARGUMENTS =
            List.of("--rate", "500", "--checkpoint-interval", "2s");

    private ExampleJob() {}

    /** The shaded job jar the build produced (the same file the images carry in usrlib). */
    public static Path jar() {
        return Path.of(System.getProperty("job.jar", "../job-template/target/traffic-analytics.jar"));
    }

    /** The job's SQL version as the repository has it. */
    public static Path sqlScript() {
        return Path.of(System.getProperty("job.sql", "../job-template/src/main/sql/traffic-analytics.sql"));
    }

    /** Maps a checkpoint's external path under /flink-data to the host directory mounted there. */
    public static Path onHost(Path dataDir, String externalPath) {
        String path = externalPath.replaceFirst("^file:(//)?", "");
        if (!path.startsWith("/flink-data/")) {
            throw new IllegalArgumentException("not under /flink-data: " + externalPath);
        }
        return dataDir.resolve(path.substring("/flink-data/".length()));
    }
}
