package org.acme.greeting.tekton;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.acme.greeting.support.Tool;

/**
 * What a step's image holds, as a folder to put alone on the PATH: busybox's applets, as an
 * Alpine-based image has them, plus the image's own tools, each linked from this machine. A Task's
 * script run with it finds only what its image would give it.
 */
public final class StepToolbox {

    private StepToolbox() {
    }

    /**
     * The folder target/step-toolboxes/&lt;name&gt; (JUnit's @TempDir warns about every link out of
     * it that it deletes), made once per build.
     */
    public static synchronized Path of(String name, String... tools) throws IOException {
        Path bin = Path.of("target", "step-toolboxes", name).toAbsolutePath();
        if (!Files.isDirectory(bin)) {
            Files.createDirectories(bin);
            String busybox = Tool.path("busybox").toString();
            for (String applet : Tool.succeed(Path.of("."), List.of(busybox, "--list")).split("\\s+")) {
                if (!applet.isBlank()) {
                    Files.createSymbolicLink(bin.resolve(applet), Path.of(busybox));
                }
            }
        }
        // The image's own tools replace busybox's applets of the same name, once: scripts may be
        // running from this folder on other threads.
        for (String tool : tools) {
            Path link = bin.resolve(tool);
            Path target = Tool.path(tool);
            if (!Files.isSymbolicLink(link) || !Files.readSymbolicLink(link).equals(target)) {
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, target);
            }
        }
        return bin;
    }
}
