package org.acme.greeting.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.GreetingLoad;
import org.acme.greeting.support.GreetingLoad.Reply;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.acme.greeting.support.ReadyWatch;
import org.acme.greeting.support.Readiness;
import org.acme.greeting.support.SentinelGroup;
import org.acme.greeting.support.SentinelRedisTestResource;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * The packaged application, in the redis-sentinel profile, under 50 clients while the primary of
 * a real Sentinel group is killed. Each durability setting runs these scenarios in its own class
 * and says what it promises about the counts handed out.
 */
@TestMethodOrder(OrderAnnotation.class)
abstract class SentinelFailoverScenarios {

    static final int CLIENTS = 50;
    /**
     * From the kill to the first counted greeting, derived from Sentinel's rules and the client's:
     * the last PING reply may be up to 1 s old at the kill, and the primary is subjectively down
     * {@link SentinelGroup#DOWN_AFTER} after it; the other sentinels are asked every 1 s for the
     * quorum; the election and the promotion are each seen through replies polled every 1 s (INFO
     * once a failover is under way); the client caches the topology for 1 s
     * (quarkus.redis.topology-cache-ttl); a greeting started before that waits up to its timeout.
     */
    static final Duration FAILOVER_BOUND = Duration.ofSeconds(1).plus(SentinelGroup.DOWN_AFTER)
            .plusSeconds(1).plusSeconds(2).plusSeconds(1).plus(timeout());
    /** Slack on top of the counter timeout for the HTTP round trip on a busy 2-core machine. */
    static final Duration SLACK = Duration.ofMillis(500);
    private static final String COUNTER_KEY = SentinelRedisTestResource.COUNTER_KEY;

    /** One run of a scenario, and what it handed out. */
    record Outcome(String scenario, List<Reply> replies, long before, long after, long failoverMillis) {

        List<Long> counts() {
            return replies.stream().map(Reply::count).filter(Objects::nonNull).toList();
        }

        /** Counts handed out more than once: each extra copy is a visit whose count was lost. */
        long duplicates() {
            return counts().size() - new HashSet<>(counts()).size();
        }

        /** Counts handed out that the final value does not reach: visits Redis has forgotten. */
        long aboveFinal() {
            return counts().stream().filter(c -> c > after).count();
        }

        long nulls() {
            return replies.size() - counts().size();
        }

        @Override
        public String toString() {
            return String.format("%s: %d greetings, %d counted, %d count null, %d duplicates, %d above the final value;"
                    + " Redis %d -> %d (+%d); kill to first count %d ms", scenario, replies.size(), counts().size(),
                    nulls(), duplicates(), aboveFinal(), before, after, after - before, failoverMillis);
        }
    }

    @TestHTTPResource("/greeting")
    URI greeting;

    @TestHTTPResource("/ready")
    URI ready;

    /** What this durability setting promises about the counts an outcome handed out. */
    abstract void assertCounts(Outcome outcome, boolean replicasFellBehind);

    @AfterEach
    void groupWholeAgainAndNoSecretLogged() {
        SentinelGroup group = SentinelRedisTestResource.group();
        int primary = group.primaryPort();
        for (int port : group.allServerPorts()) {
            if (!group.server(port).isAlive()) {
                group.restartAsReplica(port);
            } else if (port != primary) {
                group.server(port).thaw();
            }
        }
        group.awaitHealthy(Duration.ofSeconds(30));
        Readiness.await(Duration.ofSeconds(10));
        assertFalse(AppLog.all().contains(PasswordRedisTestResource.PASSWORD), "the Redis password is in the log");
    }

    /**
     * The price of the durability setting, with the whole group up: each class prints it, so that
     * one test run gives both settings' figures. Ordered first, it also warms the application up
     * for the failover scenarios, whose latencies would otherwise include the JIT's.
     */
    @Test
    @Order(1)
    void throughputAndLatencyWithTheWholeGroup() throws Exception {
        List<Reply> replies;
        try (GreetingLoad load = GreetingLoad.start(greeting, CLIENTS)) {
            Thread.sleep(10_000);
            replies = load.stop();
        }
        long first = replies.stream().mapToLong(Reply::start).min().orElseThrow();
        long from = first + 5_000_000_000L;
        long[] took = replies.stream().filter(r -> r.start() >= from).mapToLong(r -> r.took().toNanos()).sorted().toArray();
        long counted = replies.stream().filter(r -> r.start() >= from && r.count() != null).count();
        System.out.printf("%s, whole group, %d clients, seconds 5 to 10 of load: %d greetings/s, p50 %.1f ms, p99 %.1f ms%n",
                getClass().getSimpleName(), CLIENTS, took.length / 5, took[took.length / 2] / 1e6,
                took[(int) (took.length * 0.99)] / 1e6);
        // The first seconds are the JIT's (in the application and in these clients): no bound on them.
        assertAnsweredInTime(replies.stream().filter(r -> r.start() >= from).toList());
        assertEquals(Set.of(200), replies.stream().map(Reply::status).collect(Collectors.toSet()));
        assertEquals(took.length, counted, "every greeting counted while the whole group is up");
    }

