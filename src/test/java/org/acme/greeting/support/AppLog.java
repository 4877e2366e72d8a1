package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The application's log file in the test profile (%test.quarkus.log.file.path); a packaged
 * application that {@code @QuarkusIntegrationTest} launches writes its output there too. A mark
 * taken before an action lets a test read only what the action logged.
 */
public final class AppLog {

    private static final Path FILE = Path.of("target", "quarkus-test.log");
    private static final Pattern LEVEL = Pattern.compile(" (TRACE|DEBUG|INFO|WARN|ERROR) +\\[|\"level\":\"([A-Z]+)\"");

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

    /** A log line's level: plain text in the tests (" INFO  [category]"), JSON in production; "" for none. */
    public static String level(String line) {
        Matcher m = LEVEL.matcher(line);
        return !m.find() ? "" : m.group(1) != null ? m.group(1) : m.group(2);
    }

    /** The lines logged at WARN or ERROR since the mark, joined by newlines ("" when none). */
    public static String errorsAndWarningsSince(long mark) {
        return since(mark).lines().filter(line -> Set.of("WARN", "ERROR").contains(level(line))).collect(Collectors.joining("\n"));
    }

    public static String all() {
        return since(0);
    }
}
