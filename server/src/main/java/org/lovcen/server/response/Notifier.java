package org.lovcen.server.response;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.lovcen.core.Level;
import org.lovcen.core.Timestamps;
import org.lovcen.server.ServeConfig;
import org.lovcen.store.CampaignStore;
import org.lovcen.store.Database;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Scope;
import org.lovcen.store.Settings;

/*
 * How and why: notifications follow the store, not the detection path: each run looks for
 * incidents at or above notifications.min_level that changed since the last run and were never
 * notified (an incident that grows critical later is notified then), and is handed the campaigns
 * the linker just created. What was sent is recorded in the cursors table (one row per incident),
 * so a restart does not notify again. Routing is per institution: a route that names institutions
 * gets their incidents, and of a campaign only the part about them (their hosts; the other
 * institutions are counted, never named); a route without institutions is the national CERT's and
 * gets everything. A failed delivery is counted and logged, not retried.
 */
/** Sends webhooks and e-mail for new critical incidents and new campaigns. Thread-safe (runs serialised). */
public final class Notifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SENT = "notified-incident:";
  private static final System.Logger LOG = System.getLogger("lovcen.notifications");

  private final ServeConfig.Notifications config;
  private final IncidentStore incidents;
  private final CampaignStore campaigns;
  private final Settings settings;
  private final Database db;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private long since;

  public Notifier(Database db, ServeConfig.Notifications config) {
    this.db = db;
    this.config = config;
    this.incidents = new IncidentStore(db);
    this.campaigns = new CampaignStore(db);
    this.settings = new Settings(db);
    this.since = System.currentTimeMillis() * 1000 - 3_600_000_000L;
    for (ServeConfig.Webhook w : config.webhooks()) {
      if (w.url() == null || !(w.url().startsWith("http://") || w.url().startsWith("https://"))) {
        throw new org.lovcen.core.LovcenException("notifications.webhooks: '" + w.name() + "' needs an http(s) url");
      }
      if (w.format() != null && !List.of("json", "slack", "mattermost").contains(w.format().toLowerCase(Locale.ROOT))) {
        throw new org.lovcen.core.LovcenException("notifications.webhooks: '" + w.name() + "': format '" + w.format()
            + "' is not json, slack or mattermost");
      }
    }
    for (ServeConfig.Email e : config.email()) {
      if (e.to() == null || e.to().isEmpty()) {
        throw new org.lovcen.core.LovcenException("notifications.email: a route needs 'to' addresses");
      }
    }
  }

  /** Whether any route is configured. */
  public boolean enabled() {
    return !config.webhooks().isEmpty() || !config.email().isEmpty();
  }

  /** Messages delivered and failed since start. */
  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Notifies incidents that became notifiable since the last run. */
  public synchronized void incidents() {
    if (!enabled()) {
      return;
    }
    long now = System.currentTimeMillis() * 1000;
    List<IncidentRow> due = incidents.unnotified(Level.parse(config.minLevel()).ordinal(), since - 60_000_000L, SENT,
        500);
    for (IncidentRow r : due) {
      deliver("incident", r.institution(), incidentText(r), incidentJson(r));
      db.jdbi().useTransaction(h -> settings.setCursor(h, SENT + r.id(), now));
    }
    since = now;
  }

  /** Notifies campaigns the linker created. */
  public synchronized void campaigns(List<Long> created) {
    if (!enabled()) {
      return;
    }
    for (long id : created) {
      CampaignStore.Campaign c = campaigns.get(Scope.NATIONAL, id);
      if (c == null) {
        continue;
      }
      List<CampaignStore.Host> hosts = campaigns.hosts(Scope.NATIONAL, id);
      for (ServeConfig.Webhook w : config.webhooks()) {
        List<CampaignStore.Host> part = part(hosts, w.institutions());
        if (!part.isEmpty()) {
          webhook(w, campaignText(c, part, w.institutions()), campaignJson(c, part, w.institutions()));
        }
      }
      for (ServeConfig.Email e : config.email()) {
        List<CampaignStore.Host> part = part(hosts, e.institutions());
        if (!part.isEmpty()) {
          mail(e, "[Lovcen] " + c.title(), campaignText(c, part, e.institutions()));
        }
      }
    }
  }

  private static List<CampaignStore.Host> part(List<CampaignStore.Host> hosts, List<String> institutions) {
    return institutions.isEmpty() ? hosts : hosts.stream().filter(h -> institutions.contains(h.institution())).toList();
  }

  private void deliver(String type, String institution, String text, Map<String, Object> json) {
    for (ServeConfig.Webhook w : config.webhooks()) {
      if (w.institutions().isEmpty() || w.institutions().contains(institution)) {
        webhook(w, text, json);
      }
    }
    for (ServeConfig.Email e : config.email()) {
      if (e.institutions().isEmpty() || e.institutions().contains(institution)) {
        mail(e, "[Lovcen] " + text.lines().findFirst().orElse(type), text);
      }
    }
  }

  private void webhook(ServeConfig.Webhook w, String text, Map<String, Object> json) {
    String format = w.format() == null ? "json" : w.format().toLowerCase(Locale.ROOT);
    try {
      String body = JSON.writeValueAsString(format.equals("json") ? json : Map.of("text", text));
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(w.url())).timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/json").header("User-Agent", "Lovcen")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 != 2) {
        throw new IOException("answered " + r.statusCode());
      }
      sent.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      failed.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "webhook " + w.name() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void mail(ServeConfig.Email e, String subject, String text) {
    try {
      Smtp.send(config.smtpHost(), config.smtpPort(), config.smtpFrom(), e.to(), subject, text);
      sent.incrementAndGet();
    } catch (IOException | RuntimeException ex) {
      failed.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "e-mail to " + e.to() + ": " + ex.getMessage());
    }
  }

  // ---- messages ----

  static String incidentText(IncidentRow r) {
    return "New " + r.level() + " incident #" + r.id() + " at " + r.institution() + ": " + r.title() + "\n"
        + "Host " + r.host() + ", first " + Timestamps.format(r.firstTs()) + ", last " + Timestamps.format(r.lastTs())
        + ", " + r.alertCount() + " alerts" + (r.techniques().isEmpty() ? "" : ", ATT&CK " + String.join(" ",
            r.techniques()));
  }

  static Map<String, Object> incidentJson(IncidentRow r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "incident");
    m.put("id", r.id());
    m.put("title", r.title());
    m.put("level", r.level());
    m.put("institution", r.institution());
    m.put("host", r.host());
    m.put("first", Timestamps.format(r.firstTs()));
    m.put("last", Timestamps.format(r.lastTs()));
    m.put("alerts", r.alertCount());
    m.put("techniques", r.techniques());
    return m;
  }

  static String campaignText(CampaignStore.Campaign c, List<CampaignStore.Host> part, List<String> institutions) {
    List<String> hosts = new ArrayList<>();
    part.forEach(h -> hosts.add(institutions.isEmpty() ? h.institution() + "/" + h.host() : h.host()));
    return "New campaign #" + c.id() + " across " + c.institutions() + " institutions (" + c.level() + ")\n"
        + (institutions.isEmpty() ? "Patient zero " + c.zeroInstitution() + "/" + c.zeroHost() + " at "
            + Timestamps.format(c.zeroTs()) + "\n" : "")
        + "Hosts: " + String.join(", ", hosts.subList(0, Math.min(30, hosts.size())))
        + (c.techniques().isEmpty() ? "" : "\nATT&CK " + String.join(" ", c.techniques()));
  }

  static Map<String, Object> campaignJson(CampaignStore.Campaign c, List<CampaignStore.Host> part,
      List<String> institutions) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "campaign");
    m.put("id", c.id());
    m.put("title", c.title());
    m.put("level", c.level());
    m.put("institutions", c.institutions());
    m.put("first", Timestamps.format(c.firstTs()));
    m.put("last", Timestamps.format(c.lastTs()));
    if (institutions.isEmpty()) {
      m.put("patient_zero", Map.of("institution", c.zeroInstitution(), "host", c.zeroHost(), "time",
          Timestamps.format(c.zeroTs())));
    }
    List<Map<String, Object>> hosts = new ArrayList<>();
    for (CampaignStore.Host h : part) {
      hosts.add(Map.of("institution", h.institution(), "host", h.host(), "first", Timestamps.format(h.firstTs())));
    }
    m.put("hosts", hosts);
    m.put("techniques", c.techniques());
    return m;
  }

  /** A minimal SMTP client (RFC 5321): plain text, no authentication; for a local relay. */
  static final class Smtp {
    private Smtp() {}

    static void send(String host, int port, String from, List<String> to, String subject, String text)
        throws IOException {
      if (host == null || host.isBlank()) {
        throw new IOException("notifications.smtp_host is not set");
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(15_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        expect(in, 220);
        command(out, in, "HELO lovcen", 250);
        command(out, in, "MAIL FROM:<" + from + ">", 250);
        for (String r : to) {
          command(out, in, "RCPT TO:<" + r + ">", 250);
        }
        command(out, in, "DATA", 354);
        StringBuilder m = new StringBuilder();
        m.append("From: ").append(from).append("\r\nTo: ").append(String.join(", ", to)).append("\r\nSubject: ")
            .append(subject.replaceAll("[\r\n]+", " ")).append("\r\nMIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        for (String line : text.split("\r?\n")) {
          m.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        out.write(m.toString().getBytes(StandardCharsets.UTF_8));
        command(out, in, ".", 250);
        command(out, in, "QUIT", 221);
      }
    }

    private static void command(OutputStream out, BufferedReader in, String line, int code) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      expect(in, code);
    }

    private static void expect(BufferedReader in, int code) throws IOException {
      String line;
      do {
        line = in.readLine();
        if (line == null) {
          throw new IOException("SMTP server closed the connection");
        }
      } while (line.length() > 3 && line.charAt(3) == '-');
      if (!line.startsWith(Integer.toString(code))) {
        throw new IOException("SMTP: expected " + code + ", got '" + line + "'");
      }
    }
  }
}
