package org.acme.greeting.tekton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link TaskScripts} writes a Task's steps and sidecars out as scripts; no tool is run. */
class TaskScriptsTest {

    private static final String TASK = """
            apiVersion: tekton.dev/v1
            kind: Task
            metadata:
              name: example
            spec:
              params:
                - name: greeting
                  type: string
                  default: Hello, world
                - name: count
                  type: string
                  default: "3"
                - name: target
                  type: string
              stepTemplate:
                env:
                  - name: HOME
                    value: /tekton/home
                  - name: GREETING
                    value: $(params.greeting)
              sidecars:
                - name: helper
                  image: busybox
                  env:
                    - name: PORT
                      value: "8080"
                  script: |
                    echo helper on $PORT
              steps:
                - name: no-script
                  image: busybox
                  command: ["true"]
                - name: say
                  image: busybox
                  workingDir: $(workspaces.source.path)/sub
                  env:
                    - name: GREETING
                      value: "$(params.greeting), it's $(params.target)"
                    - name: RESULT
                      value: $(results.said.path)
                  script: |
                    #!/usr/bin/env bash
                    set -eu
                    echo "$(date +%s) $(params.count) x $GREETING" > "$RESULT"
            """;

    @TempDir
    Path dir;

    private Path task() throws IOException {
        Path file = dir.resolve("task.yaml");
        Files.writeString(file, TASK);
        return file;
    }

    private Path out() throws IOException {
        return Files.createDirectories(dir.resolve("out"));
    }

    @Test
    void stepsWithAScriptAreWrittenWithTheirEnvironmentFirstThenSidecars() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("target", "Ada's turn");
        values.put("workspaces.source.path", "/work/src");
        values.put("results.said.path", "/work/results/said");
        List<String> written = TaskScripts.write(task(), out(), values, Map.of());

        assertEquals(List.of("say", "helper"), written, "a step without a script is left out; steps first");
        assertEquals("""
                #!/usr/bin/env bash
                export HOME=/tekton/home
                export GREETING='Hello, world, it'"'"'s Ada'"'"'s turn'
                export RESULT=/work/results/said
                set -eu
                echo "$(date +%s) 3 x $GREETING" > "$RESULT"
                """, Files.readString(dir.resolve("out/say.sh")),
                "the stepTemplate's env, the step's own replacing it in place, quoted; the shell's $(date) kept");
        assertEquals("/work/src/sub\n", Files.readString(dir.resolve("out/say.workdir")));
    }

    @Test
    void aSidecarGetsOnlyItsOwnEnvironmentAndAShebang() throws IOException {
        TaskScripts.write(task(), out(), Map.of("target", "x", "workspaces.source.path", "/s", "results.said.path", "/r"), Map.of());
        assertEquals("#!/bin/sh\nexport PORT=8080\necho helper on $PORT\n", Files.readString(dir.resolve("out/helper.sh")));
        assertEquals("\n", Files.readString(dir.resolve("out/helper.workdir")));
    }

    @Test
    void givenValuesWinOverDefaultsAndEnvironmentOverridesWinOverTheTasks() throws IOException {
        Map<String, String> values = Map.of("params.greeting", "Hi", "count", "7", "target", "you",
                "workspaces.source.path", "/s", "results.said.path", "/r");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "/home/somebody else");
        env.put("EXTRA", "");
        TaskScripts.write(task(), out(), values, env);
        String say = Files.readString(dir.resolve("out/say.sh"));
        assertTrue(say.startsWith("""
                #!/usr/bin/env bash
                export HOME='/home/somebody else'
                export GREETING='Hi, it'"'"'s you'
                export RESULT=/r
                export EXTRA=''
                """), say);
        assertTrue(say.contains("echo \"$(date +%s) 7 x $GREETING\""), say);
    }

    @Test
    void aVariableWithNoValueIsAnErrorNamingIt() throws IOException {
        Path task = task();
        Path out = out();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TaskScripts.write(task, out, Map.of("workspaces.source.path", "/s", "results.said.path", "/r"), Map.of()));
        assertTrue(error.getMessage().endsWith("$(params.target) has no value; pass params.target=..."), error.getMessage());
        error = assertThrows(IllegalArgumentException.class,
                () -> TaskScripts.write(task, out, Map.of("target", "x", "results.said.path", "/r"), Map.of()));
        assertTrue(error.getMessage().contains("$(workspaces.source.path) has no value"), error.getMessage());
    }

    @Test
    void aFileThatIsNoTaskIsRefused() throws IOException {
        Path pipeline = dir.resolve("pipeline.yaml");
        Files.writeString(pipeline, "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: p\n");
        Path out = out();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TaskScripts.write(pipeline, out, Map.of(), Map.of()));
        assertTrue(error.getMessage().contains("is not a Task (kind Pipeline)"), error.getMessage());
        assertFalse(Files.list(out).findAny().isPresent());
    }

    @Test
    void shellQuotingKeepsEveryValueExact() {
        assertEquals("''", TaskScripts.quote(""));
        assertEquals("plain/path-1.2_x@y%z+a=b:c,d", TaskScripts.quote("plain/path-1.2_x@y%z+a=b:c,d"));
        assertEquals("'two words'", TaskScripts.quote("two words"));
        assertEquals("'$HOME'", TaskScripts.quote("$HOME"));
        assertEquals("'a'\"'\"'b'", TaskScripts.quote("a'b"));
        assertEquals("'caf\u00e9'", TaskScripts.quote("caf\u00e9"));
    }

    @Test
    void theTasksOfThisRepositoryWriteOutWithTheirDefaults() throws IOException {
        Path out = out();
        List<String> written = TaskScripts.write(Path.of("tekton", "tasks", "maven-test.yaml"), out,
                Map.of("workspaces.source.path", "/src", "workspaces.maven-cache.path", "/cache"), Map.of());
        assertEquals(List.of("verify"), written);
        String verify = Files.readString(out.resolve("verify.sh"));
        assertTrue(verify.startsWith("#!/usr/bin/env bash\nexport HOME=/tekton/home\nexport MAVEN_USER_HOME=/cache/wrapper\n"), verify);
        assertTrue(verify.contains("export MAVEN_REPO=/cache/repository\n"), verify);
        assertEquals("/src\n", Files.readString(out.resolve("verify.workdir")));
    }
}
