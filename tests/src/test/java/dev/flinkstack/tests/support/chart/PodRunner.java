package dev.flinkstack.tests.support.chart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.Processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs rendered pods as containers, the way a kubelet would run them, on a container network of its own:
 *
 * <ul>
 *   <li>command, args and env from the pod spec, with {@code $(VAR)} expansion and the downward API
 *       ({@code status.podIP} is the container's fixed IP, {@code metadata.name} the pod name, also
 *       its hostname);
 *   <li>ConfigMap volumes as files written from the rendered ConfigMaps (all keys, or the listed
 *       {@code items}) and mounted read-only; hostPath volumes as the host directory;
 *       PersistentVolumeClaims (and StatefulSet volumeClaimTemplates) as host directories; emptyDirs
 *       as tmpfs (executable, like a node's disk, with the sizeLimit);
 *   <li>Services as network aliases on the containers whose labels match the Service's selector;
 *   <li>Secrets the release expects to exist (given with {@link #secret} or {@link #secretData}) for
 *       {@code secretKeyRef}s and Secret volumes (files of mode 0644, mounted read-only);
 *   <li>the security context as {@code --user}, {@code --group-add}, {@code --read-only},
 *       {@code --cap-drop}/{@code --cap-add} and {@code no-new-privileges}; memory and CPU limits as
 *       {@code --memory}/{@code --cpus}.
 * </ul>
 *
 * Images are never pulled; published ports bind to 127.0.0.1 only.
 */
public final class PodRunner implements AutoCloseable {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)|\\$\\$");
    /** A downward API label reference: metadata.labels['key']. */
    private static final Pattern LABEL_FIELD = Pattern.compile("metadata\\.labels\\['([^']+)']");

    private final ContainerEngine engine = ContainerEngine.fromSystemProperties();
    private Manifests manifests;
    private final String namespace;
    private final String id;
    private final Path work;
    private final String subnetPrefix;
    private final Map<String, String> containers = new LinkedHashMap<>();
    private final Map<String, String> podIps = new LinkedHashMap<>();
    private final Map<String, Map<String, byte[]>> secrets = new LinkedHashMap<>();
    /** Containers of deleted pods, kept (renamed) until close for their logs. */
    private final Map<String, String> deleted = new LinkedHashMap<>();
    private int nextHost = 10;

    public PodRunner(Manifests manifests, String namespace) {
        this.manifests = manifests;
        this.namespace = namespace;
        this.id = "flinkstack-chart-it-" + Long.toHexString(new Random().nextLong() & 0xffffffL);
        try {
            this.work = Files.createTempDirectory(id);
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.subnetPrefix = createNetwork();
        writeConfigMaps();
    }

    /** The pod template (metadata + spec) of a rendered workload, Job, CronJob or Pod. */
    public static JsonNode podTemplate(JsonNode object) {
        return switch (object.path("kind").asText()) {
            case "Deployment", "StatefulSet", "Job" -> object.at("/spec/template");
            case "CronJob" -> object.at("/spec/jobTemplate/spec/template");
            case "Pod" -> object;
            default -> throw new IllegalArgumentException("no pod template in " + object.path("kind").asText());
        };
    }

    /**
     * Starts the pod {@code podName} of a rendered object and returns its container name.
     * {@code publish} lists container ports (by name) to publish on 127.0.0.1.
     */
    public String start(JsonNode object, String podName, String... publish) {
        JsonNode template = podTemplate(object);
        JsonNode spec = template.path("spec");
        if (spec.path("containers").size() != 1 || spec.has("initContainers")) {
            throw new IllegalArgumentException(podName + ": this runner runs pods of exactly one container");
        }
        JsonNode container = spec.path("containers").get(0);
        String ip = subnetPrefix + (nextHost++);
        String name = id + "-" + podName;

        ContainerEngine.Container run = new ContainerEngine.Container(name, container.path("image").asText())
                .network(id, aliases(template.at("/metadata/labels"), podName).toArray(String[]::new))
                .option("--ip", ip, "--hostname", podName, "--pull", "never");

        Map<String, String> env = environment(container, podName, ip, podLabels(object, template, podName));
        env.forEach(run::env);
        List<String> args = new ArrayList<>();
        if (container.has("command")) {
            List<String> command = expandAll(container.path("command"), env);
            run.entrypoint(command.get(0));
            args.addAll(command.subList(1, command.size()));
        }
        args.addAll(expandAll(container.path("args"), env));
        if (container.has("workingDir")) {
            run.option("--workdir", container.path("workingDir").asText());
        }

        applySecurityContext(run, spec.path("securityContext"), container.path("securityContext"));
        applyResources(run, container.path("resources"));
        mountVolumes(run, object, spec, container, podName);
        for (String portName : publish) {
            run.publish(containerPort(container, portName));
        }
        run.args(args);

        engine.start(run);
        containers.put(podName, name);
        podIps.put(podName, ip);
        return name;
    }

    /** A Secret of text values that exists in the namespace before the release, as a user creates it. */
    public void secret(String name, Map<String, String> data) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        data.forEach((key, value) -> bytes.put(key, value.getBytes(StandardCharsets.UTF_8)));
        secretData(name, bytes);
    }

    /** A Secret of binary values (keystores, ...) that exists in the namespace before the release. */
    public void secretData(String name, Map<String, byte[]> data) {
        secrets.put(name, Map.copyOf(data));
    }

    /** The container network the pods run on, for servers the release talks to. */
    public String network() {
        return id;
    }

    /**
     * The objects of another revision of the release: ConfigMap files are rewritten in place (running
     * pods see them change, as with a ConfigMap volume) and new pods find the new Services.
     */
    public void update(Manifests revision) {
        this.manifests = revision;
        writeConfigMaps();
    }

    /**
     * Deletes a pod as the kubelet does: SIGTERM, then SIGKILL after the grace period. Its container
     * is kept under another name for its log, so a pod of the same name (a StatefulSet's) can start.
     */
    public void delete(String podName, int gracePeriodSeconds) {
        String container = containers.remove(podName);
        podIps.remove(podName);
        engine.run("stop", "--time", Integer.toString(gracePeriodSeconds), container).orThrow();
        String renamed = container + "-deleted-" + deleted.size();
        engine.run("rename", container, renamed).orThrow();
        deleted.put(podName + "-deleted-" + deleted.size(), renamed);
    }

    /** A crash the kubelet restarts: the container's processes get SIGKILL, then the container starts again. */
    public void crash(String podName) {
        engine.kill(containers.get(podName));
        engine.run("start", containers.get(podName)).orThrow();
    }

    /** Waits for a run-to-completion pod (Job, CronJob, test Pod) and returns its exit code. */
    public int awaitExit(String podName) {
        Processes.Result result = engine.run("wait", containers.get(podName)).orThrow();
        return Integer.parseInt(result.stdout().strip());
    }

    /** The objects of the release's current revision. */
    public Manifests manifests() {
        return manifests;
    }

    public String containerName(String podName) {
        return containers.get(podName);
    }

    public String ip(String podName) {
        return podIps.get(podName);
    }

    public String logs(String podName) {
        return engine.logs(containers.get(podName));
    }

    public ContainerEngine engine() {
        return engine;
    }

    /** The host directory that backs the claim (or a StatefulSet pod's claim, "<template>-<pod>"). */
    public Path claimDir(String claimName) {
        return work.resolve("claims").resolve(claimName);
    }

    /** Saves every container's log under target/chart-it-logs, removes containers, network and files. */
    @Override
    public void close() {
        Path logDir = Path.of("target", "chart-it-logs", id);
        Map<String, String> all = new LinkedHashMap<>(deleted);
        all.putAll(containers);
        for (Map.Entry<String, String> pod : all.entrySet()) {
            try {
                Files.createDirectories(logDir);
                Files.writeString(logDir.resolve(pod.getKey() + ".log"), engine.logs(pod.getValue()));
            } catch (IOException | RuntimeException e) {
                System.err.println("cannot save the log of " + pod.getKey() + ": " + e);
            }
            engine.remove(pod.getValue());
        }
        engine.removeNetwork(id);
        try (Stream<Path> paths = Files.walk(work)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + work + ": " + e);
        }
    }

    /** A network with a /24 of its own, so pods get fixed IPs known before they start (status.podIP). */
    private String createNetwork() {
        Random random = new Random();
        Processes.Result last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            String prefix = "10." + (200 + random.nextInt(50)) + "." + random.nextInt(256) + ".";
            last = engine.run("network", "create", "--subnet", prefix + "0/24", id);
            if (last.succeeded()) {
                return prefix;
            }
        }
        throw new IllegalStateException("cannot create a network: " + last.describe());
    }

    private void writeConfigMaps() {
        for (JsonNode configMap : manifests.ofKind("ConfigMap")) {
            Path dir = work.resolve("configmaps").resolve(configMap.at("/metadata/name").asText());
            try {
                Files.createDirectories(dir);
                try (Stream<Path> stale = Files.list(dir)) {
                    for (Path file : stale.toList()) {
                        if (!configMap.path("data").has(file.getFileName().toString())) {
                            Files.delete(file);
                        }
                    }
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = configMap.path("data").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    Path file = dir.resolve(entry.getKey());
                    Files.writeString(file, entry.getValue().asText());
                    // ConfigMap volumes default to mode 0644.
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                }
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Names of the Services that select these labels (plus <pod>.<service> for headless ones). */
    private List<String> aliases(JsonNode labels, String podName) {
        List<String> aliases = new ArrayList<>();
        for (JsonNode service : manifests.ofKind("Service")) {
            JsonNode selector = service.at("/spec/selector");
            if (selector.isEmpty()) {
                continue;
            }
            boolean matches = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                matches &= entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null));
            }
            if (matches) {
                String name = service.at("/metadata/name").asText();
                aliases.add(name);
                aliases.add(name + "." + namespace + ".svc.cluster.local");
                if ("None".equals(service.at("/spec/clusterIP").asText())) {
                    aliases.add(podName + "." + name);
                }
            }
        }
        return aliases;
    }

    /**
     * The pod's labels: its template's, plus those Kubernetes adds to the pods of a Job (or a CronJob's
     * Job), whose name is the pod name without its random suffix.
     */
    private static Map<String, String> podLabels(JsonNode object, JsonNode template, String podName) {
        Map<String, String> labels = new LinkedHashMap<>();
        template.at("/metadata/labels").fields().forEachRemaining(label -> labels.put(label.getKey(), label.getValue().asText()));
        String kind = object.path("kind").asText();
        if (kind.equals("Job") || kind.equals("CronJob")) {
            String jobName = podName.replaceFirst("-[a-z0-9]{5}$", "");
            labels.put("job-name", jobName);
            labels.put("batch.kubernetes.io/job-name", jobName);
        }
        return labels;
    }

    private Map<String, String> environment(JsonNode container, String podName, String ip, Map<String, String> labels) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            if (variable.has("value")) {
                env.put(name, expand(variable.path("value").asText(), env));
            } else if (variable.has("valueFrom")) {
                env.put(name, valueFrom(variable.path("valueFrom"), podName, ip, labels));
            } else {
                env.put(name, "");
            }
        }
        return env;
    }

    private String valueFrom(JsonNode source, String podName, String ip, Map<String, String> labels) {
        if (source.has("fieldRef")) {
            String field = source.at("/fieldRef/fieldPath").asText();
            Matcher label = LABEL_FIELD.matcher(field);
            if (label.matches()) {
                return labels.getOrDefault(label.group(1), "");
            }
            return switch (field) {
                case "status.podIP" -> ip;
                case "metadata.name" -> podName;
                case "metadata.namespace" -> namespace;
                default -> throw new IllegalArgumentException("unsupported fieldRef " + source);
            };
        }
        if (source.has("configMapKeyRef")) {
            JsonNode ref = source.path("configMapKeyRef");
            return manifests.get("ConfigMap", ref.path("name").asText()).at("/data/" + ref.path("key").asText()).asText();
        }
        if (source.has("secretKeyRef")) {
            // As the kubelet does, a pod whose Secret or key is missing does not start.
            JsonNode ref = source.path("secretKeyRef");
            return new String(secretValue(ref.path("name").asText(), ref.path("key").asText()), StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException("unsupported valueFrom " + source);
    }

    private static List<String> expandAll(JsonNode values, Map<String, String> env) {
        List<String> expanded = new ArrayList<>();
        values.forEach(value -> expanded.add(expand(value.asText(), env)));
        return expanded;
    }

    /** Kubernetes' $(VAR) expansion: defined variables are replaced, $$ escapes, others stay as they are. */
    public static String expand(String text, Map<String, String> env) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = matcher.group(1) == null ? "$" : env.getOrDefault(matcher.group(1), matcher.group());
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static void applySecurityContext(ContainerEngine.Container run, JsonNode pod, JsonNode container) {
        JsonNode user = container.has("runAsUser") ? container.path("runAsUser") : pod.path("runAsUser");
        JsonNode group = container.has("runAsGroup") ? container.path("runAsGroup") : pod.path("runAsGroup");
        boolean nonRoot = container.has("runAsNonRoot") ? container.path("runAsNonRoot").asBoolean()
                : pod.path("runAsNonRoot").asBoolean(false);
        if (!user.isMissingNode()) {
            if (nonRoot && user.asLong() == 0) {
                throw new IllegalArgumentException("runAsNonRoot with runAsUser 0: the kubelet refuses to start it");
            }
            run.user(user.asText() + (group.isMissingNode() ? "" : ":" + group.asText()));
        } else if (nonRoot) {
            throw new IllegalArgumentException("runAsNonRoot without runAsUser: not emulated");
        }
        if (pod.has("fsGroup")) {
            run.option("--group-add", pod.path("fsGroup").asText());
        }
        for (JsonNode supplemental : pod.path("supplementalGroups")) {
            run.option("--group-add", supplemental.asText());
        }
        if (container.path("readOnlyRootFilesystem").asBoolean(false)) {
            run.option("--read-only");
        }
        for (JsonNode capability : container.at("/capabilities/drop")) {
            run.option("--cap-drop", capability.asText());
        }
        for (JsonNode capability : container.at("/capabilities/add")) {
            run.option("--cap-add", capability.asText());
        }
        if (!container.path("allowPrivilegeEscalation").asBoolean(true)) {
            run.option("--security-opt", "no-new-privileges");
        }
        String seccomp = container.has("seccompProfile") ? container.at("/seccompProfile/type").asText()
                : pod.at("/seccompProfile/type").asText("RuntimeDefault");
        if ("Unconfined".equals(seccomp)) {
            run.option("--security-opt", "seccomp=unconfined");
        }
        if (container.path("privileged").asBoolean(false)) {
            run.option("--privileged");
        }
    }

    private static void applyResources(ContainerEngine.Container run, JsonNode resources) {
        JsonNode memory = resources.at("/limits/memory");
        if (!memory.isMissingNode()) {
            run.option("--memory", dockerSize(memory.asText()));
        }
        JsonNode cpu = resources.at("/limits/cpu");
        if (!cpu.isMissingNode()) {
            String value = cpu.asText();
            double cpus = value.endsWith("m") ? Double.parseDouble(value.substring(0, value.length() - 1)) / 1000
                    : Double.parseDouble(value);
            run.option("--cpus", Double.toString(cpus));
        }
    }

    /** A Kubernetes binary quantity (512Mi, 2Gi) as a docker size (512m, 2g). */
    public static String dockerSize(String quantity) {
        Matcher m = Pattern.compile("^(\\d+)(Ki|Mi|Gi)?$").matcher(quantity);
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported quantity " + quantity);
        }
        return m.group(1) + (m.group(2) == null ? "" : m.group(2).substring(0, 1).toLowerCase());
    }

    private void mountVolumes(ContainerEngine.Container run, JsonNode object, JsonNode spec, JsonNode container,
                              String podName) {
        Map<String, JsonNode> volumes = new LinkedHashMap<>();
        spec.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        Map<String, String> claimTemplates = new LinkedHashMap<>();
        object.at("/spec/volumeClaimTemplates").forEach(t -> {
            String template = t.at("/metadata/name").asText();
            claimTemplates.put(template, template + "-" + podName);
        });
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.has("subPath")) {
                throw new IllegalArgumentException("subPath mounts are not emulated");
            }
            String name = mount.path("name").asText();
            String path = mount.path("mountPath").asText();
            boolean readOnly = mount.path("readOnly").asBoolean(false);
            if (claimTemplates.containsKey(name)) {
                run.volume(claim(claimTemplates.get(name)).toString(), path, readOnly);
                continue;
            }
            JsonNode volume = volumes.get(name);
            if (volume == null) {
                throw new IllegalArgumentException("mount of an undeclared volume " + name);
            }
            if (volume.has("configMap")) {
                run.volume(configMapDir(volume.path("configMap")).toString(), path, true);
            } else if (volume.has("secret")) {
                run.volume(secretDir(volume.path("secret")).toString(), path, true);
            } else if (volume.has("hostPath")) {
                run.volume(volume.at("/hostPath/path").asText(), path, readOnly);
            } else if (volume.has("persistentVolumeClaim")) {
                run.volume(claim(volume.at("/persistentVolumeClaim/claimName").asText()).toString(), path,
                        readOnly || volume.at("/persistentVolumeClaim/readOnly").asBoolean(false));
            } else if (volume.has("emptyDir")) {
                String size = volume.at("/emptyDir/sizeLimit").asText("");
                run.tmpfs(path + ":rw,exec,mode=1777" + (size.isEmpty() ? "" : ",size=" + dockerSize(size)));
            } else {
                throw new IllegalArgumentException("volume type of " + volume + " is not emulated");
            }
        }
    }

    /** The files of a ConfigMap volume: every key, or only its {@code items} (key to path). */
    private Path configMapDir(JsonNode source) {
        Path all = work.resolve("configmaps").resolve(source.path("name").asText());
        if (!source.has("items")) {
            return all;
        }
        try {
            Path dir = Files.createTempDirectory(work, "items");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (JsonNode item : source.path("items")) {
                Path file = dir.resolve(item.path("path").asText());
                Files.copy(all.resolve(item.path("key").asText()), file);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Secret's value; as the kubelet does, a pod whose Secret or key is missing does not start. */
    private byte[] secretValue(String name, String key) {
        byte[] value = secrets.getOrDefault(name, Map.of()).get(key);
        if (value == null) {
            throw new IllegalStateException("CreateContainerConfigError: no key " + key + " in Secret " + name);
        }
        return value;
    }

    /** The files of a Secret volume (every key, or only its {@code items}), mode 0644 as the kubelet's default. */
    private Path secretDir(JsonNode source) {
        String name = source.path("secretName").asText();
        Map<String, String> paths = new LinkedHashMap<>();
        if (source.has("items")) {
            source.path("items").forEach(item -> paths.put(item.path("key").asText(), item.path("path").asText()));
        } else {
            secrets.getOrDefault(name, Map.of()).keySet().forEach(key -> paths.put(key, key));
        }
        if (!secrets.containsKey(name)) {
            throw new IllegalStateException("ContainerCreating: no Secret " + name);
        }
        try {
            Path dir = Files.createTempDirectory(work, "secret");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Map.Entry<String, String> item : paths.entrySet()) {
                Path file = dir.resolve(item.getValue());
                Files.write(file, secretValue(name, item.getKey()));
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A claim's host directory, writable by any uid (as fsGroup makes a volume writable). */
    private Path claim(String claimName) {
        Path dir = claimDir(claimName);
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static int containerPort(JsonNode container, String portName) {
        for (JsonNode port : container.path("ports")) {
            if (portName.equals(port.path("name").asText())) {
                return port.path("containerPort").asInt();
            }
        }
        throw new IllegalArgumentException("no container port named " + portName);
    }
}
