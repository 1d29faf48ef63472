package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.RunningJob;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes hardening the chart applies, in containers: configuration from a read-only mount
 * (as a ConfigMap is), a read-only root filesystem, and only /tmp writable. Every JVM runs with
 * -Xshare:on, which stops it when it cannot map the images' class-data-sharing archive (dumped at
 * build time for exactly these paths, sizes and times of lib/'s jars). The archive also holds the
 * classes of Flink's RPC system, which Flink loads from a jar it extracts to /tmp at every start.
 */
class ReadOnlyFilesystemIT {

    private static final String CLASS_LOAD_LOG = "/tmp/class-load.log";

    @Test
    void clusterRunsWithReadOnlyConfigAndRootFilesystem(@TempDir Path confDir) throws IOException {
        ContainerEngine engine = ContainerEngine.fromSystemProperties();
        for (String file : List.of("config.yaml", "log4j-console.properties")) {
            String content = engine.run("run", "--rm", "--entrypoint", "cat",
                    FlinkContainerCluster.jobManagerImage(), "/opt/flink/conf/" + file).orThrow().stdout();
            Files.writeString(confDir.resolve(file), content);
        }
        Files.writeString(confDir.resolve("config.yaml"), "\nflinkstack.conf.source: read-only-mount\n",
                StandardOpenOption.APPEND);
        // Readable by the container's uid 9999, as a ConfigMap volume (defaultMode 0644) is.
        Files.setPosixFilePermissions(confDir, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.MAIN_CLASS));
        args.addAll(ExampleJob.ARGUMENTS);
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(args)
                .customize(container -> container
                        .volume(confDir.toString(), "/opt/flink/conf", true)
                        .option("--read-only", "--tmpfs", "/tmp:rw,exec,size=1g", "--cap-drop", "ALL",
                                "--security-opt", "no-new-privileges")
                        // The log is the last JVM's, the JobManager's (the launcher's before it is replaced).
                        .env("JAVA_TOOL_OPTIONS", "-Xshare:on -Xlog:class+load=info:file=" + CLASS_LOAD_LOG))
                .start()) {
            RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(2)).awaitCompletedCheckpoints(1, Duration.ofMinutes(2));

            assertThat(cluster.rest().configValue("flinkstack.conf.source")).isEqualTo("read-only-mount");
            assertThat(engine.run("exec", cluster.jobManager(), "touch", "/opt/flink/conf/config.yaml").succeeded())
                    .as("the configuration mount is read-only").isFalse();
            assertThat(engine.run("exec", cluster.jobManager(), "touch", "/opt/flink/probe").succeeded())
                    .as("the root filesystem is read-only").isFalse();
            assertThat(engine.run("exec", cluster.jobManager(), "cat", CLASS_LOAD_LOG).orThrow().stdout())
                    .as("the JobManager's RPC system (Pekko), loaded from the archive")
                    .contains("org.apache.pekko.actor.ActorSystem source: shared objects file")
                    .contains("org.apache.flink.runtime.rpc.pekko.PekkoRpcService source: shared objects file");
        }
    }
}
