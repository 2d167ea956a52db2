package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.LovcenException;
import org.lovcen.store.TestDatabases;

/*
 * How and why: notifications go to real receivers on loopback: an HTTP server standing for the
 * CERT's generic webhook, a Mattermost and a Slack channel (and receivers that fail their first
 * posts, or every post), and a small SMTP server that speaks the commands a relay answers:
 * EHLO with its extensions, STARTTLS with a certificate made in the test, AUTH PLAIN and LOGIN,
 * and temporary failures. Routing is per institution: the national webhook and mailbox get
 * everything, each institution's channel its own incidents and, of a campaign, its own hosts.
 */
class NotificationTest {
  @TempDir Path dir;
  private HttpServer http;
  private final Map<String, List<String>> posted = new ConcurrentHashMap<>();
  private final Map<String, List<Long>> postedAt = new ConcurrentHashMap<>();
  /** Posts still to fail per path (503), or -1: every post fails. */
  private final Map<String, AtomicInteger> failing = new ConcurrentHashMap<>();
  private TestSmtp smtp;
  private final List<String> mails = new CopyOnWriteArrayList<>();

  @BeforeEach
  void receivers() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      posted.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>()).add(body);
      postedAt.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
      AtomicInteger fail = failing.get(path);
      boolean fails = fail != null && (fail.get() < 0 || fail.getAndUpdate(n -> Math.max(0, n - 1)) > 0);
      ex.sendResponseHeaders(fails ? 503 : 204, -1);
      ex.close();
    });
    http.start();
    smtp = new TestSmtp(mails);
  }

  @AfterEach
  void stop() throws IOException {
    http.stop(0);
    smtp.close();
  }

  /**
   * A relay on loopback: one session after the other. EHLO lists STARTTLS (when it has a
   * certificate) and, over TLS or when TLS is not required, AUTH with its mechanisms; AUTH PLAIN
   * and LOGIN check the credentials (535 otherwise); a session counted in {@code failSessions}
   * answers MAIL FROM with 451 (a temporary failure); messages are kept with how they came.
   */
  static final class TestSmtp implements AutoCloseable {
    final ServerSocket socket;
    final List<String> mails;
    volatile SSLContext tls;
    volatile String mechanisms = "";
    volatile String user;
    volatile String password;
    final AtomicInteger failSessions = new AtomicInteger();
    final AtomicInteger sessions = new AtomicInteger();
    final List<String> authenticated = new CopyOnWriteArrayList<>();
    private final Thread thread;

    TestSmtp(List<String> mails) throws IOException {
      this.mails = mails;
      this.socket = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
      this.thread = new Thread(this::serve, "test-smtp");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket s = socket.accept()) {
          s.setSoTimeout(20_000);
          session(s);
        } catch (IOException e) {
          if (socket.isClosed()) {
            return;
          }
        }
      }
    }

    private void session(Socket plain) throws IOException {
      sessions.incrementAndGet();
      boolean fail = failSessions.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      Socket s = plain;
      BufferedReader in = reader(s);
      OutputStream out = s.getOutputStream();
      boolean secure = false;
      String who = null;
      send(out, "220 test ESMTP");
      String line;
      while ((line = in.readLine()) != null) {
        String upper = line.toUpperCase(java.util.Locale.ROOT);
        if (upper.startsWith("EHLO")) {
          List<String> ext = new ArrayList<>(List.of("250-test", "250-8BITMIME"));
          if (tls != null && !secure) {
            ext.add("250-STARTTLS");
          }
          if (!mechanisms.isEmpty() && (secure || tls == null)) {
            ext.add("250-AUTH " + mechanisms);
          }
          ext.add("250 SIZE 1000000");
          send(out, String.join("\r\n", ext));
        } else if (upper.equals("STARTTLS") && tls != null) {
          send(out, "220 go ahead");
          SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), false);
          ssl.setUseClientMode(false);
          ssl.startHandshake();
          s = ssl;
          in = reader(s);
          out = s.getOutputStream();
          secure = true;
        } else if (upper.startsWith("AUTH PLAIN ")) {
          String[] parts = new String(java.util.Base64.getDecoder().decode(line.substring(11)), StandardCharsets.UTF_8)
              .split("\0", -1);
          who = check(out, "PLAIN", parts[1], parts[2], secure);
        } else if (upper.equals("AUTH LOGIN")) {
          send(out, "334 VXNlcm5hbWU6");
          String u = decode(in.readLine());
          send(out, "334 UGFzc3dvcmQ6");
          who = check(out, "LOGIN", u, decode(in.readLine()), secure);
        } else if (upper.startsWith("MAIL FROM")) {
          if (fail) {
            send(out, "451 4.3.0 try again later");
          } else if (user != null && who == null) {
            send(out, "530 5.7.0 authentication required");
          } else {
            send(out, "250 ok");
          }
        } else if (upper.equals("DATA")) {
          send(out, "354 go on");
          StringBuilder m = new StringBuilder(secure ? "[tls]\n" : "[plain]\n");
          while (!(line = in.readLine()).equals(".")) {
            m.append(line).append('\n');
          }
          mails.add(m.toString());
          send(out, "250 queued");
        } else if (upper.equals("QUIT")) {
          send(out, "221 bye");
          return;
        } else {
          send(out, "250 ok");
        }
      }
    }

    private String check(OutputStream out, String mechanism, String u, String p, boolean secure) throws IOException {
      if (u.equals(user) && p.equals(password)) {
        authenticated.add(mechanism + (secure ? " over tls" : " in clear"));
        send(out, "235 2.7.0 authenticated");
        return u;
      }
      send(out, "535 5.7.8 authentication failed");
      return null;
    }

    private static String decode(String b64) {
      return new String(java.util.Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    private static BufferedReader reader(Socket s) throws IOException {
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void send(OutputStream out, String reply) throws IOException {
      out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private TestServer server() {
    String base = "http://127.0.0.1:" + http.getAddress().getPort();
    return server("""
        notifications:
          min_level: high
          interval_seconds: 0
          smtp_host: 127.0.0.1
          smtp_port: %d
          smtp_from: lovcen@cert.example
          webhooks:
            - {name: cert, url: "%s/cert", format: json, institutions: []}
            - {name: mf-chat, url: "%s/mf", format: mattermost, institutions: [mf]}
            - {name: upc-chat, url: "%s/upc", format: slack, institutions: [upc]}
          email:
            - {to: [soc@cert.example], institutions: []}
        """.formatted(smtp.port(), base, base, base), null);
  }

  /** A server with the given configuration over a fresh SQLite database, or over {@code dbUrl} (a restart). */
  private TestServer server(String yaml, String dbUrl) {
    String[] url = {dbUrl};
    Runnable drop = dbUrl == null ? TestDatabases.freshUrl("sqlite", dir, url) : () -> { };
    Map<String, String> env = new HashMap<>();
    env.put("LOVCEN_DATABASE_URL", url[0]);
    env.put("LOVCEN_DATA", dir.resolve("data").toString());
    env.put("LOVCEN_LISTEN_PORT", "0");
    env.put("LOVCEN_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD);
    env.put("LOVCEN_CAMPAIGNS_INTERVAL_SECONDS", "0");
    env.put("LOVCEN_CASES_PLAYBOOKS", TestServer.root().resolve("playbooks").toString());
    return TestServer.wrap(LovcenServer.start(ServeConfig.parse(yaml, "test.yml", env), TestServer::rules), drop);
  }

  private List<String> at(String path) {
    return posted.getOrDefault(path, List.of());
  }

  @Test
  void criticalIncidentAndNewCampaign_reachEachRouteOnce_institutionsOnlyTheirPart() throws Exception {
    try (TestServer s = server()) {
      String admin = s.admin();
      String mf = s.institution(admin, "mf");
      String upc = s.institution(admin, "upc");
      s.ingest(mf, OpenApiContractTest.Events.sysmon("MF-WS01", "2022-08-22T10:00:00Z",
          "mimikatz.exe sekurlsa::logonpasswords"));
      s.awaitDetection();
      s.server.notifyIncidents();

      assertThat(at("/cert")).hasSize(1);
      JsonNode incident = TestServer.JSON.readTree(at("/cert").get(0));
      assertThat(incident.get("type").asText()).isEqualTo("incident");
      assertThat(incident.get("institution").asText()).isEqualTo("mf");
      assertThat(incident.get("host").asText()).isEqualTo("MF-WS01");
      assertThat(incident.get("level").asText()).isIn("high", "critical");
      assertThat(at("/mf")).singleElement().satisfies(b -> {
        JsonNode text = TestServer.JSON.readTree(b);
        assertThat(text.size()).as("Mattermost and Slack take {\"text\": ...}").isEqualTo(1);
        assertThat(text.get("text").asText()).startsWith("New ").contains("incident #").contains("MF-WS01");
      });
      assertThat(at("/upc")).as("another institution's channel").isEmpty();
      assertThat(mails).singleElement().satisfies(m -> assertThat(m).contains("To: soc@cert.example")
          .contains("Subject: [Lovcen] New ").contains("MF-WS01"));

      s.server.notifyIncidents(); // nothing new: each incident is notified once
      assertThat(at("/cert")).hasSize(1);
      assertThat(mails).hasSize(1);

      s.ingest(mf, OpenApiContractTest.Events.tools("MF-WS07"));
      s.ingest(upc, OpenApiContractTest.Events.tools("UPC-WS01"));
      s.awaitDetection();
      assertThat(s.server.linkCampaigns()).hasSize(1);
      List<JsonNode> campaigns = new ArrayList<>();
      for (String b : at("/cert")) {
        JsonNode j = TestServer.JSON.readTree(b);
        if (j.get("type").asText().equals("campaign")) {
          campaigns.add(j);
        }
      }
      assertThat(campaigns).singleElement().satisfies(c -> {
        assertThat(c.get("institutions").asInt()).isEqualTo(2);
        assertThat(c.get("patient_zero").get("institution").asText()).isIn("mf", "upc");
      });
      String mfCampaign = at("/mf").get(at("/mf").size() - 1);
      assertThat(mfCampaign).contains("New campaign #").contains("across 2 institutions").contains("MF-WS07")
          .doesNotContain("UPC-").doesNotContain("upc");
      String upcCampaign = at("/upc").get(at("/upc").size() - 1);
      assertThat(upcCampaign).contains("UPC-WS01").doesNotContain("MF-").doesNotContain("Patient zero");
      assertThat(mails).hasSize(2);
      assertThat(mails.get(1)).contains("New campaign #").contains("Patient zero");
      assertThat(s.server.linkCampaigns()).as("an existing campaign is not new again").isEmpty();
    }
  }

  private String webhooks(String... names) {
    String base = "http://127.0.0.1:" + http.getAddress().getPort();
    StringBuilder b = new StringBuilder("  webhooks:\n");
    for (String n : names) {
      b.append("    - {name: ").append(n).append(", url: \"").append(base).append('/').append(n)
          .append("\", format: json, institutions: []}\n");
    }
    return b.toString();
  }

  /** One incident of institution mf (a mimikatz run), detected; returns its id. */
  private static long incident(TestServer s, String admin) {
    String mf = s.institution(admin, "mf");
    s.ingest(mf, OpenApiContractTest.Events.sysmon("MF-WS01", "2022-08-22T10:00:00Z",
        "mimikatz.exe sekurlsa::logonpasswords"));
    s.awaitDetection();
    return s.get("/api/v1/incidents?institution=mf", admin).json().get("items").get(0).get("id").asLong();
  }

  /** The value of a per-route notification gauge in /metrics. */
  private static double gauge(TestServer s, String name, String route) {
    String prefix = name + "{route=\"" + route + "\"} ";
    return s.get("/metrics", null).body().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).trim())).findFirst().orElse(Double.NaN);
  }

  private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  /**
   * A receiver that fails its first two posts gets the third, one retry_seconds and then twice that
   * later; one that stays down gets the first try and every retry, then nothing more: the delivery
   * is given up, counted, and noted on the incident. The receiver that answered at once is not
   * sent anything again.
   */
  @Test
  void failingWebhooks_areRetriedWithBackoff_deliveredOnce_orGivenUpAndRecorded() throws Exception {
    failing.put("/flaky", new AtomicInteger(2));
    failing.put("/down", new AtomicInteger(-1));
    try (TestServer s = server("""
        notifications:
          min_level: high
          interval_seconds: 0
          retries: 2
          retry_seconds: 1
        """ + webhooks("cert", "flaky", "down"), null)) {
      String admin = s.admin();
      long id = incident(s, admin);
      s.server.notifyIncidents();
      assertThat(at("/cert")).hasSize(1);
      assertThat(at("/flaky")).hasSize(1);
      assertThat(gauge(s, "lovcen_notifications_retrying", "webhook:flaky")).isEqualTo(1);

      await("the third post to /flaky", () -> at("/flaky").size() == 3);
      await("the third post to /down", () -> at("/down").size() == 3);
      List<Long> t = postedAt.get("/flaky");
      assertThat(Duration.ofNanos(t.get(1) - t.get(0))).as("first retry after retry_seconds")
          .isGreaterThanOrEqualTo(Duration.ofMillis(900));
      assertThat(Duration.ofNanos(t.get(2) - t.get(1))).as("then twice that").isGreaterThanOrEqualTo(Duration.ofMillis(1900));
      await("the delivery given up", () -> gauge(s, "lovcen_notifications_failed", "webhook:down") == 1);
      Thread.sleep(2500); // past the next retry time: a given-up delivery is not tried again
      assertThat(at("/down")).as("one try and two retries").hasSize(3);
      assertThat(at("/flaky")).hasSize(3);
      assertThat(at("/cert")).as("nothing twice").hasSize(1);
      assertThat(at("/flaky").get(2)).isEqualTo(at("/cert").get(0));
      assertThat(gauge(s, "lovcen_notifications_sent", "webhook:flaky")).isEqualTo(1);
      assertThat(gauge(s, "lovcen_notifications_failed", "webhook:flaky")).isEqualTo(0);
      assertThat(gauge(s, "lovcen_notifications_retrying", "webhook:flaky")).isEqualTo(0);
      assertThat(gauge(s, "lovcen_notifications_sent", "webhook:cert")).isEqualTo(1);
      JsonNode notes = s.get("/api/v1/incidents/" + id + "/notes", admin).json();
      assertThat(notes.toString()).contains("Notification failed: webhook:down")
          .contains("after 3 attempts").contains("answered 503").doesNotContain("webhook:flaky");
      s.server.notifyIncidents();
      assertThat(at("/cert")).hasSize(1);
    }
  }

  /**
   * A retry still waiting when the server stops is tried again after the restart, on that route
   * only: the routes that were sent it are not sent it again, and once all are settled the incident
   * is not notified again after another restart.
   */
  @Test
  void restartWhileARetryWaits_sendsOnlyToTheRouteStillPending() throws Exception {
    failing.put("/flaky", new AtomicInteger(-1));
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl("sqlite", dir, url);
    String yaml = """
        notifications:
          min_level: high
          interval_seconds: 0
          retries: 3
          retry_seconds: 600
        """ + webhooks("cert", "flaky");
    try {
      try (TestServer s = server(yaml, url[0])) {
        incident(s, s.admin());
        s.server.notifyIncidents();
        assertThat(at("/cert")).hasSize(1);
        assertThat(at("/flaky")).hasSize(1);
      }
      failing.remove("/flaky");
      try (TestServer s = server(yaml, url[0])) {
        s.server.notifyIncidents();
        assertThat(at("/flaky")).as("the pending route, again").hasSize(2);
        assertThat(at("/cert")).as("not the route that had it").hasSize(1);
      }
      try (TestServer s = server(yaml, url[0])) {
        s.server.notifyIncidents();
        assertThat(at("/flaky")).hasSize(2);
        assertThat(at("/cert")).hasSize(1);
      }
    } finally {
      drop.run();
    }
  }

  /**
   * E-mail through a relay that requires STARTTLS and AUTH: PLAIN when offered, else LOGIN, the
   * relay's certificate (made in the test) trusted through notifications.smtp_ca; a relay that
   * fails the first session (451) gets the message on the retry, once; a wrong password is retried
   * and given up, and no log line carries the password.
   */
  @Test
  void smtp_startTlsAndAuthPlainOrLogin_retriedAfterATemporaryFailure_passwordNeverLogged() throws Exception {
    Path keystore = TestTls.keystore(dir);
    smtp.tls = TestTls.serverContext(keystore);
    smtp.user = "lovcen-notify";
    smtp.password = "relay-secret-4711";
    smtp.mechanisms = "PLAIN LOGIN";
    smtp.failSessions.set(1);
    Path ca = TestTls.pem(keystore, dir.resolve("relay-ca.pem"));
    List<String> logged = new CopyOnWriteArrayList<>();
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("lovcen.notifications");
    java.util.logging.Handler h = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        logged.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(h);
    String yaml = """
        notifications:
          min_level: high
          interval_seconds: 0
          retries: 2
          retry_seconds: 1
          smtp_host: 127.0.0.1
          smtp_port: %d
          smtp_from: lovcen@cert.example
          smtp_tls: starttls
          smtp_user: lovcen-notify
          smtp_password: %s
          smtp_ca: %s
          email:
            - {to: [soc@cert.example], institutions: []}
        """;
    try (TestServer s = server(yaml.formatted(smtp.port(), "relay-secret-4711", ca), null)) {
      String admin = s.admin();
      incident(s, admin);
      s.server.notifyIncidents();
      assertThat(mails).as("the first session failed (451)").isEmpty();
      await("the retry", () -> mails.size() == 1);
      assertThat(mails.get(0)).startsWith("[tls]").contains("To: soc@cert.example").contains("MF-WS01");
      assertThat(smtp.authenticated).as("both sessions").containsExactly("PLAIN over tls", "PLAIN over tls");
      Thread.sleep(1500);
      assertThat(mails).as("delivered once").hasSize(1);
      assertThat(gauge(s, "lovcen_notifications_sent", "email:soc@cert.example")).isEqualTo(1);
    }

    mails.clear();
    smtp.mechanisms = "LOGIN";
    try (TestServer s = server(yaml.formatted(smtp.port(), "relay-secret-4711", ca), null)) {
      incident(s, s.admin());
      s.server.notifyIncidents();
      assertThat(mails).singleElement().asString().startsWith("[tls]");
      assertThat(smtp.authenticated).containsExactly("PLAIN over tls", "PLAIN over tls", "LOGIN over tls");
    }

    mails.clear();
    try (TestServer s = server(yaml.formatted(smtp.port(), "wrong-secret-0815", ca), null)) {
      long id = incident(s, s.admin());
      s.server.notifyIncidents();
      await("given up", () -> gauge(s, "lovcen_notifications_failed", "email:soc@cert.example") == 1);
      assertThat(mails).isEmpty();
      assertThat(s.get("/api/v1/incidents/" + id + "/notes", s.admin()).body()).contains("AUTH LOGIN")
          .contains("535").doesNotContain("wrong-secret");
    } finally {
      jul.removeHandler(h);
    }
    assertThat(logged).isNotEmpty().noneMatch(l -> l.contains("relay-secret") || l.contains("wrong-secret"));
  }

  /** The relay's certificate is checked: without smtp_ca the test certificate is not trusted, and nothing is sent. */
  @Test
  void smtp_untrustedCertificate_isNotSentTo_andAuthWithoutTlsStopsTheStart() throws Exception {
    smtp.tls = TestTls.serverContext(TestTls.keystore(dir));
    try (TestServer s = server("""
        notifications:
          min_level: high
          interval_seconds: 0
          retries: 0
          smtp_host: 127.0.0.1
          smtp_port: %d
          smtp_tls: starttls
          email:
            - {to: [soc@cert.example], institutions: []}
        """.formatted(smtp.port()), null)) {
      String admin = s.admin();
      long id = incident(s, admin);
      s.server.notifyIncidents();
      assertThat(mails).isEmpty();
      assertThat(smtp.sessions.get()).as("the relay was reached").isEqualTo(1);
      assertThat(gauge(s, "lovcen_notifications_failed", "email:soc@cert.example")).isEqualTo(1);
      assertThat(s.get("/api/v1/incidents/" + id + "/notes", admin).body()).contains("after 1 attempts")
          .containsIgnoringCase("certification path");
    }
    assertThatThrownBy(() -> server("""
        notifications:
          smtp_host: 127.0.0.1
          smtp_user: someone
          smtp_password: secret-in-clear
        """, null)).isInstanceOf(LovcenException.class).hasMessageContaining("notifications.smtp_user")
        .hasMessageContaining("smtp_tls").hasMessageNotContaining("secret-in-clear");
  }
}
