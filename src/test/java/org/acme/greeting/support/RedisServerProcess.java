package org.acme.greeting.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import redis.embedded.RedisExecProvider;

/**
 * A real redis-server process for the tests, from the binary that org.signal:embedded-redis ships
 * (built with TLS; it also runs as a sentinel). Unlike embedded-redis' own RedisServer, which dev
 * mode uses, the tests need the process itself: to kill it without a flush, freeze it, and restart
 * it on the same port and data. It counts as started only once its own log says it is ready, so a
 * port held by another process is an error, never a false start.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final String SERVER_READY = "Ready to accept connections";
    private static final String SENTINEL_READY = "Sentinel ID is";
    private static final Duration START_LIMIT = Duration.ofSeconds(10);
    private static Path binary;

    private final List<String> command;
    private final String readyLine;
    private final Process process;
    private final int port;
    private final Path dataDir;

    private RedisServerProcess(List<String> command, String readyLine, Process process, int port, Path dataDir) {
        this.command = command;
        this.readyLine = readyLine;
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Starts redis-server on 127.0.0.1:port with its files in dataDir, plus any further
     * redis-server arguments (for example "--requirepass", "secret"), and waits until it is ready.
     */
    public static RedisServerProcess start(int port, Path dataDir, String... extraArgs) {
        List<String> command = new ArrayList<>(List.of(binary().toString(),
                "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dataDir.toAbsolutePath().toString(), "--save", ""));
        command.addAll(List.of(extraArgs));
        return launch(command, SERVER_READY, port, dataDir);
    }

    /**
     * Starts the same binary as a sentinel on 127.0.0.1:port with the configuration file given;
     * Sentinel rewrites that file as it learns the group, so it must be writable.
     */
    public static RedisServerProcess startSentinel(Path configFile, int port, Path dataDir) {
        return launch(List.of(binary().toString(), configFile.toAbsolutePath().toString(), "--sentinel",
                "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dataDir.toAbsolutePath().toString()),
                SENTINEL_READY, port, dataDir);
    }

    private static RedisServerProcess launch(List<String> command, String readyLine, int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("redis.log");
            long from = Files.exists(log) ? Files.size(log) : 0;
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            RedisServerProcess server = new RedisServerProcess(List.copyOf(command), readyLine, process, port, dataDir);
            server.awaitReady(log, from);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + command.get(0), e);
        }
    }

    /** Starts a new process with the same command line, port and data, once this one is gone. */
    public RedisServerProcess restart() {
        close();
        return launch(command, readyLine, port, dataDir);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: Redis flushes its append-only file and exits. */
    public void stop() {
        process.destroy();
        awaitExit();
    }

    /** SIGKILL: Redis dies without flushing anything. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGSTOP: Redis keeps its connections open but answers nothing until {@link #thaw()}. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT: Redis answers again. */
    public void thaw() {
        signal("CONT");
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            thaw();
            stop();
        }
    }

    /** The JDK can send only SIGTERM and SIGKILL; the shell's kill sends the rest. */
    private void signal(String name) {
        Tool.Result kill = Tool.run(Path.of("."), List.of("sh", "-c", "kill -s " + name + " " + process.pid()));
        if (kill.exitCode() != 0) {
            throw new IllegalStateException("kill -s " + name + " failed for redis-server " + process.pid() + ": " + kill.output());
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Until the process's own log, from where this launch began, says it is ready; it must not exit first. */
    private void awaitReady(Path log, long from) {
        try {
            Awaitility.await("redis-server on port " + port + " to be ready")
                    .atMost(START_LIMIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        String written = logSince(log, from);
                        if (!process.isAlive()) {
                            throw new IllegalStateException("redis-server exited with " + process.exitValue()
                                    + " on port " + port + ": " + written.strip());
                        }
                        return written.contains(readyLine);
                    });
        } catch (ConditionTimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("redis-server was not ready on port " + port + " within " + START_LIMIT
                    + ": " + logSince(log, from).strip(), e);
        }
    }

    private static String logSince(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The binary for this OS and CPU, unpacked once per JVM by embedded-redis. */
    private static synchronized Path binary() {
        if (binary == null) {
            try {
                File file = RedisExecProvider.defaultProvider().get();
                binary = file.toPath();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not unpack redis-server from org.signal:embedded-redis", e);
            }
        }
        return binary;
    }
}
