package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.acme.greeting.dev.RedisServerProcess;

/**
 * Debian's redis-server (built with TLS, unlike the embedded-redis binary) serving TLS only,
 * with a certificate from a test CA and a password. The application gets {@code rediss://},
 * the password, and the CA file named by {@link #CA_ARG}: "trusted" (the CA that signed the
 * server's certificate, the default) or "untrusted" (another CA).
 */
public class TlsRedisTestResource extends RedisTestResource {

    public static final String CA_ARG = "ca";
    private static final Path DEBIAN_REDIS = Path.of("/usr/bin/redis-server");

    private boolean trusted = true;
    private Path caForClient;

    @Override
    public void init(Map<String, String> initArgs) {
        trusted = !"untrusted".equals(initArgs.getOrDefault(CA_ARG, "trusted"));
    }

    @Override
    protected RedisServerProcess launch(int port, Path dataDir) {
        if (!Files.isExecutable(DEBIAN_REDIS)) {
            throw new IllegalStateException(DEBIAN_REDIS + " is missing: apt-get install redis-server (.ci/run does)");
        }
        TestCertificates.Files server;
        try {
            Path certificates = Files.createDirectories(dataDir.resolve("certificates"));
            server = TestCertificates.create(certificates, "redis");
            caForClient = trusted ? server.caCertificate()
                    : TestCertificates.create(certificates, "stranger").caCertificate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RedisServerProcess.start(DEBIAN_REDIS, port, dataDir,
                "--port", "0", "--tls-port", String.valueOf(port),
                "--tls-cert-file", server.serverCertificate().toString(),
                "--tls-key-file", server.serverKey().toString(),
                "--tls-ca-cert-file", server.caCertificate().toString(),
                "--tls-auth-clients", "no",
                "--requirepass", PasswordRedisTestResource.PASSWORD);
    }

    @Override
    protected Map<String, String> clientConfig(int port) {
        return Map.of("REDIS_URL", "rediss://localhost:" + port,
                "REDIS_PASSWORD", PasswordRedisTestResource.PASSWORD,
                "REDIS_CA_FILE", caForClient.toString());
    }
}
