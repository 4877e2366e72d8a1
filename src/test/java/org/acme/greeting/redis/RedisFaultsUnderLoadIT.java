package org.acme.greeting.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.AppProcess;
import org.acme.greeting.support.GreetingLoad;
import org.acme.greeting.support.GreetingLoad.Reply;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.acme.greeting.support.ReadyWatch;
import org.acme.greeting.support.Readiness;
import org.acme.greeting.support.RedisTestResource;
import org.acme.greeting.support.RedisValue;
import org.acme.greeting.support.ResourceUse;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Redis killed, frozen and cycled while 50 clients keep greeting the packaged application, which
 * runs in its own process (as in a pod), so that its threads, file descriptors, sockets and heap
 * are read from that process alone and never include the test's clients. Redis runs with
 * appendonly yes and appendfsync always (RedisTestResource) and a password; the figures are
 * printed for src/test/java/org/acme/greeting/README.md.
 */
@QuarkusIntegrationTest
@TestProfile(RedisFaultsUnderLoadIT.WithPassword.class)
@WithTestResource(PasswordRedisTestResource.class)
class RedisFaultsUnderLoadIT {

    public static class WithPassword implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("REDIS_PASSWORD", PasswordRedisTestResource.PASSWORD);
        }
    }

    private static final int CLIENTS = 50;
    /** What the readiness and recovery promises allow: 503 within 1 s of an outage, 200 within 1 s of recovery. */
    private static final Duration READY_BOUND = Duration.ofSeconds(1);
    /** Slack on top of the counter bound for the HTTP round trip on a busy 2-core machine. */
    private static final Duration SLACK = Duration.ofMillis(500);

    @TestHTTPResource("/greeting")
    URI greeting;

    @TestHTTPResource("/ready")
    URI ready;

    /** The application's own settings, from the application.properties it was packaged with. */
    private static final String COUNTER_KEY = setting("greeting.counter.key");
    private static final Duration COUNTER_TIMEOUT = DurationConverter.parseDuration(setting("greeting.counter.timeout"));

    @AfterEach
    void redisIsBackAndNoSecretWasLogged() {
        RedisTestResource.bringBack();
        assertFalse(AppLog.all().contains(PasswordRedisTestResource.PASSWORD), "the Redis password is in the log");
    }

    @Test
    void killedThreeTimesUnderLoadNoCountIsLostOrDoubledAndReadinessFollowsWithinOneSecond() throws Exception {
        long before = storedCount();
        List<Long> kills = new ArrayList<>();
        List<Long> restarts = new ArrayList<>();
        List<Reply> replies;
        try (ReadyWatch watch = ReadyWatch.start(ready, Duration.ofMillis(20));
                GreetingLoad load = GreetingLoad.start(greeting, CLIENTS)) {
            Thread.sleep(1_500);
            for (int i = 0; i < 3; i++) {
                kills.add(System.nanoTime());
                RedisTestResource.redis().kill();
                Thread.sleep(1_500);
                RedisTestResource.restart();
                restarts.add(System.nanoTime());
                Thread.sleep(1_500);
            }
            replies = load.stop();
            assertEquals(List.of(), load.transportErrors(), "every call got an HTTP answer");
            for (int i = 0; i < 3; i++) {
                Duration down = watch.firstAfter(kills.get(i), 503).orElseThrow();
                Duration up = watch.firstAfter(restarts.get(i), 200).orElseThrow();
                System.out.printf("kill %d: /ready 503 after %d ms; restart %d: /ready 200 after %d ms%n",
                        i + 1, down.toMillis(), i + 1, up.toMillis());
                assertTrue(down.compareTo(READY_BOUND) <= 0, "kill " + (i + 1) + ": 503 only after " + down);
                assertTrue(up.compareTo(READY_BOUND) <= 0, "restart " + (i + 1) + ": 200 only after " + up);
            }
        }
        Readiness.await(Duration.ofSeconds(10));
        long after = storedCount();

        List<Long> counts = replies.stream().map(Reply::count).filter(Objects::nonNull).toList();
        long nulls = replies.size() - counts.size();
        long fiveHundreds = replies.stream().filter(r -> r.status() >= 500).count();
        Set<Long> distinct = new HashSet<>(counts);
        System.out.printf("kill x3 under %d clients: %d greetings, %d with a count, %d with count null, %d 5xx;"
                + " Redis %d -> %d (+%d)%n", CLIENTS, replies.size(), counts.size(), nulls, fiveHundreds,
                before, after, after - before);

        assertEquals(0, fiveHundreds, "no 5xx");
        assertEquals(Set.of(200), statuses(replies));
        assertEquals(counts.size(), distinct.size(), "no count was handed out twice");
        assertTrue(counts.stream().allMatch(c -> c > before && c <= after), "every count lies in (before, after]");
        assertTrue(after - before >= counts.size(), "no acknowledged count was lost");
        assertTrue(after - before - counts.size() <= nulls, "a surplus only from replies lost in a kill");
        assertTrue(counts.size() > 1_000 && nulls > 0, "the load ran through the outages");
    }

    @Test
    void frozenForFiveSecondsGreetingsAnswerWithinTheBoundAndNothingPilesUp() throws Exception {
        Duration bound = COUNTER_TIMEOUT.plus(SLACK);
        warmUp();
        ResourceUse baseline = ResourceUse.measure(AppProcess.find(), RedisTestResource.redis().port());

        long frozen;
        long thawed;
        List<Reply> replies;
        try (GreetingLoad load = GreetingLoad.start(greeting, CLIENTS)) {
            Thread.sleep(1_000);
            RedisTestResource.redis().freeze();
            frozen = System.nanoTime();
            Thread.sleep(5_000);
            RedisTestResource.redis().thaw();
            thawed = System.nanoTime();
            Thread.sleep(2_000);
            replies = load.stop();
            assertEquals(List.of(), load.transportErrors(), "every call got an HTTP answer");
        }
        Readiness.await(Duration.ofSeconds(10));
        Thread.sleep(1_000);
        ResourceUse afterThaw = ResourceUse.measure(AppProcess.find(), RedisTestResource.redis().port());

        List<Reply> duringFreeze = replies.stream()
                .filter(r -> r.start() >= frozen && r.end() <= thawed).toList();
        Duration slowest = replies.stream().map(Reply::took).max(Duration::compareTo).orElseThrow();
        System.out.printf("freeze 5 s under %d clients: %d greetings, %d during the freeze (all count null: %s),"
                + " slowest %d ms (bound %d ms)%n", CLIENTS, replies.size(), duringFreeze.size(),
                duringFreeze.stream().allMatch(r -> r.count() == null), slowest.toMillis(), bound.toMillis());
        System.out.println("freeze: before " + baseline + "; after the thaw " + afterThaw);

        assertEquals(Set.of(200), statuses(replies));
        assertTrue(duringFreeze.size() >= CLIENTS, "greetings were answered during the freeze");
        assertTrue(duringFreeze.stream().allMatch(r -> r.count() == null), "no count while Redis is frozen");
        assertTrue(slowest.compareTo(bound) <= 0, "slowest greeting " + slowest + ", bound " + bound);
        assertTrue(replies.stream().anyMatch(r -> r.start() > thawed && r.count() != null), "counting again after the thaw");
        assertNearBaseline(baseline, afterThaw);
    }

    @Test
    void tenOutagesInARowLeakNoThreadsFileDescriptorsOrConnections() throws Exception {
        warmUp();
        ResourceUse baseline = ResourceUse.measure(AppProcess.find(), RedisTestResource.redis().port());
        for (int cycle = 0; cycle < 10; cycle++) {
            RedisTestResource.redis().kill();
            burst();
            RedisTestResource.restart();
            Readiness.await(Duration.ofSeconds(10));
            burst();
        }
        Thread.sleep(1_000);
        ResourceUse after = ResourceUse.measure(AppProcess.find(), RedisTestResource.redis().port());
        System.out.println("ten outages: before " + baseline + "; after " + after);
        assertNearBaseline(baseline, after);
    }

    /** Load at the same concurrency first, so the baseline includes the threads and connections load needs. */
    private void warmUp() {
        burst();
        burst();
    }

    private void burst() {
        try (GreetingLoad load = GreetingLoad.start(greeting, CLIENTS)) {
            Thread.sleep(500);
            List<Reply> replies = load.stop();
            assertEquals(Set.of(200), statuses(replies));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A leak grows with every outage or stalled request; what is allowed here is the pool's own
     * movement: worker threads started and retired on demand, a connection opened or closed.
     */
    private void assertNearBaseline(ResourceUse baseline, ResourceUse after) {
        assertTrue(after.threads() <= baseline.threads() + 8, "threads: " + baseline + " -> " + after);
        assertTrue(after.fileDescriptors() <= baseline.fileDescriptors() + 8, "file descriptors: " + baseline + " -> " + after
                + "; opened since: " + after.descriptorsOpenedSince(baseline));
        assertTrue(after.redisSockets() <= Math.max(baseline.redisSockets(), 16), "sockets to Redis: " + baseline + " -> " + after);
        assertTrue(after.heapMiB() <= baseline.heapMiB() + 32, "heap: " + baseline + " -> " + after);
    }

    private static Set<Integer> statuses(List<Reply> replies) {
        Set<Integer> statuses = new HashSet<>();
        replies.forEach(r -> statuses.add(r.status()));
        return statuses;
    }

    private static long storedCount() {
        return RedisValue.getLong(RedisTestResource.redis().port(), PasswordRedisTestResource.PASSWORD, COUNTER_KEY);
    }

    private static String setting(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }
}
