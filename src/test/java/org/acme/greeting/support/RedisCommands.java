package org.acme.greeting.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ProtocolVersion;

/**
 * Sends commands to the tests' Redis servers and sentinels with the Vert.x Redis client, the one
 * the application uses, where an operator would use redis-cli. One connection per command, so a
 * server that was killed or frozen since the last one costs nothing but that command.
 */
public final class RedisCommands implements AutoCloseable {

    private final TestVertx vertx = TestVertx.start();

    /** The reply to the command, or an exception when the server refused it or did not answer within 5 s. */
    public Response send(int port, String password, String... command) {
        Redis client = Redis.createClient(vertx.get(), new RedisOptions()
                .setConnectionString("redis://127.0.0.1:" + port).setPassword(password)
                // RESP2: maps come as flat lists of names and values, as redis-cli shows them.
                .setPreferredProtocolVersion(ProtocolVersion.RESP2));
        try {
            Request request = Request.cmd(io.vertx.redis.client.Command.create(command[0]));
            for (String arg : List.of(command).subList(1, command.length)) {
                request.arg(arg);
            }
            return client.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(String.join(" ", command) + " on port " + port + " failed: " + e, e);
        } finally {
            client.close();
        }
    }

    /** A reply of names and values, such as SENTINEL MASTER's, as a map of strings. */
    public static Map<String, String> fields(Response reply) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            fields.put(reply.get(i).toString(), String.valueOf(reply.get(i + 1)));
        }
        return fields;
    }

    @Override
    public void close() {
        vertx.close();
    }
}
