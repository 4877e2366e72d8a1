package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The application's log file in the test profile (%test.quarkus.log.file.path); a packaged
 * application that {@code @QuarkusIntegrationTest} launches writes its output there too. A mark
 * taken before an action lets a test read only what the action logged.
 */
public final class AppLog {

    private static final Path FILE = Path.of("target", "quarkus-test.log");

    private AppLog() {
    }

    public static long mark() {
        try {
            return Files.exists(FILE) ? Files.size(FILE) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything logged since the mark. */
    public static String since(long mark) {
        try {
            byte[] all = Files.readAllBytes(FILE);
            return new String(all, (int) mark, all.length - (int) mark, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String all() {
        return since(0);
    }
}
