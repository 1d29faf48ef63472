package dev.flinkstack.launcher;

import dev.flinkstack.lifecycle.LifecycleStore;
import dev.flinkstack.lifecycle.RestorePoint;
import dev.flinkstack.lifecycle.StoredExecutionPlan;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.heartbeat.HeartbeatServices;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.bash.FlinkConfigLoader;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.apache.flink.util.ExceptionUtils;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prepares a Flink process in one JVM, where Flink's shell scripts start several: loads the
 * configuration (config dir plus {@code -D} overrides), replaces {@code ${VAR}} references in its
 * values with environment variables, validates it, computes the process's memory (for a JobManager
 * or TaskManager) as Flink's scripts do, and writes the effective config.yaml into
 * {@code --writeConfig DIR}. Prints the JVM flags of the process, one {@code jvm <flag>} line each:
 * memory flags (-Xmx, -Xms, ...) then the role's env.java.opts.*. For the JobManager of an
 * application ({@code application --job-id ID}) it also picks the state the job starts from
 * ({@link RestorePoint}, written as {@code execution.state-recovery.path}), or, for a job that
 * ended, prints {@code main-class <session entrypoint>} so the JobManager starts without it; a
 * {@code notice <text>} line says which. With HA, at a new job definition it first deletes the job's
 * stored execution plan ({@link StoredExecutionPlan}), so the new definition runs.
 *
 * <p>Usage: {@code LaunchParameters jobmanager|application|taskmanager|client --configDir DIR
 * --writeConfig DIR [--job-id ID] [-Dkey=value ...]}. A configuration Flink cannot load, a reference to an unset variable,
 * memory settings that do not add up or heartbeat settings Flink refuses exit with status 1 and a message on stderr (never
 * a value).
 */
public final class LaunchParameters {

