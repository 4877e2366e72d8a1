package org.acme.greeting.tekton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every image a Task's steps and sidecars run is pinned by digest, so that a tag moved upstream
 * (eclipse-temurin:25-jdk moved from Ubuntu noble to 26.04 in 2026) never changes a release
 * unseen: either the image the build just pushed, by its digest result, or a param default of the
 * form repository:tag@sha256:&lt;64 hex&gt;. No registry is reachable here, so each digest comes from
 * a published record, cited in the comment right above the default; this test holds that comment
 * there.
 */
class StepImagesTest {

    private static final Pattern PINNED = Pattern.compile("[a-z0-9.-]+(/[a-z0-9._-]+)+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}");
    private static final Pattern PARAM = Pattern.compile("\\$\\(params\\.([a-z0-9-]+)\\)");
    private static final String BUILT = "$(params.image-url)@$(params.image-digest)";

    @Test
    void everyStepAndSidecarImageIsPinnedByADigestWhoseSourceIsCited() throws IOException {
        List<String> problems = new ArrayList<>();
        int images = 0;
        for (Map.Entry<String, JsonNode> entry : TektonFiles.ofKind("Task").entrySet()) {
            JsonNode task = entry.getValue();
            Map<String, String> defaults = TektonFiles.paramDefaults(task);
            String text = Files.readString(taskFile(entry.getKey()));
            for (String field : List.of("steps", "sidecars")) {
                for (JsonNode container : task.path("spec").path(field)) {
                    String image = container.path("image").asText();
                    String where = entry.getKey() + " " + field + "/" + container.path("name").asText();
                    images++;
                    if (image.equals(BUILT)) {
                        continue;
                    }
                    Matcher param = PARAM.matcher(image);
                    String resolved = param.matches() ? defaults.getOrDefault(param.group(1), "") : image;
                    if (!PINNED.matcher(resolved).matches()) {
                        problems.add(where + ": " + image + " = " + resolved + " is not pinned by digest");
                    } else if (param.matches() && !citedAbove(text, resolved)) {
                        problems.add(where + ": no comment citing the source of " + resolved + " right above its default");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(images >= 10, "found the Tasks' steps and sidecars: " + images);
    }

    /** The default's line is preceded by a comment that names where the digest was published. */
    private static boolean citedAbove(String text, String image) {
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].trim().equals("default: " + image)) {
                StringBuilder comment = new StringBuilder();
                for (int j = i - 1; j >= 0 && lines[j].trim().startsWith("#"); j--) {
                    comment.insert(0, lines[j].trim() + " ");
                }
                return comment.toString().toLowerCase().contains("digest") && comment.toString().matches(".*[a-z0-9-]+/[a-z0-9.-]+.*");
            }
        }
        return false;
    }

    private static Path taskFile(String name) throws IOException {
        try (var files = Files.list(TektonFiles.TEKTON.resolve("tasks"))) {
            for (Path file : files.toList()) {
                if (Files.readString(file).contains("\n  name: " + name + "\n")) {
                    return file;
                }
            }
        }
        throw new IllegalStateException("no file for Task " + name);
    }
}
