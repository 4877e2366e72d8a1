package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the application holds, read from this JVM (the one @QuarkusTest runs it in) and from
 * /proc: its threads (not the test's own load and probe threads, nor the JDK's process
 * reapers), open file descriptors, sockets to Redis that are not yet closed, and heap after GC.
 */
public record ResourceUse(int threads, int fileDescriptors, int redisSockets, long heapMiB) {

    private static final List<String> TEST_THREADS = List.of(GreetingLoad.THREAD_PREFIX, ReadyWatch.THREAD_NAME,
            "HttpClient-", "process reaper");

    public static ResourceUse measure(int redisPort) {
        collectGarbage();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
        int threads = (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> TEST_THREADS.stream().noneMatch(t.getName()::startsWith))
                .count();
        return new ResourceUse(threads, count(Path.of("/proc/self/fd")), redisSockets(redisPort), heap);
    }

    @Override
    public String toString() {
        return String.format("threads %d, file descriptors %d, sockets to Redis %d, heap %d MiB",
                threads, fileDescriptors, redisSockets, heapMiB);
    }

    private static void collectGarbage() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int count(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) entries.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Client-side TCP sockets to the Redis port in any state but TIME_WAIT (01 established,
     * 08 CLOSE_WAIT: the server is gone and this side never closed its socket, the leak to catch).
     */
    private static int redisSockets(int port) {
        String remotePort = String.format(":%04X", port);
        int sockets = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields[2].endsWith(remotePort) && !fields[3].equals("06")) {
                        sockets++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sockets;
    }
}