    @Test
    @Order(2)
    void thePrimaryKilledUnderLoadTheFunctionFollowsTheNewPrimaryAndTheOldOneRejoinsUnnoticed() throws Exception {
        SentinelGroup group = SentinelRedisTestResource.group();
        long before = group.value(COUNTER_KEY);
        long killed;
        long rejoined;
        int oldPrimary = group.primaryPort();
        List<Reply> replies;
        Duration down;
        Duration up;
        try (ReadyWatch watch = ReadyWatch.start(ready, Duration.ofMillis(20));
                GreetingLoad load = GreetingLoad.start(greeting, CLIENTS)) {
            Thread.sleep(3_000);
            killed = System.nanoTime();
            group.server(oldPrimary).kill();
            Thread.sleep(FAILOVER_BOUND.toMillis() + 1_000);
            group.restartAsReplica(oldPrimary);
            group.awaitHealthy(Duration.ofSeconds(20));
            rejoined = System.nanoTime();
            Thread.sleep(3_000);
            replies = load.stop();
            assertEquals(List.of(), load.transportErrors(), "every call got an HTTP answer");
            down = watch.firstAfter(killed, 503).orElseThrow(() -> new AssertionError("/ready never said 503 after the kill"));
            up = watch.firstAfter(killed + down.toNanos(), 200).orElseThrow(() -> new AssertionError("/ready never came back"));
        }
        Outcome outcome = new Outcome("kill", replies, before, group.value(COUNTER_KEY), firstCountAfter(replies, killed));
        System.out.printf("%s%n  /ready 503 %d ms after the kill, 200 again %d ms after the kill%n",
                outcome, down.toMillis(), down.plus(up).toMillis());

        assertAnsweredInTime(replies);
        assertTrue(outcome.failoverMillis() <= FAILOVER_BOUND.toMillis(),
                "first count " + outcome.failoverMillis() + " ms after the kill, bound " + FAILOVER_BOUND.toMillis() + " ms");
        assertTrue(group.primaryPort() != oldPrimary, "a replica was promoted");
        List<Reply> afterRejoin = replies.stream().filter(r -> r.start() >= rejoined).toList();
        assertTrue(afterRejoin.size() > CLIENTS, "greetings after the old primary rejoined: " + afterRejoin.size());
        assertEquals(0, afterRejoin.stream().filter(r -> r.count() == null).count(),
                "every greeting counted once the old primary is back as a replica");
        assertCounts(outcome, false);
    }

    @Test
    @Order(3)
    void thePrimaryKilledWhileItsReplicasLag() throws Exception {
        SentinelGroup group = SentinelRedisTestResource.group();
        long before = group.value(COUNTER_KEY);
        int oldPrimary = group.primaryPort();
        List<Integer> replicas = group.replicasInSync();
        long killed;
        List<Reply> replies;
        try (GreetingLoad load = GreetingLoad.start(greeting, CLIENTS)) {
            Thread.sleep(3_000);
            // Paused replicas stay attached (ROLE lists them) but fall behind: what the primary
            // sends them piles up in its memory (SentinelRedisTestResource.COUNTER_KEY). 700 ms
            // is less than DOWN_AFTER, so the sentinels still count both as candidates.
            replicas.forEach(port -> group.server(port).freeze());
            Thread.sleep(700);
            killed = System.nanoTime();
            group.server(oldPrimary).kill();
            replicas.forEach(port -> group.server(port).thaw());
            Thread.sleep(FAILOVER_BOUND.toMillis() + 2_000);
            replies = load.stop();
            assertEquals(List.of(), load.transportErrors(), "every call got an HTTP answer");
        }
        Outcome outcome = new Outcome("replicas paused, then kill", replies, before, group.value(COUNTER_KEY),
                firstCountAfter(replies, killed));
        System.out.println(outcome);

        assertAnsweredInTime(replies);
        assertTrue(group.primaryPort() != oldPrimary, "a replica was promoted");
        assertCounts(outcome, true);
    }

    /** No 5xx, and no greeting waited longer than the counter timeout allows. */
    private static void assertAnsweredInTime(List<Reply> replies) {
        Map<Integer, Long> statuses = new HashMap<>();
        replies.forEach(r -> statuses.merge(r.status(), 1L, Long::sum));
        assertEquals(Set.of(200), statuses.keySet(), "statuses: " + statuses);
        List<Reply> slowest = replies.stream().sorted(Comparator.comparing(Reply::took).reversed()).limit(5).toList();
        long first = replies.stream().mapToLong(Reply::start).min().orElseThrow();
        assertTrue(slowest.get(0).took().compareTo(timeout().plus(SLACK)) <= 0, "slowest greetings (ms after the load began:"
                + " took): " + slowest.stream().map(r -> (r.start() - first) / 1_000_000 + ": " + r.took().toMillis()).toList());
    }

    /** Milliseconds from {@code since} to the end of the first greeting after it that got a count. */
    private static long firstCountAfter(List<Reply> replies, long since) {
        return replies.stream().filter(r -> r.start() > since && r.count() != null)
                .mapToLong(r -> (r.end() - since) / 1_000_000).min()
                .orElseThrow(() -> new AssertionError("no greeting was counted after the kill"));
    }

    static Duration timeout() {
        return DurationConverter.parseDuration(setting("greeting.counter.timeout"));
    }

    private static String setting(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }
}
