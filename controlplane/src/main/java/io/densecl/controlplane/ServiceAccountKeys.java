package io.densecl.controlplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/**
 * The RSA key pair that signs service-account tokens: the API server signs with the private key
 * ({@code --service-account-signing-key-file}) and verifies with the public one; the controller-manager's
 * token controller signs legacy tokens with the private key too. Kept when the files exist, so a control
 * plane restarted on the same state directory still accepts the tokens it issued before.
 */
record ServiceAccountKeys(Path privateKey, Path publicKey) {

    static ServiceAccountKeys in(Path dir) throws IOException {
        ServiceAccountKeys keys = new ServiceAccountKeys(dir.resolve("sa.key"), dir.resolve("sa.pub"));
        if (Files.isRegularFile(keys.privateKey) && Files.isRegularFile(keys.publicKey)) {
            return keys;
        }
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate the service-account key pair", e);
        }
        Files.createDirectories(dir);
        // PKCS#8 ("PRIVATE KEY") and PKIX ("PUBLIC KEY") are what Java encodes and what keyutil parses.
        Files.writeString(keys.privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(keys.publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        return keys;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
