package org.acme.greeting.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process, run from the binary that the org.signal:embedded-redis jar
 * ships, for dev mode and the tests. Not part of the production image: that artifact is removed
 * from the production build.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final String VERSION = "7.0.15";
    private static Path binary;

    private final List<String> command;
    private final Process process;
    private final int port;
    private final Path dataDir;

    private RedisServerProcess(List<String> command, Process process, int port, Path dataDir) {
        this.command = command;
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Starts redis-server on 127.0.0.1:port with its files in dataDir, plus any further
     * redis-server arguments (for example "--requirepass", "secret"), and waits until it accepts
     * connections.
     */
    public static RedisServerProcess start(int port, Path dataDir, String... extraArgs) {
        try {
            return start(binary(), port, dataDir, extraArgs);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not unpack redis-server", e);
        }
    }

    /**
     * As {@link #start(int, Path, String...)}, with another redis-server binary: the one shipped
     * in embedded-redis is built without TLS.
     */
    public static RedisServerProcess start(Path binary, int port, Path dataDir, String... extraArgs) {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dataDir.toAbsolutePath().toString(), "--save", ""));
        command.addAll(List.of(extraArgs));
        return launch(command, port, dataDir);
    }

    /**
     * Starts redis-sentinel (or another binary that must have its configuration file first) on
     * 127.0.0.1:port; Sentinel rewrites that file as it learns the group, so it must be writable.
     */
    public static RedisServerProcess startSentinel(Path binary, Path configFile, int port, Path dataDir) {
        return launch(List.of(binary.toString(), configFile.toString(), "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--dir", dataDir.toAbsolutePath().toString()), port, dataDir);
    }

    private static RedisServerProcess launch(List<String> command, int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("redis.log").toFile()))
                    .start();
            RedisServerProcess server = new RedisServerProcess(List.copyOf(command), process, port, dataDir);
            server.awaitListening(Duration.ofSeconds(10));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + command.get(0), e);
        }
    }

    /** Starts a new process with the same command line, port and data, once this one is gone. */
    public RedisServerProcess restart() {
        close();
        return launch(command, port, dataDir);
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

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " failed for redis-server " + process.pid());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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

    private void awaitListening(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue()
                        + " on port " + port + "; see redis.log in its data directory");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not listen on port " + port + " within " + limit);
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Copies the binary for this OS and CPU out of the jar, once per JVM. */
    private static synchronized Path binary() throws IOException {
        if (binary == null) {
            String resource = "/redis-server-" + VERSION + "-" + os() + "-" + arch();
            try (InputStream in = RedisServerProcess.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("No " + resource + " on the class path: is"
                            + " org.signal:embedded-redis a dependency, and is this OS and CPU supported?");
                }
                Path file = Files.createTempFile("redis-server-", "");
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
                file.toFile().deleteOnExit();
                binary = file;
            }
        }
        return binary;
    }

    private static String os() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return name.contains("mac") ? "darwin" : "linux";
    }

    private static String arch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> throw new IllegalStateException("No embedded redis-server for CPU " + arch);
        };
    }
}
