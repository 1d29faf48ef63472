package dev.flinkstack.tests.support.chart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkstack.tests.support.FlinkRest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

/**
 * Helm's release operations, emulated on the container engine with the manifests Helm renders for
 * each revision, for a cluster that has no Kubernetes API server: install, upgrade, rollback and
 * uninstall run their hooks in Helm's order (by weight, then name; a failing hook fails the
 * operation before anything changes), then apply the revision the way Kubernetes' controllers
 * would: a workload whose pod template changed has its pods replaced (the chart's workloads all
 * replace every pod at once: Recreate), one whose replica count changed is scaled, and a removed
 * one is deleted. Claims outlive pods, and an uninstall keeps those annotated
 * {@code helm.sh/resource-policy: keep}, so a reinstall mounts them again.
 *
 * <p>A rollback reuses the target revision's manifests and hooks, as Helm does. Only Deployments,
 * StatefulSets, ConfigMaps, Services, claims and hook Jobs act; the other kinds are Kubernetes'
 * business (validated by the schema tests, not run here).
 */
public final class HelmEmulator implements AutoCloseable {

    /** A hook that exited non-zero: the Helm operation failed and nothing after the hook happened. */
    public static final class HookFailed extends RuntimeException {
        private final String logs;

        HookFailed(String event, String hook, int exitCode, String logs) {
            super(event + " hook " + hook + " failed with exit code " + exitCode + ":\n" + logs);
            this.logs = logs;
        }

        public String logs() {
            return logs;
        }
    }

    private record Revision(Manifests resources, List<JsonNode> hooks) {}

    private final Helm helm;
    private final List<String> helmArguments;
    private final List<Revision> history = new ArrayList<>();
    private final Random random = new Random();
    private PodRunner pods;
    private Revision deployed;
    private Duration lastHooks = Duration.ZERO;
    /** Running pods and the pod template they run, per workload ("Kind/name"). */
    private final Map<String, List<String>> workloadPods = new LinkedHashMap<>();
    private final Map<String, JsonNode> workloadTemplates = new LinkedHashMap<>();

    /** {@code helmArguments} go to every {@code helm template}, e.g. the images under test. */
    public HelmEmulator(Helm helm, String... helmArguments) {
        this.helm = helm;
        this.helmArguments = List.of(helmArguments);
    }

    /** An emulator on the first Helm binary, rendering the chart with the images under test. */
    public static HelmEmulator onImagesUnderTest() {
        return new HelmEmulator(Helm.binaries().findFirst().orElseThrow(), Helm.imageRepositoriesUnderTest().toArray(String[]::new));
    }

    public void install(Values values) {
        if (deployed != null) {
            throw new IllegalStateException("release is installed; upgrade it");
        }
        lastHooks = Duration.ZERO;
        Revision revision = render(values);
        history.clear();
        podRunner().update(revision.resources());
        runHooks("pre-install", revision);
        apply(revision);
        history.add(revision);
        runHooks("post-install", revision);
    }

    public void upgrade(Values values) {
        requireDeployed();
        lastHooks = Duration.ZERO;
        Revision revision = render(values);
        runHooks("pre-upgrade", revision);
        apply(revision);
        history.add(revision);
        runHooks("post-upgrade", revision);
    }

    /** {@code helm rollback <revision>}: a new revision with that revision's manifests and hooks. */
    public void rollback(int revisionNumber) {
        requireDeployed();
        lastHooks = Duration.ZERO;
        Revision target = history.get(revisionNumber - 1);
        runHooks("pre-rollback", target);
        apply(target);
        history.add(target);
        runHooks("post-rollback", target);
    }

    public void uninstall() {
        requireDeployed();
        lastHooks = Duration.ZERO;
        runHooks("pre-delete", deployed);
        for (String workload : List.copyOf(workloadPods.keySet())) {
            scale(workload, 0);
        }
        workloadPods.clear();
        workloadTemplates.clear();
        for (JsonNode claim : deployed.resources().ofKind("PersistentVolumeClaim")) {
            if (!"keep".equals(claim.at("/metadata/annotations/helm.sh~1resource-policy").asText())) {
                deleteRecursively(pods.claimDir(claim.at("/metadata/name").asText()));
            }
        }
        runHooks("post-delete", deployed);
        deployed = null;
        history.clear();
    }

    /** {@code helm test}: the deployed revision's test hooks, in order; a failing one throws {@link HookFailed}. */
    public void test() {
        requireDeployed();
        runHooks("test", deployed);
    }

    /** The time the hooks of the last operation took, all events together. */
    public Duration lastHooks() {
        return lastHooks;
    }

    /** The current revision number (1 after install). */
    public int revision() {
        return history.size();
    }

    /** The manifests of the deployed revision. */
    public Manifests manifests() {
        requireDeployed();
        return deployed.resources();
    }

    /** The running pods of a workload ("Deployment/flink-jobmanager"), oldest first. */
    public List<String> pods(String workload) {
        return List.copyOf(workloadPods.getOrDefault(workload, List.of()));
    }

    /** The pod runner, created before the first install so that Secrets and servers can be set up first. */
    public PodRunner podRunner() {
        if (pods == null) {
            pods = new PodRunner(Manifests.of(List.of()), Helm.NAMESPACE);
        }
        return pods;
    }

    /** The image a workload's first pod runs. */
    public String image(String workload) {
        String container = pods.containerName(pods(workload).get(0));
        return pods.engine().run("inspect", "--format", "{{.Config.Image}}", container).orThrow().stdout().trim();
    }

