package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.LovcenException;
import org.lovcen.server.syslog.SyslogServer;

/**
 * HTTPS served by the server itself ({@code listen.tls_keystore}) and the TLS policy it shares with
 * syslog over TLS (ASVS 9.1; docs/SECURITY.md): a real TLS client against a self-signed
 * certificate made in the test. Old protocol versions and weak suites are offered with hand-made
 * ClientHello records, because the JDK's own client refuses to send them: the server must answer
 * them with an alert, and the same record with TLS 1.2 and a modern suite with a ServerHello (so a
 * refusal is the policy's, not a broken probe's).
 */
class ServeTlsTest {
  private static final int TLS10 = 0x0301;
  private static final int TLS11 = 0x0302;
  private static final int TLS12 = 0x0303;
  private static final int ECDHE_ECDSA_AES128_GCM_SHA256 = 0xC02B;
  private static final int ECDHE_ECDSA_AES128_CBC_SHA = 0xC009;
  private static final int ECDHE_ECDSA_AES128_CBC_SHA256 = 0xC023;
  private static final int ECDHE_RSA_AES128_CBC_SHA = 0xC013;

  @TempDir Path dir;

  private Map<String, String> tlsEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("LOVCEN_LISTEN_TLS_KEYSTORE", TestTls.keystore(dir).toString());
    env.put("LOVCEN_LISTEN_TLS_PASSWORD", TestTls.PASSWORD);
    return env;
  }

  @Test
  void https_servesTheApiWithHsts_secureCookies_andPlainHttpOnTheTlsPortIsNotServed() throws Exception {
    try (TestServer s = TestServer.start("sqlite", dir, tlsEnv())) {
      assertThat(s.url).startsWith("https://");
      assertThat(s.server.url()).startsWith("https://127.0.0.1:");
      TestServer.Response health = s.get("/healthz", null);
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
      String admin = s.admin();
      TestServer.Response missing = s.get("/api/v1/no-such-route", admin);
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.header("Strict-Transport-Security")).as("errors too").isEqualTo("max-age=31536000");
      assertThat(missing.header("X-Frame-Options")).isEqualTo("DENY");

      TestServer.Response login = s.postJson("/api/v1/auth/login", null,
          Map.of("name", "admin", "password", TestServer.ADMIN_PASSWORD, "cookie", true));
      assertThat(login.status()).isEqualTo(200);
      assertThat(login.headers().get("set-cookie")).hasSize(2)
          .allSatisfy(c -> assertThat(c).contains("; Secure").contains("SameSite=Strict"));

      // the negotiated protocol is TLS 1.3, and a client limited to TLS 1.2 gets an AEAD suite
      SSLContext client = TestTls.trusting(Path.of(s.server.config().listen().tlsKeystore()));
      assertThat(handshake(client, s.server.port(), null, null)).containsExactly("TLSv1.3", "TLS_AES_128_GCM_SHA256");
      assertThat(handshake(client, s.server.port(), "TLSv1.2", null))
          .containsExactly("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
      assertThatThrownBy(() -> handshake(client, s.server.port(), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"))
          .as("a CBC suite the JDK would still accept is not in the policy").isInstanceOf(SSLHandshakeException.class);

      // plain HTTP on the TLS port: no HTTP answer at all (a TLS alert, or the connection closed)
      try (Socket plain = new Socket("127.0.0.1", s.server.port())) {
        plain.setSoTimeout(10_000);
        plain.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));
        byte[] answer = plain.getInputStream().readNBytes(5);
        assertThat(new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotStartWith("HTTP");
      }
    }
  }

  @Test
  void tlsPolicy_refusesTls10And11AndWeakSuites_onHttpsAndSyslogAlike() throws Exception {
    Map<String, String> env = tlsEnv();
    env.put("LOVCEN_SYSLOG_TLS_PORT", "0");
    env.put("LOVCEN_SYSLOG_HOST", "127.0.0.1");
    env.put("LOVCEN_SYSLOG_TLS_KEYSTORE", env.get("LOVCEN_LISTEN_TLS_KEYSTORE"));
    env.put("LOVCEN_SYSLOG_TLS_PASSWORD", TestTls.PASSWORD);
    try (TestServer s = TestServer.start("sqlite", dir, env)) {
      for (int port : List.of(s.server.port(), s.server.syslog().port(SyslogServer.Listener.TLS))) {
        assertThat(serverAnswer(port, TLS12, ECDHE_ECDSA_AES128_GCM_SHA256)).as("TLS 1.2, modern suite: the probe works")
            .isEqualTo(Answer.SERVER_HELLO);
        assertThat(serverAnswer(port, TLS10, ECDHE_ECDSA_AES128_CBC_SHA, ECDHE_RSA_AES128_CBC_SHA)).as("TLS 1.0")
            .isEqualTo(Answer.REFUSED);
        assertThat(serverAnswer(port, TLS11, ECDHE_ECDSA_AES128_CBC_SHA, ECDHE_RSA_AES128_CBC_SHA)).as("TLS 1.1")
            .isEqualTo(Answer.REFUSED);
        assertThat(serverAnswer(port, TLS12, ECDHE_ECDSA_AES128_CBC_SHA, ECDHE_ECDSA_AES128_CBC_SHA256))
            .as("TLS 1.2 with CBC suites only").isEqualTo(Answer.REFUSED);
      }
    }
  }

  @Test
  void redirectPort_sendsReadsToHttps_andRefusesEverythingElseUnprocessed() throws Exception {
    Map<String, String> env = tlsEnv();
    env.put("LOVCEN_LISTEN_REDIRECT_PORT", "0");
    try (TestServer s = TestServer.start("sqlite", dir, env)) {
      String ingest = s.institution(s.admin(), "mf");
      int redirect = s.server.redirectPort();
      assertThat(redirect).isPositive().isNotEqualTo(s.server.port());
      HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
      HttpResponse<String> get = plain.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + redirect + "/ui/?page=alerts")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(308);
      assertThat(get.headers().firstValue("Location")).hasValue(
          "https://127.0.0.1:" + s.server.port() + "/ui/?page=alerts");
      assertThat(get.headers().firstValue("Strict-Transport-Security")).as("HSTS only over TLS").isEmpty();

      HttpResponse<String> post = plain.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + redirect + "/api/v1/ingest/events"))
          .header("Authorization", "Bearer " + ingest).header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"over plain http\"}\n")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(403);
      assertThat(post.body()).contains("https-required");
      assertThat(s.server.storedEvents()).as("nothing sent in clear was stored").isZero();
      assertThat(s.ingest(ingest, "{\"message\":\"over https\"}\n").status()).isEqualTo(200);
      assertThat(s.server.storedEvents()).isEqualTo(1);
    }
  }

  @Test
  void badTlsConfiguration_stopsTheStart_namingTheKeyNotThePassword() throws Exception {
    Map<String, String> env = tlsEnv();
    env.put("LOVCEN_LISTEN_TLS_PASSWORD", "not-the-password");
    assertThatThrownBy(() -> TestServer.start("sqlite", dir, env)).isInstanceOf(LovcenException.class)
        .hasMessageContaining("listen.tls_keystore").hasMessageContaining("wrong password")
        .hasMessageNotContaining("not-the-password");
    env.put("LOVCEN_LISTEN_TLS_KEYSTORE", dir.resolve("missing.p12").toString());
    assertThatThrownBy(() -> TestServer.start("sqlite", dir, env)).isInstanceOf(LovcenException.class)
        .hasMessageContaining("listen.tls_keystore").hasMessageContaining("missing.p12: no such file");
    Path notAStore = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n");
    env.put("LOVCEN_LISTEN_TLS_KEYSTORE", notAStore.toString());
    assertThatThrownBy(() -> TestServer.start("sqlite", dir, env)).isInstanceOf(LovcenException.class)
        .hasMessageContaining("listen.tls_keystore " + notAStore);
    assertThatThrownBy(() -> TestServer.start("sqlite", dir, Map.of("LOVCEN_LISTEN_REDIRECT_PORT", "0")))
        .isInstanceOf(LovcenException.class).hasMessageContaining("listen.redirect_port")
        .hasMessageContaining("listen.tls_keystore");
  }

  /** Handshakes as the JDK client does (optionally limited to one protocol and suite); returns protocol and suite. */
  private static List<String> handshake(SSLContext client, int port, String protocol, String suite) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      SSLParameters p = socket.getSSLParameters();
      if (protocol != null) {
        p.setProtocols(new String[] {protocol});
      }
      if (suite != null) {
        p.setCipherSuites(new String[] {suite});
      }
      socket.setSSLParameters(p);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return List.of(socket.getSession().getProtocol(), socket.getSession().getCipherSuite());
    }
  }

  private enum Answer { SERVER_HELLO, REFUSED, OTHER }

  /**
   * Sends a ClientHello of {@code version} offering {@code suites} (with the extensions an ECDSA
   * server needs: groups P-256 and X25519, uncompressed points, ECDSA and RSA signatures) and
   * reads the first record of the answer: a handshake record starting a ServerHello, or an alert
   * (or the connection closed) for a refusal.
   */
  private static Answer serverAnswer(int port, int version, int... suites) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(clientHello(version, suites));
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      int type = in.read();
      if (type == -1 || type == 21) {
        return Answer.REFUSED;
      }
      in.readUnsignedShort(); // record version
      in.readUnsignedShort(); // length
      return type == 22 && in.read() == 2 ? Answer.SERVER_HELLO : Answer.OTHER;
    } catch (java.net.SocketException e) {
      return Answer.REFUSED; // reset by the server
    }
  }

  private static byte[] clientHello(int version, int... suites) {
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    extension(ext, 0x000a, new byte[] {0, 4, 0, 0x17, 0, 0x1d}); // supported groups: secp256r1, x25519
    extension(ext, 0x000b, new byte[] {1, 0}); // EC point formats: uncompressed
    extension(ext, 0x000d, new byte[] {0, 6, 4, 3, 8, 4, 4, 1}); // signatures: ecdsa_p256_sha256, rsa_pss, rsa_sha256
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    u16(body, version);
    body.writeBytes(new byte[32]); // random
    body.write(0); // no session id
    u16(body, suites.length * 2);
    for (int s : suites) {
      u16(body, s);
    }
    body.write(1); // one compression method: none
    body.write(0);
    u16(body, ext.size());
    body.writeBytes(ext.toByteArray());
    ByteArrayOutputStream hs = new ByteArrayOutputStream();
    hs.write(1); // ClientHello
    hs.write(0);
    u16(hs, body.size());
    hs.writeBytes(body.toByteArray());
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(22); // handshake
    u16(record, TLS10);
    u16(record, hs.size());
    record.writeBytes(hs.toByteArray());
    return record.toByteArray();
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    u16(out, type);
    u16(out, data.length);
    out.writeBytes(data);
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v & 0xff);
  }
}
