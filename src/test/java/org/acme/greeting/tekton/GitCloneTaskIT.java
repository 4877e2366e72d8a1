package org.acme.greeting.tekton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.acme.greeting.support.Tool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clone step of tekton/tasks/git-clone.yaml, its own script, run with real git against a
 * repository on this machine: it must check out exactly the revision asked for, whatever was in
 * the workspace before, and fail on a revision that does not exist. Needs git (tag "tools").
 */
@Tag("tools")
class GitCloneTaskIT {

    @TempDir
    static Path repos;
    private static Path origin;
    private static String first;
    private static String second;
    private static String head;

    @BeforeAll
    static void repository() throws IOException {
        Tool.require("git");
        Path work = repos.resolve("work");
        Files.createDirectories(work);
        git(work, "init", "-q", "-b", "main");
        git(work, "config", "user.email", "ci@example.com");
        git(work, "config", "user.name", "CI");
        first = commit(work, "one");
        git(work, "tag", "v1.0.0");
        second = commit(work, "two");
        git(work, "tag", "-a", "v1.1.0", "-m", "an annotated tag");
        head = commit(work, "three");
        origin = repos.resolve("origin.git");
        git(repos, "clone", "-q", "--bare", work.toString(), origin.toString());
        // GitHub and GitLab let a client fetch any reachable commit by its SHA (protocol v2);
        // a plain bare repository needs this to do the same.
        git(origin, "config", "uploadpack.allowReachableSHA1InWant", "true");
    }

    @Test
    void aCommitIsCheckedOutExactlyAndWhatWasInTheWorkspaceBeforeIsGone(@TempDir Path dir) throws IOException {
        Path output = dir.resolve("output");
        Files.createDirectories(output.resolve("target/old-build"));
        Files.writeString(output.resolve(".hidden"), "left by an earlier run");
        Files.writeString(output.resolve("target/old-build/app.jar"), "stale");
        Tool.Result run = clone(dir, output, first);
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(first, Files.readString(dir.resolve("commit")));
        assertEquals("file://" + origin, Files.readString(dir.resolve("url")));
        assertEquals("one\n", Files.readString(output.resolve("file.txt")));
        assertFalse(Files.exists(output.resolve(".hidden")), "the workspace was emptied first");
        assertFalse(Files.exists(output.resolve("target")), "the workspace was emptied first");
    }

    @Test
    void tagsLightweightOrAnnotatedAndBranchesGiveTheirCommit(@TempDir Path dir) throws IOException {
        for (List<String> revision : List.of(List.of("refs/tags/v1.0.0", first), List.of("refs/tags/v1.1.0", second),
                List.of("refs/heads/main", head))) {
            Tool.Result run = clone(dir, dir.resolve("output"), revision.get(0));
            assertEquals(0, run.exitCode(), run.output());
            assertEquals(revision.get(1), Files.readString(dir.resolve("commit")), revision.get(0));
        }
    }

    @Test
    void aRevisionThatDoesNotExistFailsTheStep(@TempDir Path dir) throws IOException {
        Tool.Result run = clone(dir, dir.resolve("output"), "refs/tags/v9.9.9");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("couldn't find remote ref refs/tags/v9.9.9"), run.output());
    }

    private static Tool.Result clone(Path dir, Path output, String revision) throws IOException {
        Files.createDirectories(output);
        Path scripts = dir.resolve("scripts");
        Files.createDirectories(scripts);
        TaskScripts.write(Path.of("tekton", "tasks", "git-clone.yaml"), scripts,
                Map.of("url", "file://" + origin, "revision", revision, "workspaces.output.path", output.toString(),
                        "results.commit.path", dir.resolve("commit").toString(), "results.url.path", dir.resolve("url").toString()),
                Map.of("HOME", dir.toString()));
        return Tool.run(Path.of("."), List.of("sh", scripts.resolve("fetch.sh").toString()));
    }

    private static String commit(Path work, String content) throws IOException {
        Files.writeString(work.resolve("file.txt"), content + "\n");
        git(work, "add", "file.txt");
        git(work, "commit", "-q", "-m", content);
        return git(work, "rev-parse", "HEAD").trim();
    }

    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        return Tool.succeed(dir, command);
    }
}
