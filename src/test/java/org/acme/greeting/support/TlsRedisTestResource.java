package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;


/**
 * The tests' redis-server (embedded-redis' binary, built with TLS) serving TLS only, with a
 * certificate from a test CA made in Java and a password. The application gets {@code rediss://},
 * the password, and the CA file named by {@link #CA_ARG}: "trusted" (the CA that signed the
 * server's certificate, the default) or "untrusted" (another CA).
 */
public class TlsRedisTestResource extends RedisTestResource {

    public static final String CA_ARG = "ca";

    private boolean trusted = true;
    private Path caForClient;

    @Override
    public void init(Map<String, String> initArgs) {
        trusted = !"untrusted".equals(initArgs.getOrDefault(CA_ARG, "trusted"));
    }

    @Override
    protected RedisServerProcess launch(int port, Path dataDir) {
        TestCertificates.Files server;
        try {
            Path certificates = Files.createDirectories(dataDir.resolve("certificates"));
            server = TestCertificates.create(certificates, "redis");
            caForClient = trusted ? server.caCertificate()
                    : TestCertificates.create(certificates, "stranger").caCertificate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RedisServerProcess.start(port, dataDir,
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
