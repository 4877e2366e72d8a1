package org.acme.greeting.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Kubernetes Pod Security Standards, "restricted" profile (which includes "baseline"),
 * checked on a pod spec as the API server's admission would with {@code enforce: restricted}:
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Kubernetes 1.32).
 * Each rule returns the field that breaks it, so a report names what to fix.
 */
public final class PodSecurityRestricted {

    private static final Set<String> VOLUME_TYPES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
    private static final Set<String> SELINUX_TYPES = Set.of("", "container_t", "container_init_t", "container_kvm_t",
            "container_engine_t");

    private PodSecurityRestricted() {
    }

    /** The pod spec inside a workload object, or a missing node for objects that run no pods. */
    public static JsonNode podSpec(JsonNode object) {
        return switch (object.path("kind").asText()) {
            case "Pod" -> object.path("spec");
            case "CronJob" -> object.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
            // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, and Knative's Service and Configuration
            default -> object.path("spec").path("template").path("spec");
        };
    }

    /** Every rule a workload object's pods break, including the AppArmor annotations of its pod template. */
    public static List<String> violationsOf(JsonNode object) {
        List<String> found = violations(podSpec(object));
        JsonNode metadata = object.path("kind").asText().equals("Pod") ? object.path("metadata")
                : object.path("spec").path("template").path("metadata");
        metadata.path("annotations").fields().forEachRemaining(annotation -> {
            if (annotation.getKey().startsWith("container.apparmor.security.beta.kubernetes.io/")
                    && !annotation.getValue().asText().equals("runtime/default")
                    && !annotation.getValue().asText().startsWith("localhost/")) {
                found.add("annotation " + annotation.getKey() + " must be runtime/default or localhost/*");
            }
        });
        return found;
    }

    /** Every rule the pod spec breaks; empty when the restricted profile admits it. */
    public static List<String> violations(JsonNode pod) {
        List<String> found = new ArrayList<>();
        JsonNode podContext = pod.path("securityContext");
        for (String hostNamespace : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (pod.path(hostNamespace).asBoolean(false)) {
                found.add("spec." + hostNamespace + " must not be true");
            }
        }
        if (podContext.path("windowsOptions").path("hostProcess").asBoolean(false)) {
            found.add("securityContext.windowsOptions.hostProcess must not be true");
        }
        for (JsonNode volume : pod.path("volumes")) {
            volume.fieldNames().forEachRemaining(field -> {
                if (!field.equals("name") && !VOLUME_TYPES.contains(field)) {
                    found.add("volume " + volume.path("name").asText() + " has type " + field
                            + "; allowed: " + VOLUME_TYPES);
                }
            });
        }
        for (JsonNode sysctl : podContext.path("sysctls")) {
            if (!SAFE_SYSCTLS.contains(sysctl.path("name").asText())) {
                found.add("securityContext.sysctls sets " + sysctl.path("name").asText() + ", not a safe sysctl");
            }
        }
        checkCommon(podContext, "securityContext", found);
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode container : pod.path(list)) {
                checkContainer(container, podContext, list + "[" + container.path("name").asText() + "]", found);
            }
        }
        return found;
    }

    private static void checkContainer(JsonNode container, JsonNode podContext, String where, List<String> found) {
        JsonNode context = container.path("securityContext");
        String at = where + ".securityContext";
        checkCommon(context, at, found);
        if (context.path("privileged").asBoolean(false)) {
            found.add(at + ".privileged must not be true");
        }
        if (context.path("windowsOptions").path("hostProcess").asBoolean(false)) {
            found.add(at + ".windowsOptions.hostProcess must not be true");
        }
        if (!context.path("procMount").asText("Default").equals("Default")) {
            found.add(at + ".procMount must be Default");
        }
        if (!context.path("allowPrivilegeEscalation").isBoolean() || context.path("allowPrivilegeEscalation").asBoolean()) {
            found.add(at + ".allowPrivilegeEscalation must be false");
        }
        boolean nonRoot = context.path("runAsNonRoot").isBoolean()
                ? context.path("runAsNonRoot").asBoolean()
                : podContext.path("runAsNonRoot").asBoolean(false);
        if (!nonRoot) {
            found.add(at + ".runAsNonRoot must be true (here or on the pod)");
        }
        String seccomp = context.path("seccompProfile").path("type")
                .asText(podContext.path("seccompProfile").path("type").asText(""));
        if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
            found.add(at + ".seccompProfile.type must be RuntimeDefault or Localhost (here or on the pod)");
        }
        JsonNode drop = context.path("capabilities").path("drop");
        boolean dropsAll = false;
        for (JsonNode capability : drop) {
            dropsAll |= capability.asText().equals("ALL");
        }
        if (!dropsAll) {
            found.add(at + ".capabilities.drop must include ALL");
        }
        for (JsonNode capability : context.path("capabilities").path("add")) {
            if (!capability.asText().equals("NET_BIND_SERVICE")) {
                found.add(at + ".capabilities.add may hold only NET_BIND_SERVICE, not " + capability.asText());
            }
        }
        for (JsonNode port : container.path("ports")) {
            if (port.path("hostPort").asInt(0) != 0) {
                found.add(where + " uses hostPort " + port.path("hostPort").asInt());
            }
        }
    }

    /** Rules that apply to the pod's and each container's securityContext alike. */
    private static void checkCommon(JsonNode context, String at, List<String> found) {
        if (context.path("runAsUser").isNumber() && context.path("runAsUser").asLong() == 0) {
            found.add(at + ".runAsUser must not be 0");
        }
        if (context.path("seccompProfile").path("type").asText("").equals("Unconfined")) {
            found.add(at + ".seccompProfile.type must not be Unconfined");
        }
        String appArmor = context.path("appArmorProfile").path("type").asText("RuntimeDefault");
        if (!appArmor.equals("RuntimeDefault") && !appArmor.equals("Localhost")) {
            found.add(at + ".appArmorProfile.type must be RuntimeDefault or Localhost");
        }
        JsonNode seLinux = context.path("seLinuxOptions");
        if (!SELINUX_TYPES.contains(seLinux.path("type").asText(""))) {
            found.add(at + ".seLinuxOptions.type " + seLinux.path("type").asText() + " is not allowed");
        }
        if (seLinux.has("user") || seLinux.has("role")) {
            found.add(at + ".seLinuxOptions.user and .role must not be set");
        }
    }
}
