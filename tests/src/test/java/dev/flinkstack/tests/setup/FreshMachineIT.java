package dev.flinkstack.tests.setup;

import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * The README's quick start on a machine that has only what the README asks for: a Debian 12 root
 * filesystem built here with mmdebstrap, holding JDK 17, Maven, make and git and nothing else (no
 * container engine, no mmdebstrap, no curl), run as a container. A copy of the
 * repository's files (what a clone of this tree holds) goes in, and `make run` must bring the
 * machine to a working state by itself and end with the example job RUNNING as local processes.
 * The bad environments the setup must refuse cleanly run in the same image. Slow (minutes: it
 * installs packages and downloads every Maven artifact), so `make test-fresh-machine` runs it and
 * `.ci/run` calls that, not `make test`.
 */
class FreshMachineIT {

    private static final Path REPOSITORY = Path.of(System.getProperty("repository.dir", "..")).toAbsolutePath().normalize();
    /** What the README's quick start says a machine needs before `make run`. */
    private static final String PREREQUISITES = "openjdk-17-jdk-headless,maven,make,git,ca-certificates";
    private static final String IMAGE = "flinkstack-test/fresh-debian:bookworm";
    private static final String APT_SOURCES = "/etc/apt/sources.list.d/debian.sources";
    private static final String LOCAL_CERTIFICATES = "/usr/local/share/ca-certificates";

    private static final ContainerEngine ENGINE = ContainerEngine.fromSystemProperties();
    private static Path work;

    @BeforeAll
    static void buildTheFreshMachineImage() throws IOException {
        work = Files.createTempDirectory("flinkstack-fresh-machine");
        if (ENGINE.run("image", "inspect", IMAGE).succeeded()) {
            return;
        }
        Path rootfs = work.resolve("rootfs.tar");
        // The machine's own local certificate authorities come along (this network reaches Maven
        // Central through a TLS proxy whose CA every machine here trusts), as its apt sources do.
        Processes.run(Duration.ofMinutes(10), List.of("mmdebstrap", "--quiet", "--variant=apt",
                "--include=" + PREREQUISITES,
                "--customize-hook=copy-in " + LOCAL_CERTIFICATES + " /usr/local/share",
                "--customize-hook=chroot \"$1\" update-ca-certificates",
                "bookworm", rootfs.toString(), APT_SOURCES)).orThrow();
        ENGINE.run("import", "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                rootfs.toString(), IMAGE).orThrow();
        Files.delete(rootfs);
    }

    @AfterAll
    static void deleteCopies() {
        FlinkContainerCluster.deleteRecursively(work);
    }

    @Test
    void makeRunSetsUpTheMachineAndRunsTheExampleJob() {
        Path clone = copyOfTheRepository();
        Processes.Result run = runInFreshMachine(Duration.ofMinutes(30), clone, List.of(), String.join("\n",
                "set -e",
                "cd /work/flinkstack",
                "make run",
                "echo '--- second setup'",
                "build-tools/setup.sh run",
                "echo '--- checkpoints'",
                "ls .local/flink-data/checkpoints",
                "make stop"));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        String out = run.stdout();
        assertThat(out).as("setup installs what `make run` needs, and only that")
                .contains("setup: installing Debian packages: binutils curl mmdebstrap (log: /tmp/flinkstack-apt.log)\n")
                .containsOnlyOnce("setup: installing Debian packages");
        assertThat(out).as("without an engine, one line says so, then local processes")
                .containsOnlyOnce("no container engine")
                .contains("Flink session cluster running (processes, 1 JobManager + 2 TaskManagers)")
                .contains("example job RUNNING");
        String secondSetup = out.substring(out.indexOf("--- second setup"), out.indexOf("--- checkpoints"));
        assertThat(secondSetup).as("a second setup is a no-op").isEqualTo("--- second setup\n");
        assertThat(out.substring(out.indexOf("--- checkpoints"))).as("the job's checkpoint directory")
                .matches("(?s)--- checkpoints\n[0-9a-f]{32}\n.*");
    }

    @Test
    void aMachineThatIsNotDebianBasedGetsTheListOfWhatToInstall() {
        // The project's own Flink image: bash and coreutils, but no apt-get and no dpkg.
        Path clone = copyOfTheRepository();
        Processes.Result result = ENGINE.run("run", "--rm", "--user", "0", "--entrypoint", "bash",
                "--volume", clone + ":/work/flinkstack:ro", "--workdir", "/work/flinkstack",
                FlinkContainerCluster.jobManagerImage(), "build-tools/setup.sh", "run");
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("setup: this is not a Debian-based machine (no apt-get): "
                + "install these packages' equivalents yourself: binutils curl mmdebstrap\n");
    }

    @Test
    void withoutRootOrSudoTheSetupPrintsTheCommandToRun() {
        Processes.Result result = runInFreshMachine(Duration.ofMinutes(2), copyOfTheRepository(),
                List.of("--user", "65534"), "cd /work/flinkstack && build-tools/setup.sh run");
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stderr()).isEqualTo("setup: missing Debian packages and neither root nor sudo to install "
                + "them; as root, run: apt-get update && apt-get install -y --no-install-recommends "
                + "binutils curl mmdebstrap\n");
    }

