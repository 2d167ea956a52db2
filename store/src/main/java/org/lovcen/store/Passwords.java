package org.lovcen.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes with Argon2id (RFC 9106) in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}), the parameters OWASP recommends as a
 * minimum. The parameters are stored with each hash, so raising them later keeps old hashes
 * valid. Thread-safe.
 */
public final class Passwords {
  private static final int MEMORY_KIB = 19_456;
  private static final int ITERATIONS = 2;
  private static final int PARALLELISM = 1;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private Passwords() {}

  public static String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] out = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, 32);
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + B64.encodeToString(salt)
        + "$" + B64.encodeToString(out);
  }

  /**
   * Whether {@code password} matches {@code phc}, computed with the memory, iterations and
   * parallelism the string names; false for a malformed hash or another Argon2 variant or version.
   * Constant time in the hash.
   */
  public static boolean verify(String password, String phc) {
    try {
      String[] p = phc.split("\\$", -1);
      if (p.length != 6 || !p[0].isEmpty() || !p[1].equals("argon2id") || !p[2].equals("v=19")) {
        return false;
      }
      int m = 0;
      int t = 0;
      int par = 0;
      for (String kv : p[3].split(",")) {
        int v = Integer.parseInt(kv.substring(2));
        switch (kv.charAt(0)) {
          case 'm' -> m = v;
          case 't' -> t = v;
          case 'p' -> par = v;
          default -> { return false; }
        }
      }
      byte[] salt = B64D.decode(p[4]);
      byte[] expected = B64D.decode(p[5]);
      return MessageDigest.isEqual(expected, argon2(password, salt, m, t, par, expected.length));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static byte[] argon2(String password, byte[] salt, int memory, int iterations, int parallelism, int len) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13).withMemoryAsKB(memory).withIterations(iterations)
        .withParallelism(parallelism).withSalt(salt).build();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(params);
    byte[] out = new byte[len];
    g.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }

  /** Password policy: at least 12 characters, not all the same. Returns the reason, or null when acceptable. */
  public static String weakness(String password) {
    if (password == null || password.length() < 12) {
      return "password must have at least 12 characters";
    }
    if (password.chars().distinct().count() < 4) {
      return "password must use at least 4 different characters";
    }
    return null;
  }
}
