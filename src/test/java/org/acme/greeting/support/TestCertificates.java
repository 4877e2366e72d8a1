package org.acme.greeting.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority and a server certificate it signs for localhost and
 * 127.0.0.1, as PEM files an operator would hand to Redis, made in Java (Bouncy Castle), so the
 * TLS tests need no openssl.
 */
public final class TestCertificates {

    /** PEM files: the CA certificate, and the server's certificate and unencrypted PKCS#8 key. */
    public record Files(Path caCertificate, Path serverCertificate, Path serverKey) {
    }

    private static final Duration VALIDITY = Duration.ofDays(2);

    private TestCertificates() {
    }

    /** Creates a CA called {@code name} and a server certificate signed by it, in {@code dir}. */
    public static Files create(Path dir, String name) {
        try {
            KeyPair caKeys = ecKeys();
            X500Name caName = new X500Name("CN=" + name + " test CA");
            X509CertificateHolder ca = sign(caName, caName, caKeys, caKeys, true);
            KeyPair serverKeys = ecKeys();
            X509CertificateHolder server = sign(caName, new X500Name("CN=localhost"), serverKeys, caKeys, false);
            Files files = new Files(dir.resolve(name + "-ca.crt"), dir.resolve(name + "-server.crt"),
                    dir.resolve(name + "-server.key"));
            writePem(files.caCertificate(), ca);
            writePem(files.serverCertificate(), server);
            writePem(files.serverKey(), serverKeys.getPrivate());
            return files;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("could not make the test certificates", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509CertificateHolder sign(X500Name issuer, X500Name subject, KeyPair subjectKeys, KeyPair issuerKeys,
            boolean authority) throws IOException, OperatorCreationException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        if (authority) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1") }));
        }
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate()));
    }

    private static void writePem(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(object instanceof java.security.PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)
                    : object);
        }
        java.nio.file.Files.writeString(file, text.toString());
    }
}
