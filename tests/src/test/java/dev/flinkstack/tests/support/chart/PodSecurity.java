package dev.flinkstack.tests.support.chart;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Pod Security Standards "restricted" profile (which includes "baseline"), checked on a pod spec
 * the way the PodSecurity admission controller does.
 *
 * <p>Ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
public final class PodSecurity {

    private static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of(
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final Set<String> SAFE_SYSCTLS = Set.of(
            "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes");
    private static final Set<String> SELINUX_TYPES = Set.of(
            "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t");

    private PodSecurity() {}

    /** The violations of the restricted profile; empty when the pod is admitted. */
    public static List<String> restrictedViolations(JsonNode pod) {
        List<String> v = new ArrayList<>();
        JsonNode podContext = pod.path("securityContext");

        // Baseline: host namespaces, host paths and ports, privileged, capabilities, profiles, sysctls.
        for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (pod.path(field).asBoolean(false)) {
                v.add(field + " is true");
            }
        }
        for (JsonNode sysctl : podContext.path("sysctls")) {
            if (!SAFE_SYSCTLS.contains(sysctl.path("name").asText())) {
                v.add("unsafe sysctl " + sysctl.path("name").asText());
            }
        }
        checkSeLinux(podContext, "pod", v);
        checkProfileNotUnconfined(podContext, "pod", v);

        // Restricted: volume types.
        for (JsonNode volume : pod.path("volumes")) {
            List<String> types = new ArrayList<>();
            volume.fieldNames().forEachRemaining(types::add);
            types.remove("name");
            for (String type : types) {
                if (!RESTRICTED_VOLUME_TYPES.contains(type)) {
                    v.add("volume " + volume.path("name").asText() + " has restricted type " + type);
                }
            }
        }

        // Restricted: non-root, seccomp at pod level (or in every container).
        boolean podNonRoot = podContext.path("runAsNonRoot").asBoolean(false);
        String podSeccomp = podContext.at("/seccompProfile/type").asText("");
        if (podContext.path("runAsUser").isNumber() && podContext.path("runAsUser").asLong() == 0) {
            v.add("pod runAsUser is 0");
        }

        List<JsonNode> containers = new ArrayList<>();
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            pod.path(list).forEach(containers::add);
        }
        for (JsonNode c : containers) {
            String name = "container " + c.path("name").asText();
            JsonNode sc = c.path("securityContext");
            if (sc.path("privileged").asBoolean(false)) {
                v.add(name + " is privileged");
            }
            for (JsonNode port : c.path("ports")) {
                if (port.path("hostPort").asInt(0) != 0) {
                    v.add(name + " uses hostPort " + port.path("hostPort").asInt());
                }
            }
            if (sc.has("procMount") && !"Default".equals(sc.path("procMount").asText())) {
                v.add(name + " procMount " + sc.path("procMount").asText());
            }
            checkSeLinux(sc, name, v);
            checkProfileNotUnconfined(sc, name, v);
            if (!sc.has("allowPrivilegeEscalation") || sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                v.add(name + " does not set allowPrivilegeEscalation: false");
            }
            boolean nonRoot = sc.has("runAsNonRoot") ? sc.path("runAsNonRoot").asBoolean() : podNonRoot;
            if (!nonRoot) {
                v.add(name + " may run as root (runAsNonRoot is not true)");
            }
            if (sc.path("runAsUser").isNumber() && sc.path("runAsUser").asLong() == 0) {
                v.add(name + " runAsUser is 0");
            }
            String seccomp = sc.has("seccompProfile") ? sc.at("/seccompProfile/type").asText("") : podSeccomp;
            if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
                v.add(name + " has no RuntimeDefault/Localhost seccomp profile");
            }
            boolean dropsAll = false;
            for (JsonNode drop : sc.at("/capabilities/drop")) {
                dropsAll |= drop.asText().equals("ALL");
            }
            if (!dropsAll) {
                v.add(name + " does not drop ALL capabilities");
            }
            for (JsonNode add : sc.at("/capabilities/add")) {
                if (!add.asText().equals("NET_BIND_SERVICE")) {
                    v.add(name + " adds capability " + add.asText());
                }
            }
        }
        return v;
    }

    private static void checkSeLinux(JsonNode context, String owner, List<String> v) {
        JsonNode options = context.path("seLinuxOptions");
        if (options.isMissingNode()) {
            return;
        }
        if (!SELINUX_TYPES.contains(options.path("type").asText(""))) {
            v.add(owner + " seLinuxOptions.type " + options.path("type").asText());
        }
        if (options.has("user") || options.has("role")) {
            v.add(owner + " sets seLinuxOptions user/role");
        }
    }

    private static void checkProfileNotUnconfined(JsonNode context, String owner, List<String> v) {
        if ("Unconfined".equals(context.at("/seccompProfile/type").asText())) {
            v.add(owner + " seccomp profile is Unconfined");
        }
        if ("Unconfined".equals(context.at("/appArmorProfile/type").asText())) {
            v.add(owner + " AppArmor profile is Unconfined");
        }
    }
}
