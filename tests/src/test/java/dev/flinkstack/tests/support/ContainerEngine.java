package dev.flinkstack.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The container engine's CLI (docker, or podman's docker-compatible CLI), driven as a user would. */
public final class ContainerEngine {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final String executable;

    public ContainerEngine(String executable) {
        this.executable = executable;
    }

    /** The engine named by the {@code container.engine} system property (default docker). */
    public static ContainerEngine fromSystemProperties() {
        return new ContainerEngine(System.getProperty("container.engine", "docker"));
    }

    public Processes.Result run(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(arguments);
        return Processes.run(COMMAND_TIMEOUT, command);
    }

    public Processes.Result run(String... arguments) {
        return run(List.of(arguments));
    }

    public void createNetwork(String name) {
        run("network", "create", name).orThrow();
    }

    public void removeNetwork(String name) {
        run("network", "rm", name);
    }

    /** Starts a detached container and returns its name. */
    public String start(Container container) {
        run(container.toRunArguments()).orThrow();
        return container.name;
    }

    /**
     * Builds {@code tag}, a new version of image {@code from}: one more layer and a new version label,
     * using {@code context} (an empty directory) as the build context.
     */
    public void buildNewVersion(String from, String tag, Path context) {
        try {
            Files.writeString(context.resolve("UPGRADE"), tag + "\n");
            Files.writeString(context.resolve("Dockerfile"), String.join("\n",
                    "FROM " + from,
                    "LABEL org.opencontainers.image.version=\"" + tag.substring(tag.lastIndexOf(':') + 1) + "\"",
                    "COPY UPGRADE /opt/flink/UPGRADE",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of("build", "--tag", tag, context.toString())).orThrow();
    }

    /** Removes a container whatever its state. */
    public void remove(String name) {
        run("rm", "--force", "--volumes", name);
    }

    public void kill(String name) {
        run("kill", "--signal", "KILL", name).orThrow();
    }

    /**
     * Freezes the container's processes. Retried: runc's cgroup freeze fails now and then ("unable to
     * freeze") when a process is inside a system call, and leaves the container running.
     */
    public void pause(String name) {
        Processes.Result result = run("pause", name);
        for (int attempt = 1; !result.succeeded() && result.stderr().contains("unable to freeze") && attempt < 5; attempt++) {
            Await.sleep(Duration.ofSeconds(1));
            result = run("pause", name);
        }
        result.orThrow();
    }

    public String logs(String name) {
        Processes.Result result = run("logs", name);
        return result.stdout() + result.stderr();
    }

    /** The 127.0.0.1 port a published container port is reachable on. */
    public int publishedPort(String name, int containerPort) {
        String mapping = run("port", name, containerPort + "/tcp").orThrow().stdout().trim();
        String first = mapping.lines().findFirst().orElseThrow();
        return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    }

    /** A {@code docker run -d} invocation; every published port binds to 127.0.0.1 only. */
    public static final class Container {
        private final String name;
        private final String image;
        private String network;
        private final List<String> networkAliases = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> volumes = new ArrayList<>();
        private final List<String> tmpfs = new ArrayList<>();
        private final List<Integer> publishedPorts = new ArrayList<>();
        private final List<String> extraOptions = new ArrayList<>();
        private final List<String> arguments = new ArrayList<>();
        private String user;
        private String entrypoint;

        public Container(String name, String image) {
            this.name = name;
            this.image = image;
        }

        public Container network(String network, String... aliases) {
            this.network = network;
            this.networkAliases.addAll(List.of(aliases));
            return this;
        }

        public Container env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public Container volume(String hostPath, String containerPath, boolean readOnly) {
            volumes.add(hostPath + ":" + containerPath + (readOnly ? ":ro" : ""));
            return this;
        }

        public Container tmpfs(String containerPath) {
            tmpfs.add(containerPath);
            return this;
        }

        public Container publish(int containerPort) {
            publishedPorts.add(containerPort);
            return this;
        }

        public Container user(String user) {
            this.user = user;
            return this;
        }

        public Container entrypoint(String entrypoint) {
            this.entrypoint = entrypoint;
            return this;
        }

        /** Engine options with no builder method, e.g. {@code --read-only}. */
        public Container option(String... options) {
            extraOptions.addAll(List.of(options));
            return this;
        }

        public Container args(List<String> args) {
            arguments.addAll(args);
            return this;
        }

        public Container args(String... args) {
            return args(List.of(args));
        }

        List<String> toRunArguments() {
            List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", name));
            if (network != null) {
                run.addAll(List.of("--network", network));
                networkAliases.forEach(alias -> run.addAll(List.of("--network-alias", alias)));
            }
            environment.forEach((key, value) -> run.addAll(List.of("--env", key + "=" + value)));
            volumes.forEach(volume -> run.addAll(List.of("--volume", volume)));
            tmpfs.forEach(path -> run.addAll(List.of("--tmpfs", path)));
            publishedPorts.forEach(port -> run.addAll(List.of("--publish", "127.0.0.1::" + port)));
            if (user != null) {
                run.addAll(List.of("--user", user));
            }
            if (entrypoint != null) {
                run.addAll(List.of("--entrypoint", entrypoint));
            }
            run.addAll(extraOptions);
            run.add(image);
            run.addAll(arguments);
            return run;
        }
    }
}
