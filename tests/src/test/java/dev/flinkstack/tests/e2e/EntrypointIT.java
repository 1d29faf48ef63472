package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The images' entrypoint: usage, bad commands and bad configuration fail clearly; the official
 * image's DISABLE_JEMALLOC and standalone-job --host mean what they mean there.
 */
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

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void jemallocIsTheAllocatorUnlessDisabled(boolean disabled) {
        // A TaskManager without a JobManager keeps running (it retries): long enough to read its JVM's
        // memory maps. The entrypoint execs the JVM, so it is process 1.
        String container = engine.run("run", "--detach", "--env", "DISABLE_JEMALLOC=" + disabled,
                FlinkContainerCluster.taskManagerImage(), "taskmanager").orThrow().stdout().trim();
        try {
            String maps = Await.until("the TaskManager's JVM", Duration.ofMinutes(1), () -> {
                Processes.Result result = engine.run("exec", container, "cat", "/proc/1/maps");
                return result.succeeded() && result.stdout().contains("libjvm.so") ? Optional.of(result.stdout()) : Optional.empty();
            });
            if (disabled) {
                assertThat(maps).doesNotContain("libjemalloc");
            } else {
                assertThat(maps).contains("libjemalloc.so.2");
            }
        } finally {
            engine.remove(container);
        }
    }

    @Test
    void standaloneJobHostIsTheJobManagersAddress() {
        // As in the official image, --host is jobmanager.rpc.address: TaskManagers and clients use it.
        String container = engine.run("run", "--detach", "--hostname", "flink-leader", "--publish", "127.0.0.1::8081",
                FlinkContainerCluster.jobManagerImage(), "standalone-job", "--host", "flink-leader",
                "--job-classname", ExampleJob.MAIN_CLASS).orThrow().stdout().trim();
        try {
            FlinkRest rest = new FlinkRest("127.0.0.1", engine.publishedPort(container, 8081));
            String address = Await.until("the JobManager's REST API", Duration.ofMinutes(1),
                    () -> Optional.ofNullable(rest.configValue("jobmanager.rpc.address")));
            assertThat(address).isEqualTo("flink-leader");
        } finally {
            engine.remove(container);
        }
    }

    @Test
    void aDaemonScriptOnlyRunsInTheForeground() {
        Processes.Result result = engine.run("run", "--rm", FlinkContainerCluster.jobManagerImage(), "jobmanager.sh", "start");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("usage: jobmanager.sh start-foreground [ARGS...]");
    }
}
