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
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

import io.vertx.redis.client.Response;


/**
 * One primary, two replicas and three sentinels on loopback, all the redis-server binary of
 * org.signal:embedded-redis (the sentinels run it with --sentinel), with a password on every one
 * of them. The tests kill, freeze and restart them, and ask them who is primary with the Redis
 * client's commands, as an operator would with redis-cli.
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

    private final String password;
    private final Path root;
    private final Map<Integer, RedisServerProcess> servers = new HashMap<>();
    private final List<RedisServerProcess> sentinels = new ArrayList<>();
    private final RedisCommands commands = new RedisCommands();

    private SentinelGroup(String password, Path root) {
        this.password = password;
        this.root = root;
    }

    /** Starts the group and waits until both replicas are in sync and every sentinel sees all of it. */
    public static SentinelGroup start(String password) {
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
            try {
                Response address = send(sentinel.port(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
                if (address != null && address.size() == 2) {
                    return address.get(1).toInteger();
                }
            } catch (IllegalStateException notAnswering) {
                // a frozen or dead sentinel: ask the next
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
        String info = send(primaryPort(), "INFO", "replication").toString();
        return info.lines()
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
        return RedisValue.getLong(commands, primaryPort(), password, key);
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
        Map<String, String> master = RedisCommands.fields(send(sentinel.port(), "SENTINEL", "MASTER", MASTER_NAME));
        if (!"master".equals(master.get("flags")) || !"2".equals(master.get("num-slaves"))
                || !"2".equals(master.get("num-other-sentinels"))) {
            return false;
        }
        Response replicas = send(sentinel.port(), "SENTINEL", "REPLICAS", MASTER_NAME);
        List<String> flags = new ArrayList<>();
        replicas.forEach(replica -> flags.add(RedisCommands.fields(replica).get("flags")));
        return flags.size() == 2 && flags.stream().noneMatch(f -> f.contains("s_down") || f.contains("disconnected"));
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServerProcess::close);
        servers.values().forEach(RedisServerProcess::close);
        commands.close();
    }

    private void startServer(int port, String... replicaOf) {
        List<String> args = new ArrayList<>(List.of("--requirepass", password, "--masterauth", password,
                "--appendonly", "no"));
        args.addAll(List.of(replicaOf));
        servers.put(port, RedisServerProcess.start(port, root.resolve("server-" + port), args.toArray(String[]::new)));
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
            sentinels.add(RedisServerProcess.startSentinel(config, port, dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Response send(int port, String... command) {
        return commands.send(port, password, command);
    }

    private static void await(Duration limit, String what, Callable<Boolean> condition) {
        Awaitility.await(what).atMost(limit).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(IllegalStateException.class).until(condition);
    }
}
