package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.server.syslog.SyslogServer;

/** Syslog into the server: institutions by sender address or token, stored and searchable, garbage counted. */
class SyslogIngestTest {
  @TempDir Path dir;

  private static final Map<String, String> LISTENERS = Map.of("LOVCEN_SYSLOG_HOST", "127.0.0.1",
      "LOVCEN_SYSLOG_TCP_PORT", "0", "LOVCEN_SYSLOG_UDP_PORT", "0");

  private static int total(TestServer s, String token, String query) {
    return s.get("/api/v1/events?" + query, token).json().get("total").asInt();
  }

  private static void awaitEvents(TestServer s, String admin, String query, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (total(s, admin, query) < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void tcpAndUdp_storeMessagesUnderTheSendersInstitution(String kind) throws Exception {
    try (TestServer s = TestServer.start(kind, dir, LISTENERS)) {
      String admin = s.admin();
      s.postJson("/api/v1/institutions", admin, Map.of("id", "rtcg", "name", "Public broadcaster",
          "syslog_sources", "127.0.0.0/8"));
      String tokenB = s.institution(admin, "mup");
      SyslogServer sys = s.server.syslog();
      try (Socket tcp = new Socket("127.0.0.1", sys.port(SyslogServer.Listener.TCP))) {
        OutputStream out = tcp.getOutputStream();
        out.write(("<38>Jan 21 10:12:15 web01 sshd[4242]: Failed password for invalid user admin from "
            + "203.0.113.9 port 51234 ssh2\n").getBytes(StandardCharsets.UTF_8));
        String rfc5424 = "<34>1 2024-01-21T10:12:16Z mail01 postfix 77 - [lovcen@32473 token=\"" + tokenB
            + "\"] relay denied";
        out.write((rfc5424.length() + " " + rfc5424).getBytes(StandardCharsets.UTF_8));
        out.write("\u0000\u0001\u0002\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      try (DatagramSocket udp = new DatagramSocket()) {
        byte[] m = "<13>Jan 21 10:12:17 fw01 kernel: DROP IN=eth0 SRC=198.51.100.7".getBytes(StandardCharsets.UTF_8);
        udp.send(new DatagramPacket(m, m.length, InetAddress.getLoopbackAddress(),
            sys.port(SyslogServer.Listener.UDP)));
      }
      awaitEvents(s, admin, "institution=rtcg", 2);
      awaitEvents(s, admin, "institution=mup", 1);

      var rtcg = s.get("/api/v1/events?institution=rtcg", admin).json();
      assertThat(rtcg.get("total").asInt()).isEqualTo(2);
      assertThat(rtcg.findValuesAsText("host")).containsExactlyInAnyOrder("web01", "fw01");
      var sshd = s.get("/api/v1/events?institution=rtcg&host=web01", admin).json().get("items").get(0);
      assertThat(sshd.get("provider").asText()).isEqualTo("sshd");
      assertThat(sshd.get("fields").get("message").asText()).startsWith("Failed password for invalid user admin");

      var mup = s.get("/api/v1/events?institution=mup", admin).json();
      assertThat(mup.get("total").asInt()).isEqualTo(1);
      assertThat(mup.get("items").get(0).get("host").asText()).isEqualTo("mail01");
      assertThat(mup.toString()).doesNotContain(tokenB);

      assertThat(sys.counts(SyslogServer.Listener.TCP).rejected()).isEqualTo(1);
      assertThat(s.get("/metrics", null).body()).contains("lovcen_ingest_rejected_total{reason=\"message\",transport=\"syslog-tcp\"} 1.0");
      assertThat(s.get("/healthz", null).status()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void unknownSender_isRejectedAndNothingStored(String kind) throws Exception {
    try (TestServer s = TestServer.start(kind, dir, LISTENERS)) {
      String admin = s.admin();
      s.institution(admin, "mf");
      SyslogServer sys = s.server.syslog();
      try (Socket tcp = new Socket("127.0.0.1", sys.port(SyslogServer.Listener.TCP))) {
        tcp.getOutputStream().write("<38>Jan 21 10:12:15 web01 sshd[1]: hello\n".getBytes(StandardCharsets.UTF_8));
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (sys.counts(SyslogServer.Listener.TCP).rejected() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(sys.counts(SyslogServer.Listener.TCP).rejected()).isEqualTo(1);
      assertThat(total(s, admin, "")).isZero();
    }
  }
}
