package org.acme.greeting.support;

import java.util.List;

/**
 * The packaged application that {@code @QuarkusIntegrationTest} launched: a child process of the
 * test JVM running target/quarkus-app/quarkus-run.jar.
 */
public final class AppProcess {

    private AppProcess() {
    }

    public static ProcessHandle find() {
        List<ProcessHandle> apps = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("quarkus-run.jar")).orElse(false))
                .toList();
        if (apps.size() != 1) {
            throw new IllegalStateException("expected one launched quarkus-run.jar, found " + apps.size());
        }
        return apps.get(0);
    }
}
