package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.store.TestDatabases;

/*
 * How and why: notifications go to real receivers on loopback: an HTTP server standing for the
 * CERT's generic webhook, a Mattermost and a Slack channel, and a small SMTP server that speaks
 * the commands a relay answers. Routing is per institution: the national webhook and mailbox get
 * everything, each institution's channel its own incidents and, of a campaign, its own hosts.
 */
class NotificationTest {
  @TempDir Path dir;
  private HttpServer http;
  private final Map<String, List<String>> posted = new ConcurrentHashMap<>();
  private ServerSocket smtp;
  private final List<String> mails = new CopyOnWriteArrayList<>();
  private Thread smtpThread;

  @BeforeEach
  void receivers() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      posted.computeIfAbsent(ex.getRequestURI().getPath(), k -> new CopyOnWriteArrayList<>()).add(body);
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    http.start();
    smtp = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
    smtpThread = new Thread(this::serveSmtp, "test-smtp");
    smtpThread.setDaemon(true);
    smtpThread.start();
  }

  @AfterEach
  void stop() throws IOException {
    http.stop(0);
    smtp.close();
  }

  /** One SMTP session after the other: 220, 250 to each command, 354 to DATA, the message kept. */
  private void serveSmtp() {
    while (!smtp.isClosed()) {
      try (Socket s = smtp.accept()) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        out.write("220 test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
          if (line.equals("DATA")) {
            out.write("354 go on\r\n".getBytes(StandardCharsets.US_ASCII));
            StringBuilder m = new StringBuilder();
            while (!(line = in.readLine()).equals(".")) {
              m.append(line).append('\n');
            }
            mails.add(m.toString());
            out.write("250 queued\r\n".getBytes(StandardCharsets.US_ASCII));
          } else if (line.equals("QUIT")) {
            out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
            break;
          } else {
            out.write("250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private TestServer server() {
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl("sqlite", dir, url);
    String base = "http://127.0.0.1:" + http.getAddress().getPort();
    String yaml = """
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
        """.formatted(smtp.getLocalPort(), base, base, base);
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
}
