package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `make run` without a container engine: the image's entrypoint, launcher and configuration run as
 * local JVM processes. The run happens in a network namespace of its own, so the cluster's servers
 * can listen nowhere but on that namespace's loopback.
 */
class LocalProcessClusterIT {

    private static final Path LOCAL_CLUSTER = Path.of("..", "local", "cluster.sh");
    private static final Path S3PROXY_JAR = Path.of(System.getProperty("distribution.jars", "target/distribution-jars"), "s3proxy.jar");

    @Test
    void sessionClusterRunsTheExampleJobAsLocalProcesses(@TempDir Path localDir) throws IOException {
        String script = String.join(" && ",
                "ip link set lo up",
                "export CONTAINER_ENGINE=no-container-engine LOCAL_DIR=" + localDir,
                "{ " + LOCAL_CLUSTER + " start session 1; status=$?; " + LOCAL_CLUSTER + " stop; exit $status; }");
        Processes.Result result = Processes.run(Duration.ofMinutes(4), List.of("unshare", "--net", "bash", "-c", script));

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout())
                .contains("no container engine (no-container-engine) answers")
                .contains("Flink session cluster running (processes, 1 JobManager + 1 TaskManagers)")
                .contains("example job RUNNING");
        try (var checkpoints = Files.list(localDir.resolve("flink-data").resolve("checkpoints"))) {
            assertThat(checkpoints).as("the job's checkpoint directory").hasSize(1);
        }
    }

    /** `make run STORAGE=s3`: the same, with checkpoints in a local S3 server (S3Proxy) the script starts. */
    @Test
    void checkpointsGoToALocalS3ServerWithStorageS3(@TempDir Path localDir) {
        String latestCheckpoint = "job=$(curl -s http://127.0.0.1:8081/jobs | grep -o '[0-9a-f]\\{32\\}' | head -1); "
                + "for i in $(seq 60); do curl -s http://127.0.0.1:8081/jobs/$job/checkpoints "
                + "| grep -o '\"external_path\":\"s3://[^\"]*\"' && break; sleep 1; done";
        String script = String.join(" && ",
                "ip link set lo up",
                "export CONTAINER_ENGINE=no-container-engine STORAGE=s3 S3PROXY_JAR=" + S3PROXY_JAR.toAbsolutePath() + " LOCAL_DIR=" + localDir,
                "{ " + LOCAL_CLUSTER + " start session 1 && " + latestCheckpoint + "; status=$?; " + LOCAL_CLUSTER + " stop; exit $status; }");
        Processes.Result result = Processes.run(Duration.ofMinutes(4), List.of("unshare", "--net", "bash", "-c", script));

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout())
                .contains("Checkpoints:     s3://flink-state/local/checkpoints (http://127.0.0.1:9000")
                .contains("example job RUNNING")
                .contains("\"external_path\":\"s3://flink-state/local/checkpoints/");
        assertThat(localDir.resolve("flink-data").resolve("checkpoints")).as("nothing on the local disk").doesNotExist();
    }
}
