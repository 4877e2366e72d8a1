package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the application process holds, read from outside it, from /proc/&lt;pid&gt; and the JDK's
 * jcmd: its threads, its open file descriptors (and what each one is, for a failure report), its
 * own TCP sockets to Redis that are not yet closed, and its heap after a full GC. Nothing of the
 * test's JVM is counted.
 */
public record ResourceUse(int threads, int fileDescriptors, int redisSockets, long heapMiB, List<String> descriptors) {

    private static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");
    /**
     * GC.heap_info's line per heap: G1's one, or the serial and parallel collectors' generations.
     * JDK 17 writes "garbage-first heap total 262144K, used 12345K", JDK 25 "garbage-first heap total
     * reserved ..K, committed ..K, used 12345K", and names the serial generations DefNew and Tenured.
     */
    private static final Pattern HEAP_USED = Pattern.compile(
            "^\\s*(?:garbage-first heap|def new generation|tenured generation|DefNew|Tenured|PSYoungGen|ParOldGen)\\s+total\\b.*?\\bused (\\d+)K",
            Pattern.MULTILINE);

    public static ResourceUse measure(ProcessHandle app, int redisPort) {
        long heapKiB = heapUsedAfterGc(app.pid());
        Path proc = Path.of("/proc", String.valueOf(app.pid()));
        List<String> fds = links(proc.resolve("fd"));
        Set<String> socketInodes = new HashSet<>();
        for (String target : fds) {
            Matcher m = SOCKET.matcher(target);
            if (m.matches()) {
                socketInodes.add(m.group(1));
            }
        }
        return new ResourceUse(count(proc.resolve("task")), fds.size(), redisSockets(redisPort, socketInodes),
                heapKiB / 1024, describe(fds));
    }

    /** The descriptors held now that were not held at the baseline, described (for a failure report). */
    public List<String> descriptorsOpenedSince(ResourceUse baseline) {
        List<String> opened = new ArrayList<>(descriptors);
        baseline.descriptors.forEach(opened::remove);
        return opened;
    }

    @Override
    public String toString() {
        return String.format("threads %d, file descriptors %d, sockets to Redis %d, heap %d MiB",
                threads, fileDescriptors, redisSockets, heapMiB);
    }

    /**
     * What each descriptor is, for a report: a file's path, or a socket by what it is for (a port
     * it listens on, a connection a client made to one of those, a connection it made to a remote
     * port), so that a connection replaced by a new one to the same place does not count as new.
     */
    private static List<String> describe(List<String> fds) {
        Map<String, String[]> tcp = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    tcp.put(f[9], f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Set<Integer> listening = new HashSet<>();
        for (String target : fds) {
            Matcher m = SOCKET.matcher(target);
            if (m.matches() && tcp.containsKey(m.group(1)) && tcp.get(m.group(1))[3].equals("0A")) {
                listening.add(port(tcp.get(m.group(1))[1]));
            }
        }
        return fds.stream().map(target -> {
            Matcher m = SOCKET.matcher(target);
            if (!m.matches() || !tcp.containsKey(m.group(1))) {
                return target;
            }
            String[] f = tcp.get(m.group(1));
            int local = port(f[1]);
            if (f[3].equals("0A")) {
                return "tcp listening on " + local;
            }
            return listening.contains(local)
                    ? "tcp from a client to " + local + " (state " + f[3] + ")"
                    : "tcp to " + port(f[2]) + " (state " + f[3] + ")";
        }).sorted().toList();
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    private static long heapUsedAfterGc(long pid) {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        long used = 0;
        boolean found = false;
        while (m.find()) {
            used += Long.parseLong(m.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalStateException("no heap figure in jcmd GC.heap_info:\n" + info);
        }
        return used;
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Tool.Result result = Tool.run(Path.of("."), List.of(jcmd.toString(), String.valueOf(pid), command));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed:\n" + result.output());
        }
        return result.output();
    }

    private static int count(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) entries.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where each of the process's file descriptors points; one that closed while listed is skipped. */
    private static List<String> links(Path fdDir) {
        try (Stream<Path> entries = Files.list(fdDir)) {
            return entries.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    return null;
                }
            }).filter(t -> t != null).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The process's TCP sockets to the Redis port in any state but TIME_WAIT (01 established,
     * 08 CLOSE_WAIT: Redis is gone and the application never closed its end, the leak to catch),
     * matched to the process by socket inode.
     */
    private static int redisSockets(int port, Set<String> inodes) {
        String remotePort = String.format(":%04X", port);
        int sockets = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields[2].endsWith(remotePort) && !fields[3].equals("06") && inodes.contains(fields[9])) {
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
