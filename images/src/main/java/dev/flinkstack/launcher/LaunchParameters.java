package dev.flinkstack.launcher;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.bash.FlinkConfigLoader;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.apache.flink.util.ExceptionUtils;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Computes, in one JVM, what Flink's shell scripts compute with several: the effective configuration
 * (config dir plus {@code -D} overrides) is loaded and validated, and the JVM flags and dynamic
 * properties of the process are printed for the image entrypoint, one per line:
 *
 * <pre>
 * jvm &lt;flag&gt;       memory flags (-Xmx, -Xms, ...) then env.java.opts.* of the role
 * dynamic &lt;arg&gt;   -Dkey=value memory settings the process must be started with
 * </pre>
 *
 * <p>Usage: {@code LaunchParameters jobmanager|taskmanager --configDir DIR [-Dkey=value ...]}.
 * A configuration Flink cannot load, or whose memory settings do not add up, exits with status 1
 * and a message on stderr.
 */
public final class LaunchParameters {

    private LaunchParameters() {}

    public static void main(String[] args) {
        if (args.length < 1 || !List.of("jobmanager", "taskmanager").contains(args[0])) {
            System.err.println(
                    "usage: LaunchParameters jobmanager|taskmanager --configDir DIR [-Dkey=value ...]");
            System.exit(2);
        }
        try {
            String role = args[0];
            Configuration config =
                    FlinkConfigLoader.loadConfiguration(Arrays.copyOfRange(args, 1, args.length));
            print(System.out, role, config);
        } catch (Throwable e) {
            Throwable cause = ExceptionUtils.stripException(e, RuntimeException.class);
            System.err.println("invalid Flink configuration: " + describe(cause));
            System.exit(1);
        }
    }

    static void print(PrintStream out, String role, Configuration config) {
        List<String> jvmFlags = new ArrayList<>();
        String dynamicProperties;
        if ("jobmanager".equals(role)) {
            JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(config);
            jvmFlags.addAll(split(JobManagerProcessUtils.generateJvmParametersStr(spec, config)));
            dynamicProperties = JobManagerProcessUtils.generateDynamicConfigsStr(spec);
            jvmFlags.addAll(
                    javaOptions(
                            config,
                            CoreOptions.FLINK_DEFAULT_JM_JVM_OPTIONS,
                            CoreOptions.FLINK_JM_JVM_OPTIONS));
        } else {
            TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(config);
            jvmFlags.addAll(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
            dynamicProperties = TaskExecutorProcessUtils.generateDynamicConfigsStr(spec);
            jvmFlags.addAll(
                    javaOptions(
                            config,
                            CoreOptions.FLINK_DEFAULT_TM_JVM_OPTIONS,
                            CoreOptions.FLINK_TM_JVM_OPTIONS));
        }
        jvmFlags.forEach(flag -> out.println("jvm " + flag));
        // Flink renders them as "-D key=value -D key=value"; print each as one -Dkey=value argument.
        split(dynamicProperties.replace("-D ", "-D"))
                .forEach(arg -> out.println("dynamic " + arg));
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
