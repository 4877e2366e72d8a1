package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A throw-away certificate authority and a server certificate it signs for localhost and
 * 127.0.0.1, made with the openssl command-line tool, as an operator would make them.
 */
public final class TestCertificates {

    /** PEM files: the CA certificate, and the server's certificate and unencrypted key. */
    public record Files(Path caCertificate, Path serverCertificate, Path serverKey) {
    }

    private TestCertificates() {
    }

    /** Creates a CA called {@code name} and a server certificate signed by it, in {@code dir}. */
    public static Files create(Path dir, String name) {
        String ca = name + "-ca";
        String server = name + "-server";
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca + ".key", "-out", ca + ".crt", "-days", "2", "-subj", "/CN=" + name + " test CA");
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", server + ".key", "-out", server + ".csr", "-subj", "/CN=localhost");
        openssl(dir, "x509", "-req", "-in", server + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-out", server + ".crt", "-days", "2",
                "-extfile", writeExtensions(dir, server));
        return new Files(dir.resolve(ca + ".crt"), dir.resolve(server + ".crt"), dir.resolve(server + ".key"));
    }

    private static String writeExtensions(Path dir, String server) {
        Path file = dir.resolve(server + ".ext");
        try {
            java.nio.file.Files.writeString(file, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.getFileName().toString();
    }

    private static void openssl(Path dir, String... args) {
        Tool.succeed(dir, Stream.concat(Stream.of("openssl"), Stream.of(args)).toList());
    }
}
