package org.lovcen.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.lovcen.core.LovcenException;

/*
 * How and why: the server's two TLS listeners (HTTPS and syslog over TLS) share one policy, so
 * that hardening one cannot leave the other behind. Only TLS 1.3 and 1.2 are offered (ASVS 9.1.2,
 * 9.1.3), and of TLS 1.2 only the suites with forward secrecy and authenticated encryption
 * (ECDHE with AES-GCM or ChaCha20-Poly1305): the "intermediate" profile of Mozilla's server-side
 * TLS guidance without the finite-field DHE suites, which every client of a CERT's server in use
 * today does without. The policy is applied explicitly rather than left to the JDK's defaults
 * (which still enable CBC suites, and TLS 1.0 where an administrator re-enabled it in
 * java.security), so the tests can hold the server to it.
 */
/** The TLS policy and key material of the server's listeners (and its own TLS clients). Stateless. */
public final class Tls {
  /** The protocols the listeners speak, newest first. */
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** The cipher suites the listeners accept, in the server's order of preference. */
  static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** How long browsers keep to HTTPS after seeing the server over TLS (Strict-Transport-Security): a year. */
  static final long HSTS_SECONDS = 365L * 24 * 3600;

  private Tls() {}

  /**
   * The server's TLS context from a PKCS#12 key store with its key and certificate chain.
   *
   * @param key the configuration key naming the file, for messages ({@code listen.tls_keystore})
   * @throws LovcenException naming the key and the file when it is missing, unreadable, of another
   *     format, or the password does not open it
   */
  static SSLContext context(String keystore, String password, String key) {
    char[] pw = password == null ? new char[0] : password.toCharArray();
    try (InputStream in = Files.newInputStream(Path.of(keystore))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, pw);
      if (!hasKey(ks)) {
        throw new LovcenException(key + " " + keystore + ": no private key in the key store (it needs the server's "
            + "key and certificate, e.g. openssl pkcs12 -export -in fullchain.pem -inkey privkey.pem)");
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (NoSuchFileException e) {
      throw new LovcenException(key + " " + keystore + ": no such file");
    } catch (IOException | GeneralSecurityException e) {
      String why = e.getCause() instanceof java.security.UnrecoverableKeyException
          || String.valueOf(e.getMessage()).contains("password") ? "wrong password or not a PKCS#12 file"
          : e.getMessage();
      throw new LovcenException(key + " " + keystore + ": cannot read the key store: " + why);
    }
  }

  private static boolean hasKey(KeyStore ks) throws GeneralSecurityException {
    for (String alias : java.util.Collections.list(ks.aliases())) {
      if (ks.isKeyEntry(alias)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parameters of a connection the server opens itself (the SMTP relay): the policy's protocols,
   * the JDK's cipher suites (a client meets older servers), and the peer's name checked against
   * its certificate, as HTTPS does.
   */
  public static SSLParameters client(SSLContext ctx) {
    SSLParameters p = ctx.getDefaultSSLParameters();
    p.setProtocols(supported(PROTOCOLS, ctx.getSupportedSSLParameters().getProtocols()));
    p.setEndpointIdentificationAlgorithm("HTTPS");
    return p;
  }

  /** The policy's protocols and cipher suites, as far as {@code ctx} supports them. */
  static SSLParameters parameters(SSLContext ctx) {
    SSLParameters p = ctx.getDefaultSSLParameters();
    p.setProtocols(supported(PROTOCOLS, ctx.getSupportedSSLParameters().getProtocols()));
    p.setCipherSuites(supported(CIPHER_SUITES, ctx.getSupportedSSLParameters().getCipherSuites()));
    p.setUseCipherSuitesOrder(true);
    return p;
  }

  private static String[] supported(List<String> wanted, String[] available) {
    Set<String> have = Set.copyOf(Arrays.asList(available));
    return wanted.stream().filter(have::contains).toArray(String[]::new);
  }
}
