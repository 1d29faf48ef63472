package dev.flinkstack.tests.distribution;

import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An image derived the way Flink's documentation extends the official one: FROM this image, a
 * connector jar copied to /opt/flink/lib (flink-sql-avro, which flink-dist leaves out) and a
 * built-in plugin enabled. A SQL application on it writes Avro through the added jar and reads it
 * back; the plugin sits in the plugin directory the processes load from.
 */
class DerivedImageIT {

    private static final String SQL_DRIVER = "org.apache.flink.table.runtime.application.SqlDriver";
    private static final String PROPERTIES = "jobmanager.rpc.address: jobmanager";

    @Test
    void derivedImageRunsAJobThatUsesTheAddedConnector() throws IOException {
        try (DockerRuns docker = new DockerRuns()) {
            Path context = docker.directory();
            Files.copy(DockerRuns.distributionJar("flink-sql-avro.jar"), context.resolve("flink-sql-avro.jar"));
            Files.writeString(context.resolve("Dockerfile"), String.join("\n",
                    "FROM " + FlinkContainerCluster.jobManagerImage(),
                    "COPY flink-sql-avro.jar /opt/flink/lib/",
                    "ENV ENABLE_BUILT_IN_PLUGINS=flink-s3-fs-hadoop-2.3.0.jar", ""));
            String image = "flinkstack-test/derived:" + UUID.randomUUID().toString().substring(0, 8);
            Processes.Result build = docker.engine().run("build", "--quiet", "--tag", image, context.toString());
            assertThat(build.exitCode()).as(build.describe()).isZero();
            try {
                Path data = docker.directory();
                Files.copy(Path.of("src/test/resources/distribution/avro-round-trip.sql"), data.resolve("avro-round-trip.sql"));
                String jobManager = docker.start(docker.container("jobmanager", image).volume(data.toString(), "/flink-data", false)
                        .env("FLINK_PROPERTIES", PROPERTIES)
                        .args("standalone-job", "--job-classname", SQL_DRIVER, "--scriptUri", "file:///flink-data/avro-round-trip.sql"));
                String taskManager = docker.start(docker.container("taskmanager", image)
                        .volume(data.toString(), "/flink-data", false).env("FLINK_PROPERTIES", PROPERTIES).args("taskmanager"));

                assertThat(TableAndSqlIT.awaitExit(docker, jobManager)).as(docker.logs(jobManager)).isZero();
                List<String> expected = new ArrayList<>();
                for (int n = 1; n <= 10; n++) {
                    expected.add(n + "," + (long) n * n);
                }
                assertThat(JobOutput.committedLines(data.resolve("output/csv"))).containsExactlyInAnyOrderElementsOf(expected);

                // The plugin directory of the TaskManager process (the image has bash, but no sed or grep).
                Processes.Result plugins = docker.exec(taskManager, "bash", "-c", "while IFS= read -r -d '' e; do "
                        + "[[ $e == FLINK_PLUGINS_DIR=* ]] && dir=${e#*=}; done </proc/1/environ; "
                        + "ls \"$dir\" \"$dir\"/flink-s3-fs-hadoop-2.3.0");
                assertThat(plugins.stdout()).contains("flink-s3-fs-hadoop-2.3.0.jar").contains("metrics-prometheus");
            } finally {
                docker.engine().run("rmi", "--force", image);
            }
        }
    }
}
