package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Argon2id password hashes: known answers, the parameters of the PHC string, malformed strings, the policy. */
class PasswordsTest {
  /**
   * RFC 9106 section 5.3 (Argon2id, version 0x13): the test vector uses a secret and associated data,
   * which Passwords never sets, so it checks the BouncyCastle generator that Passwords drives, called
   * the same way.
   */
  @Test
  void bouncyCastleArgon2id_rfc9106TestVector() {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13).withMemoryAsKB(32).withIterations(3).withParallelism(4)
        .withSalt(filled(16, 0x02)).withSecret(filled(8, 0x03)).withAdditional(filled(12, 0x04)).build();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(params);
    byte[] tag = new byte[32];
    g.generateBytes(filled(32, 0x01), tag);
    assertThat(HexFormat.of().formatHex(tag))
        .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  /** Argon2id vectors of the reference implementation's tests (phc-winner-argon2, src/test.c), salt "somesalt". */
  @ParameterizedTest
  @CsvSource(delimiter = ' ', value = {
      "password $argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "password $argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "password $argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
      "password $argon2id$v=19$m=65536,t=1,p=1$c29tZXNhbHQ$9qWtwbpyPd3vm1rB1GThgPzZ3/ydHL92zKL+15XZypg",
      "password $argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$kCXUjmjvc5XMqQedpMTsOv+zyJEf5PhtGiUghW9jFyw",
      "differentpassword $argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94",
      "password $argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw"})
  void verify_referenceVectors(String password, String phc) {
    assertThat(Passwords.verify(password, phc)).isTrue();
    assertThat(Passwords.verify(password + "x", phc)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "$argon2id$v=19$m=512,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=3,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQx$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"})
  void verify_anyOtherParameterThanTheHashWasMadeWith_isFalse(String phc) {
    // The same hash as the m=256,t=2,p=1 reference vector under another memory, iterations, parallelism,
    // salt, version (regression: v= was ignored) or variant.
    assertThat(Passwords.verify("password", phc)).isFalse();
  }

  @Test
  void hash_isAPhcStringWithTheOwaspParametersAndAFreshSalt() {
    String h1 = Passwords.hash("correct horse battery");
    String h2 = Passwords.hash("correct horse battery");
    assertThat(h1).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(h1).isNotEqualTo(h2);
    assertThat(Passwords.verify("correct horse battery", h1)).isTrue();
    assertThat(Passwords.verify("correct horse battery", h2)).isTrue();
    assertThat(Passwords.verify("correct horse batterY", h1)).isFalse();
  }

  @Test
  void hash_unicodePasswordIsHashedAsUtf8() {
    String pw = "Ловћен-Šćepan-🔑";
    String h = Passwords.hash(pw);
    assertThat(Passwords.verify(pw, h)).isTrue();
    assertThat(Passwords.verify("Ловћен-Scepan-🔑", h)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "argon2id", "$argon2id$", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$",
      "x$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=-256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=x,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1,k=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256;t=2;p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1$!!!!$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$n",
      "password"})
  void verify_malformedPhcString_isFalse(String phc) {
    assertThat(Passwords.verify("password", phc)).isFalse();
  }

  @Test
  void verify_nullArguments_areFalse() {
    assertThat(Passwords.verify("password", null)).isFalse();
    assertThat(Passwords.verify(null, Passwords.hash("correct horse battery"))).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL|password must have at least 12 characters",
      "''|password must have at least 12 characters",
      "elevenchars|password must have at least 12 characters",
      "aaaaaaaaaaaaaaaaaaaa|password must use at least 4 different characters",
      "abcabcabcabc|password must use at least 4 different characters",
      "abcdabcdabcd|NULL",
      "correct horse battery|NULL"})
  void weakness_policy(String password, String reason) {
    assertThat(Passwords.weakness(password)).isEqualTo(reason);
  }
}
