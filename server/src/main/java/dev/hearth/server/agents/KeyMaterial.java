package dev.hearth.server.agents;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Agent API keys: {@code hk-} and 32 random bytes (256 bits, URL-safe base64). Only the SHA-256 of a key is stored
 * (a key this random needs no salt or slow hash: nobody can guess one to match); comparisons are constant time.
 */
final class KeyMaterial {
    static final String PREFIX = "hk-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyMaterial() {}

    static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** What {@code keys list} shows of a key: its first characters, enough to tell keys apart. */
    static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), PREFIX.length() + 6)) + "...";
    }

    static boolean sameHash(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
