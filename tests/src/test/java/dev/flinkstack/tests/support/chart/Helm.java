package dev.flinkstack.tests.support.chart;

import dev.flinkstack.tests.support.FlinkContainerCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One helm binary, run as a process against the chart under test.
 *
 * <p>The binaries come from the system property {@code helm.binaries} (comma-separated absolute
 * paths, set by the Makefile) and the chart from {@code chart.dir}. Both are required: a run without
 * them fails instead of silently testing nothing.
 */
public final class Helm {

    public static final String RELEASE = "flink";
    public static final String NAMESPACE = "flink";
    /** Tells {@code helm template} the Prometheus Operator's API exists, as on a cluster that has its CRDs. */
    public static final String MONITORING_API = "--api-versions=monitoring.coreos.com/v1";
    /** Tells {@code helm template} KEDA's API exists, as on a cluster with KEDA installed. */
    public static final String KEDA_API = "--api-versions=keda.sh/v1alpha1";

    private static final Map<Path, Helm> CACHE = new ConcurrentHashMap<>();
    private static final Path HELM_HOME = createHelmHome();

    private final Path binary;
    private final String version;

    private Helm(Path binary) {
        this.binary = binary;
        Result result = exec(List.of(binary.toString(), "version", "--short"), 30);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("cannot run " + binary + ": " + result.stderr());
        }
        this.version = result.stdout().strip().replaceFirst("\\+.*", "");
    }

    /** Every helm binary of {@code helm.binaries}, for {@code @MethodSource}. */
    public static Stream<Helm> binaries() {
        String property = System.getProperty("helm.binaries", "").strip();
        if (property.isEmpty()) {
            throw new IllegalStateException(
                    "System property helm.binaries is empty: pass the helm binaries to test with, e.g. "
                            + "-Dhelm.binaries=$PWD/.tools/helm-3.18.0/helm,$PWD/.tools/helm-4.1.4/helm "
                            + "(make test does this).");
        }
        return Arrays.stream(property.split(","))
                .map(String::strip)
                .filter(path -> !path.isEmpty())
                .map(path -> CACHE.computeIfAbsent(Paths.get(path), Helm::checked));
    }

    /** The Helm 4 binaries of {@code helm.binaries}: only Helm 4 renders NOTES offline ({@code install --dry-run=client}). */
    public static Stream<Helm> helm4Binaries() {
        List<Helm> helm4 = binaries().filter(helm -> helm.major() >= 4).toList();
        if (helm4.isEmpty()) {
            throw new IllegalStateException("helm.binaries has no Helm 4 binary (make test passes one)");
        }
        return helm4.stream();
    }

    private static Helm checked(Path binary) {
        if (!binary.isAbsolute() || !Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    "helm.binaries entry " + binary + " is not an absolute path to an executable file");
        }
        return new Helm(binary);
    }

    /** The chart directory ({@code chart.dir}). */
    public static Path chartDir() {
        String property = System.getProperty("chart.dir", "").strip();
        if (property.isEmpty()) {
            throw new IllegalStateException("System property chart.dir is empty: set it to charts/flink.");
        }
        Path dir = Paths.get(property).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            throw new IllegalStateException("chart.dir " + dir + " has no Chart.yaml");
        }
        return dir;
    }

    /**
     * The {@code helm template} arguments that point the chart at the images under test (the
     * {@code image.jobmanager} and {@code image.taskmanager} properties, which share a tag).
     */
    public static List<String> imagesUnderTest() {
        List<String> args = new ArrayList<>(imageRepositoriesUnderTest());
        args.addAll(List.of("--set-string", "image.tag=" + imageTagUnderTest()));
        return args;
    }

    /** The repositories of the images under test, for values that set {@code image.tag} themselves. */
    public static List<String> imageRepositoriesUnderTest() {
        String jobManager = FlinkContainerCluster.jobManagerImage();
        String taskManager = FlinkContainerCluster.taskManagerImage();
        return List.of(
                "--set", "jobmanager.image.repository=" + jobManager.substring(0, jobManager.lastIndexOf(':')),
                "--set", "taskmanager.image.repository=" + taskManager.substring(0, taskManager.lastIndexOf(':')));
    }

    /** The tag of the images under test. */
    public static String imageTagUnderTest() {
        String jobManager = FlinkContainerCluster.jobManagerImage();
        String tag = jobManager.substring(jobManager.lastIndexOf(':') + 1);
        if (!FlinkContainerCluster.taskManagerImage().endsWith(":" + tag)) {
            throw new IllegalStateException("the JobManager and TaskManager images under test differ in tag");
        }
        return tag;
    }

    /** The major version: 3 or 4. */
    public int major() {
        return Integer.parseInt(version.replaceFirst("^v(\\d+)\\..*", "$1"));
    }

    /** {@code helm template flink <chart> --namespace flink} with the values and extra arguments. */
    public Result template(Values values, String... args) {
        List<String> command = new ArrayList<>(List.of("template", RELEASE, chartDir().toString(),
                "--namespace", NAMESPACE));
        command.addAll(values.arguments());
        command.addAll(List.of(args));
        return run(command);
    }

    /** {@code helm template} of another chart directory (e.g. a patched copy) with the values. */
    public Result template(Path chart, Values values, String... args) {
        List<String> command = new ArrayList<>(List.of("template", RELEASE, chart.toString(), "--namespace", NAMESPACE));
        command.addAll(values.arguments());
        command.addAll(List.of(args));
        return run(command);
    }

    /** Renders and parses; fails with helm's error output if rendering fails. */
    public Manifests render(Values values, String... args) {
        Result result = template(values, args);
        if (result.exitCode() != 0) {
            throw new AssertionError(this + " template failed for " + values + ":\n" + result.stderr());
        }
        return Manifests.parse(result.stdout());
    }

    /** Runs helm with the arguments. */
    public Result run(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        return exec(command, 120);
    }

    public Result run(String... args) {
        return run(List.of(args));
    }

    private static Result exec(List<String> command, int timeoutSeconds) {
        try {
            Path out = Files.createTempFile(HELM_HOME, "out", ".txt");
            Path err = Files.createTempFile(HELM_HOME, "err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            // Isolated helm state: no user repositories, plugins or kube contexts leak into the tests.
            Map<String, String> env = builder.environment();
            env.put("HELM_CACHE_HOME", HELM_HOME.resolve("cache").toString());
            env.put("HELM_CONFIG_HOME", HELM_HOME.resolve("config").toString());
            env.put("HELM_DATA_HOME", HELM_HOME.resolve("data").toString());
            env.put("KUBECONFIG", HELM_HOME.resolve("no-kubeconfig").toString());
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + "s: " + command);
            }
            Result result = new Result(process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path createHelmHome() {
        try {
            Path home = Files.createTempDirectory("helm-home");
            home.toFile().deleteOnExit();
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "helm " + version;
    }

    /** Exit code and output of one helm run. */
    public record Result(int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }
    }
}
