package org.acme.greeting.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/** Copies and deletes folder trees for the tests that work on a copy of the project or of knative/. */
public final class FileTrees {

    private FileTrees() {
    }

    /** Copies the tree at from to to, leaving out every file or folder named in skipped, wherever it is. */
    public static void copy(Path from, Path to, Set<String> skipped) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path relative = from.relativize(source);
                boolean left = false;
                for (Path part : relative) {
                    left |= skipped.contains(part.toString());
                }
                if (left) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** Copies the project in the working directory to to, as a new clone has it: no build output, no Git data, no node_modules. */
    public static void copyProject(Path to) throws IOException {
        copy(Path.of("").toAbsolutePath(), to, Set.of("target", ".git", "node_modules"));
    }

    public static void copy(Path from, Path to) throws IOException {
        copy(from, to, Set.of());
    }

    /** Deletes the tree at dir, if there is one. */
    public static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
