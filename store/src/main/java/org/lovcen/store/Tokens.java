package org.lovcen.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Bearer tokens: 32 random bytes, base64url, with a prefix naming the kind ({@code lvi_} ingest,
 * {@code lva_} API, {@code lvs_} session, {@code lvb_} bouncer, {@code lvm_} metrics). Only the SHA-256 of a token is stored; tokens are
 * random, so a fast hash is enough (unlike passwords). Thread-safe.
 */
public final class Tokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Tokens() {}

  public static String generate(String kind) {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String prefix = switch (kind) {
      case "ingest" -> "lvi_";
      case "session" -> "lvs_";
      case "bouncer" -> "lvb_";
      case "metrics" -> "lvm_";
      default -> "lva_";
    };
    return prefix + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