    @Test
    void anUnreachableMirrorInstallsNothingAndTheNextTryWorks() {
        Path clone = copyOfTheRepository();
        String name = "flinkstack-fresh-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            // One machine, first cut off from the network, then connected again.
            ENGINE.run("create", "--name", name, "--volume", clone + ":/work/flinkstack:ro",
                    "--workdir", "/work/flinkstack", IMAGE, "sleep", "infinity").orThrow();
            ENGINE.run("start", name).orThrow();
            ENGINE.run("network", "disconnect", "bridge", name).orThrow();
            Processes.Result offline = ENGINE.run("exec", name, "build-tools/setup.sh", "lint");
            assertThat(offline.exitCode()).as(offline.describe()).isEqualTo(1);
            assertThat(offline.stderr())
                    .contains("setup: apt-get update -o APT::Update::Error-Mode=any failed. "
                            + "The last lines of /tmp/flinkstack-apt.log:")
                    .contains("Temporary failure resolving 'deb.debian.org'")
                    .endsWith("setup: cannot reach the Debian package mirror; nothing was installed. "
                            + "Check the network or the sources in /etc/apt, then run again\n");
            assertThat(ENGINE.run("exec", name, "dpkg-query", "-W", "shellcheck").succeeded()).isFalse();

            ENGINE.run("network", "connect", "bridge", name).orThrow();
            Processes.Result online = Processes.run(Duration.ofMinutes(5),
                    List.of(engineExecutable(), "exec", name, "build-tools/setup.sh", "lint"));
            assertThat(online.exitCode()).as(online.describe()).isZero();
            assertThat(ENGINE.run("exec", name, "shellcheck", "--version").succeeded()).isTrue();
        } finally {
            ENGINE.remove(name);
        }
    }

    @Test
    void anEngineThatDoesNotStartStopsTheSetupWithItsLog() {
        // An unprivileged container: the setup installs docker.io, but dockerd cannot start there.
        Processes.Result result = runInFreshMachine(Duration.ofMinutes(10), copyOfTheRepository(), List.of(),
                "cd /work/flinkstack && build-tools/setup.sh bench");
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stdout()).contains("setup: installing Debian packages: binutils curl docker.io mmdebstrap (log: /tmp/flinkstack-apt.log)\n");
        assertThat(result.stderr())
                .contains("setup: the Docker engine did not start. The last lines of /tmp/flinkstack-dockerd.log:")
                .contains("level=")
                .endsWith("setup: the Docker engine is installed but does not start (its log is above). "
                        + "Fix it, or run with CONTAINER_ENGINE=none to use local processes\n");
    }

    /** Runs a bash script as root (unless options say otherwise) in a new container of the fresh machine. */
    private static Processes.Result runInFreshMachine(Duration timeout, Path clone, List<String> options, String script) {
        List<String> command = new ArrayList<>(List.of(engineExecutable(), "run", "--rm",
                "--volume", clone + ":/work/flinkstack"));
        command.addAll(options);
        command.addAll(List.of(IMAGE, "bash", "-c", script));
        return Processes.run(timeout, command);
    }

    /** The repository's files as a clone of this tree has them: tracked and not ignored. */
    private static Path copyOfTheRepository() {
        Path copy = work.resolve("clone-" + UUID.randomUUID().toString().substring(0, 8));
        Processes.run(Duration.ofMinutes(2), List.of("bash", "-c",
                "mkdir -p \"$2\" && cd \"$1\" && git ls-files -z --cached --others --exclude-standard "
                        + "| xargs -0 -I{} sh -c 'test -e \"{}\" && echo \"{}\"' | tar -cf - -T - | tar -xf - -C \"$2\"",
                "_", REPOSITORY.toString(), copy.toString())).orThrow();
        return copy;
    }

    private static String engineExecutable() {
        return System.getProperty("container.engine", "docker");
    }
}