    private static final List<String> ROLES = List.of("jobmanager", "application", "taskmanager", "client");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private LaunchParameters() {}

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        int write = rest.indexOf("--writeConfig");
        if (args.length < 1 || !ROLES.contains(args[0]) || write < 0 || write + 1 >= rest.size()) {
            System.err.println("usage: LaunchParameters jobmanager|taskmanager|client --configDir DIR "
                    + "--writeConfig DIR [-Dkey=value ...]");
            System.exit(2);
        }
        Path output = Path.of(rest.remove(write + 1));
        rest.remove(write);
        String role = rest.remove(0);
        int jobIdOption = rest.indexOf("--job-id");
        String jobId = jobIdOption < 0 ? null : rest.remove(jobIdOption + 1);
        if (jobIdOption >= 0) {
            rest.remove(jobIdOption);
        }
        try {
            Configuration config = expandVariables(
                    FlinkConfigLoader.loadConfiguration(rest.toArray(String[]::new)), System.getenv());
            List<String> jvmFlags = processParameters(role, config);
            Optional<LifecycleStore> lifecycle =
                    "application".equals(role) && jobId != null ? LifecycleStore.of(config, jobId) : Optional.empty();
            if (lifecycle.isPresent()) {
                FileSystem.initialize(config, PluginUtils.createPluginManagerFromRootFolder(config));
                RestorePoint restore;
                Optional<String> droppedPlan;
                try {
                    restore = RestorePoint.choose(config, lifecycle.get(), jobId);
                    droppedPlan = restore.run()
                            ? StoredExecutionPlan.dropAtNewDefinition(config, lifecycle.get(), jobId)
                            : Optional.empty();
                } catch (UncheckedIOException e) {
                    System.err.println("cannot read the job's state (" + describe(e)
                            + "). Check the durable storage's address, bucket and credentials; the job was not started.");
                    System.exit(1);
                    return;
                } catch (IllegalStateException e) {
                    System.err.println(e.getMessage() + ". The job was not started.");
                    System.exit(1);
                    return;
                }
                droppedPlan.ifPresent(notice -> System.out.println("notice " + notice));
                restore.path().ifPresent(path -> config.set(StateRecoveryOptions.SAVEPOINT_PATH, path));
                if (!restore.run()) {
                    System.out.println("main-class " + StandaloneSessionClusterEntrypoint.class.getName());
                }
                System.out.println("notice " + (!restore.run() ? "not starting the job: " + restore.reason()
                        : restore.path().map(path -> "starting the job from " + restore.reason() + ": " + path)
                                .orElse("starting the job with empty state: " + restore.reason())));
            }
            Files.write(output.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
                    ConfigurationUtils.convertConfigToWritableLines(config, false));
            jvmFlags.forEach(flag -> System.out.println("jvm " + flag));
        } catch (Throwable e) {
            Throwable cause = ExceptionUtils.stripException(e, RuntimeException.class);
            System.err.println("invalid Flink configuration: " + describe(cause));
            System.exit(1);
        }
    }

    /** The configuration with every {@code ${VAR}} in a value replaced by the environment variable VAR. */
    static Configuration expandVariables(Configuration config, Map<String, String> environment) {
        Map<String, String> expanded = new HashMap<>();
        config.toMap().forEach((key, value) -> {
            Matcher matcher = VARIABLE.matcher(value);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String replacement = environment.get(matcher.group(1));
                if (replacement == null) {
                    throw new IllegalArgumentException("'" + key + "' refers to ${" + matcher.group(1)
                            + "}, but the environment variable " + matcher.group(1) + " is not set");
                }
                matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            matcher.appendTail(out);
            expanded.put(key, out.toString());
        });
        return Configuration.fromMap(expanded);
    }

    /**
     * Computes the process's memory, which also validates the memory settings, sets the derived sizes
     * into {@code config} (as Flink's scripts pass them with -D) and returns the JVM flags.
     */
    static List<String> processParameters(String role, Configuration config) {
        List<String> jvmFlags = new ArrayList<>();
        String dynamicProperties;
        if ("jobmanager".equals(role) || "application".equals(role)) {
            JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
            jvmFlags.addAll(split(JobManagerProcessUtils.generateJvmParametersStr(spec, config)));
            dynamicProperties = JobManagerProcessUtils.generateDynamicConfigsStr(spec);
            jvmFlags.addAll(
                    javaOptions(
                            config,
                            CoreOptions.FLINK_DEFAULT_JM_JVM_OPTIONS,
                            CoreOptions.FLINK_JM_JVM_OPTIONS));
        } else if ("taskmanager".equals(role)) {
            TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
            jvmFlags.addAll(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
            dynamicProperties = TaskExecutorProcessUtils.generateDynamicConfigsStr(spec);
            jvmFlags.addAll(
                    javaOptions(
                            config,
                            CoreOptions.FLINK_DEFAULT_TM_JVM_OPTIONS,
                            CoreOptions.FLINK_TM_JVM_OPTIONS));
        } else {
            return jvmFlags;
        }
        // Flink checks these only once the cluster runs (a JobManager then fails after its start).
        HeartbeatServices.fromConfiguration(config);
        // Flink renders them as "-D key=value -D key=value".
        for (String property : split(dynamicProperties.replace("-D ", "-D"))) {
            int equals = property.indexOf('=');
            config.setString(property.substring(2, equals), property.substring(equals + 1));
        }
        return jvmFlags;
    }

    /** The env.java.default-opts.* and env.java.opts.* of the role, in the order Flink's scripts use. */
    private static List<String> javaOptions(
            Configuration config,
            ConfigOption<String> roleDefaultOptions,
            ConfigOption<String> roleOptions) {
        List<String> options = new ArrayList<>();
        options.addAll(split(config.get(CoreOptions.FLINK_DEFAULT_JVM_OPTIONS)));
        options.addAll(split(config.get(roleDefaultOptions)));
        options.addAll(split(config.get(CoreOptions.FLINK_JVM_OPTIONS)));
        options.addAll(split(config.get(roleOptions)));
        return options;
    }

    private static List<String> split(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.asList(value.trim().split("\\s+"));
    }

    private static String describe(Throwable error) {
        StringBuilder message = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            message.append(": ").append(cause.getMessage());
        }
        return message.toString();
    }
}