    /** The REST API of a workload's first pod (its container port named "rest", published on 127.0.0.1). */
    public FlinkRest rest(String workload) {
        return new FlinkRest("127.0.0.1", restPublishedPort(workload));
    }

    /** The REST API of one of a workload's pods. */
    public FlinkRest rest(String workload, String pod) {
        return new FlinkRest("127.0.0.1", pods.engine().publishedPort(pods.containerName(pod), restPort(workload)));
    }

    /** The HTTPS REST API of a workload's first pod, with this TLS context (truststore; keystore for mutual TLS). */
    public FlinkRest rest(String workload, SSLContext tls) {
        return new FlinkRest(URI.create("https://127.0.0.1:" + restPublishedPort(workload)), tls);
    }

    private int restPublishedPort(String workload) {
        String pod = pods(workload).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("no pod of " + workload + " runs"));
        return pods.engine().publishedPort(pods.containerName(pod), restPort(workload));
    }

    @Override
    public void close() {
        if (pods != null) {
            pods.close();
        }
    }

    private void requireDeployed() {
        if (deployed == null) {
            throw new IllegalStateException("release is not installed");
        }
    }

    private Revision render(Values values) {
        Helm.Result result = helm.template(values, helmArguments.toArray(String[]::new));
        if (result.exitCode() != 0) {
            throw new IllegalArgumentException("helm template failed:\n" + result.stderr());
        }
        Manifests all = Manifests.parse(result.stdout());
        List<JsonNode> resources = new ArrayList<>();
        List<JsonNode> hooks = new ArrayList<>();
        for (JsonNode object : all.all()) {
            (object.at("/metadata/annotations").has("helm.sh/hook") ? hooks : resources).add(object);
        }
        hooks.sort(Comparator.comparingInt((JsonNode hook) -> hookWeight(hook))
                .thenComparing(hook -> hook.at("/metadata/name").asText()));
        return new Revision(Manifests.of(resources), hooks);
    }

    private static int hookWeight(JsonNode hook) {
        try {
            return Integer.parseInt(hook.at("/metadata/annotations/helm.sh~1hook-weight").asText("0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Runs the revision's hooks of {@code event} one after the other; the first failure stops the operation. */
    private void runHooks(String event, Revision revision) {
        for (JsonNode hook : revision.hooks()) {
            List<String> events = List.of(hook.at("/metadata/annotations/helm.sh~1hook").asText().split(","));
            if (!events.contains(event)) {
                continue;
            }
            String name = hook.at("/metadata/name").asText();
            String pod = name + "-" + suffix(5);
            long started = System.nanoTime();
            pods.start(hook, pod);
            int exitCode = pods.awaitExit(pod);
            lastHooks = lastHooks.plusNanos(System.nanoTime() - started);
            if (exitCode != 0) {
                throw new HookFailed(event, name, exitCode, pods.logs(pod));
            }
        }
    }

    /** Brings the running pods to the revision: deletions and replacements first, then new pods. */
    private void apply(Revision revision) {
        pods.update(revision.resources());
        Map<String, JsonNode> target = new LinkedHashMap<>();
        for (String kind : List.of("Deployment", "StatefulSet")) {
            for (JsonNode workload : revision.resources().ofKind(kind)) {
                target.put(kind + "/" + workload.at("/metadata/name").asText(), workload);
            }
        }
        for (String workload : List.copyOf(workloadPods.keySet())) {
            JsonNode next = target.get(workload);
            if (next == null || !PodRunner.podTemplate(next).equals(workloadTemplates.get(workload))) {
                scale(workload, 0);
            }
        }
        for (Map.Entry<String, JsonNode> workload : target.entrySet()) {
            workloadTemplates.put(workload.getKey(), PodRunner.podTemplate(workload.getValue()));
            scale(workload.getKey(), workload.getValue().at("/spec/replicas").asInt(1));
        }
        deployed = revision;
    }

    /**
     * Starts or deletes pods of the workload until {@code replicas} run; from a test, {@code kubectl
     * scale} outside Helm (the next applied revision sets its own count again).
     */
    public void scale(String workload, int replicas) {
        List<String> running = workloadPods.computeIfAbsent(workload, key -> new ArrayList<>());
        while (running.size() > replicas) {
            String pod = running.remove(running.size() - 1);
            pods.delete(pod, workloadTemplates.get(workload).at("/spec/terminationGracePeriodSeconds").asInt(30));
        }
        while (running.size() < replicas) {
            JsonNode object = deployed(workload);
            String name = object.at("/metadata/name").asText();
            String pod = workload.startsWith("StatefulSet/") ? name + "-" + running.size()
                    : name + "-" + templateHash(workloadTemplates.get(workload)) + "-" + suffix(5);
            List<String> publish = new ArrayList<>();
            for (JsonNode port : PodRunner.podTemplate(object).at("/spec/containers/0/ports")) {
                if ("rest".equals(port.path("name").asText())) {
                    publish.add("rest");
                }
            }
            pods.start(object, pod, publish.toArray(String[]::new));
            running.add(pod);
        }
    }

    private JsonNode deployed(String workload) {
        String[] kindAndName = workload.split("/", 2);
        return pods.manifests().get(kindAndName[0], kindAndName[1]);
    }

    private int restPort(String workload) {
        for (JsonNode port : PodRunner.podTemplate(deployed(workload)).at("/spec/containers/0/ports")) {
            if ("rest".equals(port.path("name").asText())) {
                return port.path("containerPort").asInt();
            }
        }
        throw new IllegalArgumentException(workload + " has no port named rest");
    }

    private String suffix(int length) {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < length; i++) {
            suffix.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return suffix.toString();
    }

    private static String templateHash(JsonNode template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(template.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
