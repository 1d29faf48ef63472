package dev.flinkstack.tests.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed RSA key pair in PKCS12 keystores, made with the JDK's keytool as Flink's SSL guide
 * does: {@code keystore.p12} with the key and its certificate, {@code truststore.p12} with the
 * certificate only. Whoever holds the keystore is trusted by whoever holds the truststore.
 *
 * @param keystore the PKCS12 keystore
 * @param truststore the PKCS12 truststore
 * @param password the password of both and of the key
 */
public record Keystores(byte[] keystore, byte[] truststore, String password) {

    private static final Duration KEYTOOL_TIMEOUT = Duration.ofMinutes(1);

    /** A new key pair for {@code name} (its common name), valid for these subject alternative names ("dns:...", "ip:..."). */
    public static Keystores selfSigned(Path dir, String name, String password, String... subjectAlternativeNames) {
        Path keystore = dir.resolve(name + "-keystore.p12");
        Path certificate = dir.resolve(name + ".cer");
        Path truststore = dir.resolve(name + "-truststore.p12");
        List<String> generate = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=" + name, "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", password, "-keypass", password));
        if (subjectAlternativeNames.length > 0) {
            generate.addAll(List.of("-ext", "SAN=" + String.join(",", subjectAlternativeNames)));
        }
        keytool(generate);
        keytool(List.of("-exportcert", "-alias", name, "-keystore", keystore.toString(), "-storepass", password,
                "-file", certificate.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", name, "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", password));
        try {
            return new Keystores(Files.readAllBytes(keystore), Files.readAllBytes(truststore), password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Secret data a cert-manager Certificate with {@code keystores.pkcs12} holds (the keys the chart mounts). */
    public Map<String, byte[]> secretData() {
        return Map.of("keystore.p12", keystore, "truststore.p12", truststore);
    }

    /** A client context that trusts the truststore and, with {@code presentKey}, identifies itself with the keystore. */
    public SSLContext clientContext(boolean presentKey) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(truststore));
            KeyManagerFactory keys = null;
            if (presentKey) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load(keystore), password.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLSv1.2");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyStore load(byte[] store) throws GeneralSecurityException, IOException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(new ByteArrayInputStream(store), password.toCharArray());
        return keyStore;
    }

    private static void keytool(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(args);
        Processes.run(KEYTOOL_TIMEOUT, command).orThrow();
    }
}
