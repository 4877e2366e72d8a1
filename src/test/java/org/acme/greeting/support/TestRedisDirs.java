package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Data directories for the redis-server processes the tests start. They live under the build
 * directory, so that {@code mvn clean} removes them instead of each run leaving some in /tmp.
 */
public final class TestRedisDirs {

    private static final Path ROOT = Path.of("target", "test-redis");

    private TestRedisDirs() {
    }

    public static Path fresh(String prefix) {
        try {
            Files.createDirectories(ROOT);
            return Files.createTempDirectory(ROOT, prefix).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
