package org.acme.greeting.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packaged application (target/quarkus-app) ships no redis-server, nor the embedded-redis API
 * and the guava and commons-io it needs: those are for dev mode and the tests only.
 */
class ProductionPackageIT {

    private static final Path APP = Path.of("target", "quarkus-app");

    @Test
    void packagedApplicationHoldsNoEmbeddedRedis() throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.walk(APP)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        assertTrue(jars.stream().anyMatch(p -> p.getFileName().toString().contains("vertx-redis-client")),
                "the Redis client is packaged, so this looked in the right place: " + jars);
        assertEquals(List.of(), jars.stream()
                .filter(p -> List.of("embedded-redis", "guava", "commons-io").stream()
                        .anyMatch(p.getFileName().toString()::contains))
                .toList());
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                assertTrue(file.stream().noneMatch(e -> e.getName().contains("redis-server-")),
                        jar + " holds a redis-server binary");
            }
        }
    }
}
