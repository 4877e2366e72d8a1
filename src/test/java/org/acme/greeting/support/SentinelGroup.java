package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.acme.greeting.dev.RedisServerProcess;

/**
 * One primary, two replicas and three sentinels, all Debian's redis-server and redis-sentinel on
 * loopback, with a password on every one of them. The tests kill, freeze and restart them and ask
 * them who is primary with redis-cli, as an operator would.
 */
public final class SentinelGroup implements AutoCloseable {

    public static final String MASTER_NAME = "greeting";
    /**
     * Sentinel's settings, which the failover bound in the tests is derived from: a server is
     * subjectively down after {@code DOWN_AFTER} without a valid PING reply; a failed failover
     * attempt is retried after twice {@code FAILOVER_TIMEOUT}.
     */
    public static final Duration DOWN_AFTER = Duration.ofMillis(1_000);
    public static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(5_000);
    private static final int QUORUM = 2;
    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");
    private static final Path REDIS_SENTINEL = Path.of("/usr/bin/redis-sentinel");

    private final String password;
    private final Path root;
    private final Map<Integer, RedisServerProcess> servers = new HashMap<>();
    private final List<RedisServerProcess> sentinels = new ArrayList<>();

    private SentinelGroup(String password, Path root) {
        this.password = password;
        this.root = root;
    }

    /** Starts the group and waits until both replicas are in sync and every sentinel sees all of it. */
    public static SentinelGroup start(String password) {
        for (Path binary : List.of(REDIS_SERVER, REDIS_SENTINEL)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: apt-get install redis-server redis-sentinel (.ci/run does)");
            }
        }
        SentinelGroup group = new SentinelGroup(password, TestRedisDirs.fresh("sentinel-group-"));
        int primary = RedisTestResource.freePort();
        group.startServer(primary);
        for (int i = 0; i < 2; i++) {
            group.startServer(RedisTestResource.freePort(), "--replicaof", "127.0.0.1", String.valueOf(primary));
        }
        for (int i = 0; i < 3; i++) {
            group.startSentinel(primary);
        }
        group.awaitHealthy(Duration.ofSeconds(30));
        return group;
    }

    /** What the application is given: every sentinel's address. */
    public String sentinelAddresses() {
        return sentinels.stream().map(s -> "redis://127.0.0.1:" + s.port()).collect(Collectors.joining(","));
    }

    /** The port of the server the sentinels currently name primary. */
    public int primaryPort() {
        for (RedisServerProcess sentinel : sentinels) {
            Tool.Result reply = cli(sentinel.port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
            if (reply.exitCode() == 0 && reply.output().lines().count() == 2) {
                return Integer.parseInt(reply.output().lines().toList().get(1).trim());
            }
        }
        throw new IllegalStateException("no sentinel named a primary");
    }

    public Set<Integer> allServerPorts() {
        return Set.copyOf(servers.keySet());
    }

    public RedisServerProcess server(int port) {
        return servers.get(port);
    }

    /** The replicas the primary lists as in sync (state=online in INFO replication). */
    public List<Integer> replicasInSync() {
        Tool.Result info = cli(primaryPort(), "INFO", "replication");
        return info.output().lines()
                .filter(line -> line.startsWith("slave") && line.contains("state=online"))
                .map(line -> Integer.parseInt(line.replaceAll(".*port=(\\d+).*", "$1").trim()))
                .toList();
    }

    /** Starts a server that was killed again, as a replica of the current primary, as Redis charts do. */
    public void restartAsReplica(int port) {
        RedisServerProcess old = servers.get(port);
        if (old.isAlive()) {
            throw new IllegalStateException("server " + port + " is still running");
        }
        startServer(port, "--replicaof", "127.0.0.1", String.valueOf(primaryPort()));
    }

    /** The key's value on the current primary. */
    public long value(String key) {
        return RedisValue.getLong(primaryPort(), password, key);
    }

    /**
     * Waits until there are three live servers, the primary lists the other two in sync, and every
     * sentinel sees that primary, both replicas and the two other sentinels, none of them down.
     */
    public void awaitHealthy(Duration limit) {
        await(limit, "the group to be healthy", () -> servers.values().stream().allMatch(RedisServerProcess::isAlive)
                && replicasInSync().size() == 2
                && sentinels.stream().allMatch(this::seesAHealthyGroup));
    }

    private boolean seesAHealthyGroup(RedisServerProcess sentinel) {
        Map<String, String> master = fields(cli(sentinel.port(), "SENTINEL", "MASTER", MASTER_NAME).output());
        if (!"master".equals(master.get("flags")) || !"2".equals(master.get("num-slaves"))
                || !"2".equals(master.get("num-other-sentinels"))) {
            return false;
        }
        String replicas = cli(sentinel.port(), "SENTINEL", "REPLICAS", MASTER_NAME).output();
        return replicas.lines().filter("flags"::equals).count() == 2
                && replicas.lines().noneMatch(line -> line.contains("s_down") || line.contains("disconnected"));
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServerProcess::close);
        servers.values().forEach(RedisServerProcess::close);
    }

    private void startServer(int port, String... replicaOf) {
        List<String> args = new ArrayList<>(List.of("--requirepass", password, "--masterauth", password,
                "--appendonly", "no"));
        args.addAll(List.of(replicaOf));
        servers.put(port, RedisServerProcess.start(REDIS_SERVER, port, root.resolve("server-" + port), args.toArray(String[]::new)));
    }

    private void startSentinel(int primary) {
        int port = RedisTestResource.freePort();
        Path dir = root.resolve("sentinel-" + port);
        try {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("sentinel.conf"), String.join("\n",
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary + " " + QUORUM,
                    "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER.toMillis(),
                    "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT.toMillis(),
                    "sentinel parallel-syncs " + MASTER_NAME + " 1",
                    "sentinel auth-pass " + MASTER_NAME + " " + password,
                    // The sentinels' own password: clients and the other sentinels must give it.
                    "requirepass " + password,
                    "sentinel sentinel-pass " + password,
                    ""));
            sentinels.add(RedisServerProcess.startSentinel(REDIS_SENTINEL, config, port, dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tool.Result cli(int port, String... command) {
        List<String> args = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "--no-auth-warning", "--raw"));
        args.addAll(List.of(command));
        // The password through the environment, so that it is not on a command line others can read.
        return Tool.run(root, args, Map.of("REDISCLI_AUTH", password));
    }

    /** redis-cli --raw prints a flat map reply as name and value on alternate lines. */
    private static Map<String, String> fields(String output) {
        List<String> lines = output.lines().toList();
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            fields.put(lines.get(i), lines.get(i + 1));
        }
        return fields;
    }

    private static void await(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + limit + " waiting for " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
