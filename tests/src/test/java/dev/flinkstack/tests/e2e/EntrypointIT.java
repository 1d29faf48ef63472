package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The images' entrypoint: usage, bad commands and bad configuration fail clearly. */
class EntrypointIT {

    private final ContainerEngine engine = ContainerEngine.fromSystemProperties();

    static List<String> images() {
        return List.of(FlinkContainerCluster.jobManagerImage(), FlinkContainerCluster.taskManagerImage());
    }

    @ParameterizedTest
    @MethodSource("images")
    void unknownCommandPrintsUsageAndFails(String image) {
        Processes.Result result = engine.run("run", "--rm", image, "jobmangaer");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("unknown command 'jobmangaer'").contains("Usage:");
    }

    @ParameterizedTest
    @MethodSource("images")
    void helpPrintsUsageAndSucceeds(String image) {
        Processes.Result result = engine.run("run", "--rm", image, "help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("standalone-job").contains("FLINK_PROPERTIES");
    }

    @ParameterizedTest
    @MethodSource("images")
    void runsAsNonRootUser9999(String image) {
        Processes.Result result = engine.run("run", "--rm", image, "id", "-u");

        assertThat(result.orThrow().stdout().trim()).isEqualTo("9999");
    }

    /** Settings Flink refuses, for an image and its role, and the reason its message gives. */
    static Stream<Arguments> refusedSettings() {
        return Stream.of(
                Arguments.of(FlinkContainerCluster.jobManagerImage(), "jobmanager", "jobmanager.memory.process.size: 64m",
                        "Total Process Memory"),
                Arguments.of(FlinkContainerCluster.taskManagerImage(), "taskmanager", "taskmanager.memory.process.size: 64m",
                        "Total Process Memory"),
                // Flink itself checks these only once the cluster runs.
                Arguments.of(FlinkContainerCluster.jobManagerImage(), "jobmanager", "heartbeat.interval: 10 s\nheartbeat.timeout: 2 s",
                        "heartbeat timeout should be larger or equal than the heartbeat interval"));
    }

    @ParameterizedTest
    @MethodSource("refusedSettings")
    void settingsFlinkRefusesStopTheContainerBeforeFlinkStarts(String image, String role, String properties, String reason) {
        Processes.Result result = engine.run("run", "--rm", "--env", "FLINK_PROPERTIES=" + properties, image, role);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("invalid Flink configuration").contains(reason);
    }

    @ParameterizedTest
    @MethodSource("images")
    void malformedFlinkPropertiesLineIsRejected(String image) {
        Processes.Result result = engine.run("run", "--rm", "--env",
                "FLINK_PROPERTIES=parallelism.default: 2\nthis line has no key", image);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("FLINK_PROPERTIES line 2 is not 'key: value'");
    }

    @Test
    void anUnknownBuiltInPluginStopsTheContainerNamingIt() {
        Processes.Result result = engine.run("run", "--rm", "--env", "ENABLE_BUILT_IN_PLUGINS=flink-s3-fs-hadoop-2.3.0.jar;flink-s3-fs-prest0.jar",
                FlinkContainerCluster.jobManagerImage(), "jobmanager");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).startsWith("entrypoint: ENABLE_BUILT_IN_PLUGINS: no flink-s3-fs-prest0.jar in /opt/flink/opt; it has: ")
                .contains("flink-s3-fs-hadoop-2.3.0.jar").doesNotContain("Exception");
    }

    @Test
    void anUnsetVariableInTheConfigurationStopsTheContainerBeforeFlinkStarts() {
        Processes.Result result = engine.run("run", "--rm", "--env", "FLINK_PROPERTIES=s3.secret-key: ${S3_SECRET_KEY}",
                FlinkContainerCluster.taskManagerImage(), "taskmanager");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("entrypoint: invalid Flink configuration: 's3.secret-key' refers to "
                + "${S3_SECRET_KEY}, but the environment variable S3_SECRET_KEY is not set\n");
    }

    @Test
    void aDaemonScriptOnlyRunsInTheForeground() {
        Processes.Result result = engine.run("run", "--rm", FlinkContainerCluster.jobManagerImage(), "jobmanager.sh", "start");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("usage: jobmanager.sh start-foreground [ARGS...]");
    }
}
