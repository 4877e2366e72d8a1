package org.acme.greeting.knative;

import org.acme.greeting.support.PodSecurityRestricted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The restricted-profile check catches each way a pod can break the profile, and admits a compliant one. */
class PodSecurityRestrictedTest {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final String COMPLIANT = """
            kind: Deployment
            spec:
              template:
                spec:
                  securityContext:
                    runAsNonRoot: true
                    seccompProfile:
                      type: RuntimeDefault
                  volumes:
                    - name: data
                      persistentVolumeClaim:
                        claimName: data
                  containers:
                    - name: app
                      ports:
                        - containerPort: 8080
                      securityContext:
                        allowPrivilegeEscalation: false
                        capabilities:
                          drop: [ALL]
                          add: [NET_BIND_SERVICE]
            """;

    @Test
    void aCompliantPodHasNoViolation() throws Exception {
        assertEquals(List.of(), PodSecurityRestricted.violationsOf(YAML.readTree(COMPLIANT)));
    }

    static Stream<Arguments> breaches() {
        return Stream.of(
                breach("hostNetwork", pod -> pod.put("hostNetwork", true), "spec.hostNetwork"),
                breach("hostPID", pod -> pod.put("hostPID", true), "spec.hostPID"),
                breach("hostPath volume", pod -> pod.withArray("volumes").addObject().put("name", "root")
                        .putObject("hostPath").put("path", "/"), "has type hostPath"),
                breach("unsafe sysctl", pod -> pod.with("securityContext").withArray("sysctls").addObject()
                        .put("name", "kernel.msgmax").put("value", "1"), "kernel.msgmax"),
                breach("root user on the pod", pod -> pod.with("securityContext").put("runAsUser", 0), "runAsUser must not be 0"),
                breach("runAsNonRoot false", pod -> app(pod).put("runAsNonRoot", false), "runAsNonRoot must be true"),
                breach("privileged", pod -> app(pod).put("privileged", true), "privileged"),
                breach("privilege escalation", pod -> app(pod).put("allowPrivilegeEscalation", true), "allowPrivilegeEscalation"),
                breach("escalation unset", pod -> app(pod).remove("allowPrivilegeEscalation"), "allowPrivilegeEscalation"),
                breach("capabilities kept", pod -> app(pod).remove("capabilities"), "drop must include ALL"),
                breach("SYS_ADMIN added", pod -> app(pod).with("capabilities").withArray("add").add("SYS_ADMIN"), "SYS_ADMIN"),
                breach("seccomp unconfined", pod -> app(pod).putObject("seccompProfile").put("type", "Unconfined"), "Unconfined"),
                breach("seccomp unset", pod -> ((ObjectNode) pod.get("securityContext")).remove("seccompProfile"),
                        "seccompProfile.type must be RuntimeDefault"),
                breach("hostPort", pod -> ((ObjectNode) pod.withArray("containers").get(0).withArray("ports").get(0))
                        .put("hostPort", 80), "hostPort 80"),
                breach("procMount", pod -> app(pod).put("procMount", "Unmasked"), "procMount"),
                breach("SELinux type", pod -> app(pod).putObject("seLinuxOptions").put("type", "spc_t"), "spc_t"),
                breach("AppArmor unconfined", pod -> app(pod).putObject("appArmorProfile").put("type", "Unconfined"),
                        "appArmorProfile"),
                breach("privileged init container", pod -> pod.withArray("initContainers").addObject().put("name", "init")
                        .putObject("securityContext").put("privileged", true), "initContainers[init]"));
    }

    private static Arguments breach(String name, Consumer<ObjectNode> change, String reported) {
        return Arguments.of(name, change, reported);
    }

    private static ObjectNode app(ObjectNode pod) {
        return (ObjectNode) pod.withArray("containers").get(0).get("securityContext");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breaches")
    void eachBreachIsReported(String name, Consumer<ObjectNode> change, String reported) throws Exception {
        ObjectNode deployment = (ObjectNode) YAML.readTree(COMPLIANT);
        change.accept((ObjectNode) deployment.get("spec").get("template").get("spec"));
        List<String> violations = PodSecurityRestricted.violationsOf(deployment);
        assertTrue(violations.stream().anyMatch(v -> v.contains(reported)), name + " reported: " + violations);
    }
}
