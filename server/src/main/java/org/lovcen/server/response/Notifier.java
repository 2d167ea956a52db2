package org.lovcen.server.response;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.concurrent.ConcurrentHashMap;
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
 * the linker just created. Routing is per institution: a route that names institutions gets their
 * incidents, and of a campaign only the part about them (their hosts; the other institutions are
 * counted, never named); a route without institutions is the national CERT's and gets everything.
 *
 * Each message to each route is one delivery. It is tried at once; a failed one (an answer other
 * than 2xx, an SMTP error, no connection) is tried again after notifications.retry_seconds, then
 * twice that, and so on, notifications.retries times, then given up: counted as failed per route
 * (metrics), logged, and, for an incident, written on the incident as a note, so the analysts see
 * that the people who should have heard did not. Every settled delivery (sent, or given up) is
 * recorded in the cursors table under its message and route, and an incident is marked notified
 * once all its routes are settled; so a route that succeeded is never sent the same message again,
 * also after a restart, while the routes still pending are tried again after one. Pending retries
 * of campaigns live in memory only (a restart drops them). The retries in memory are bounded.
 */
/**
 * Sends webhooks and e-mail for new critical incidents and new campaigns, with bounded retries.
 * Thread-safe (runs serialised).
 */
public final class Notifier implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SENT = "notified-incident:";
  /** Cursor of one delivery: {@code notify:<message>:<route>}; value the time sent, or minus the time given up. */
  private static final String DELIVERY = "notify:";
  private static final int MAX_PENDING = 1000;
  private static final long MAX_BACKOFF_MILLIS = 3_600_000L;
  private static final System.Logger LOG = System.getLogger("lovcen.notifications");

  /** A configured destination: a webhook or an e-mail route, with a stable id for its cursors. */
  private record Route(String id, String label, ServeConfig.Webhook webhook, ServeConfig.Email email) {
    List<String> institutions() {
      return webhook != null ? webhook.institutions() : email.institutions();
    }
  }

  /** One message to one route; attempts and the next try change as it is retried. Guarded by the Notifier. */
  private static final class Delivery {
    final Route route;
    final String message;
    final long incident;
    final String subject;
    final String text;
    final String body;
    int attempts;
    long dueMillis;
    String lastError;

    Delivery(Route route, String message, long incident, String subject, String text, String body) {
      this.route = route;
      this.message = message;
      this.incident = incident;
      this.subject = subject;
      this.text = text;
      this.body = body;
    }

    String cursor() {
      return DELIVERY + message + ":" + route.id();
    }
  }

  private final ServeConfig.Notifications config;
  private final IncidentStore incidents;
  private final CampaignStore campaigns;
  private final Settings settings;
  private final Database db;
  private final Smtp smtp;
  private final List<Route> routes = new ArrayList<>();
  /** Made once the configuration is checked: a bad one leaves no client thread behind. */
  private final HttpClient http;
  private final Map<String, Delivery> pending = new LinkedHashMap<>();
  /** Settled deliveries whose record the store did not take yet (it was away): cursor to value. */
  private final Map<String, Long> unsaved = new LinkedHashMap<>();
  private final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
  private volatile Map<String, Long> retrying = Map.of();
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
      routes.add(new Route(id("webhook", w.name(), w.url()), "webhook:" + w.name(), w, null));
    }
    for (ServeConfig.Email e : config.email()) {
      if (e.to() == null || e.to().isEmpty()) {
        throw new org.lovcen.core.LovcenException("notifications.email: a route needs 'to' addresses");
      }
      routes.add(new Route(id("email", String.join(",", e.to()), String.join(",", e.institutions())),
          "email:" + String.join(",", e.to()), null, e));
    }
    if (config.retries() < 0 || config.retrySeconds() < 1) {
      throw new org.lovcen.core.LovcenException("notifications.retries must be 0 or more and "
          + "notifications.retry_seconds 1 or more");
    }
    this.smtp = Smtp.of(config);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (Route r : routes) {
      sent.put(r.label(), new AtomicLong());
      failed.put(r.label(), new AtomicLong());
    }
  }

  /** A short stable id of a route (its kind, name and destination), for its cursors. */
  private static String id(String kind, String name, String where) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256")
          .digest((kind + "\0" + name + "\0" + where).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stops the HTTP client's threads (a webhook being sent fails and counts as unsettled: it is
   * tried again after a restart). The notifier is not used afterwards.
   */
  @Override
  public void close() {
    http.shutdownNow();
  }

  /** Whether any route is configured. */
  public boolean enabled() {
    return !routes.isEmpty();
  }

  /** Messages delivered since start, per route ({@code webhook:<name>}, {@code email:<to>}). */
  public Map<String, Long> sent() {
    return counts(sent);
  }

  /** Deliveries given up since start (after every retry), per route. */
  public Map<String, Long> failed() {
    return counts(failed);
  }

  /** Deliveries waiting for their next try now, per route. */
  public Map<String, Long> retrying() {
    return retrying;
  }

  private static Map<String, Long> counts(Map<String, AtomicLong> m) {
    Map<String, Long> out = new java.util.TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.get()));
    return out;
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
      String text = incidentText(r);
      String subject = "[Lovcen] " + text.lines().findFirst().orElse("incident");
      String json = write(incidentJson(r));
      String slack = write(Map.of("text", text));
      for (Route route : routes) {
        if (route.institutions().isEmpty() || route.institutions().contains(r.institution())) {
          offer(new Delivery(route, "incident:" + r.id(), r.id(), subject, text, body(route, json, slack)));
        }
      }
      settledIncident(r.id());
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
      for (Route route : routes) {
        List<CampaignStore.Host> part = part(hosts, route.institutions());
        if (!part.isEmpty()) {
          String text = campaignText(c, part, route.institutions());
          String body = body(route, write(campaignJson(c, part, route.institutions())), write(Map.of("text", text)));
          offer(new Delivery(route, "campaign:" + id, -1, "[Lovcen] " + c.title(), text, body));
        }
      }
    }
  }

  /** Tries the deliveries whose next try is due (every second, from the server's timer). */
  public synchronized void retry() {
    saveSettled();
    long now = System.currentTimeMillis();
    for (Delivery d : List.copyOf(pending.values())) {
      if (d.dueMillis <= now) {
        attempt(d);
      }
    }
    refreshRetrying();
  }

  private static List<CampaignStore.Host> part(List<CampaignStore.Host> hosts, List<String> institutions) {
    return institutions.isEmpty() ? hosts : hosts.stream().filter(h -> institutions.contains(h.institution())).toList();
  }

  /** The body a webhook route posts: Lovcen's JSON, or {"text": ...} for Slack and Mattermost; null for e-mail. */
  private static String body(Route route, String json, String slack) {
    if (route.webhook() == null) {
      return null;
    }
    String format = route.webhook().format() == null ? "json" : route.webhook().format().toLowerCase(Locale.ROOT);
    return format.equals("json") ? json : slack;
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new delivery: skipped when it is settled already (a restart) or waiting for a retry; else tried now. */
  private void offer(Delivery d) {
    if (pending.containsKey(d.cursor()) || unsaved.containsKey(d.cursor()) || settings.cursor(d.cursor()) != 0) {
      return;
    }
    if (pending.size() >= MAX_PENDING) {
      d.lastError = "more than " + MAX_PENDING + " deliveries waiting for a retry";
      giveUp(d);
      return;
    }
    attempt(d);
    refreshRetrying();
  }

  private void attempt(Delivery d) {
    d.attempts++;
    try {
      if (d.route.webhook() != null) {
        post(d.route.webhook(), d.body);
      } else {
        smtp.send(d.route.email().to(), d.subject, d.text);
      }
    } catch (IOException | RuntimeException e) {
      d.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
      if (d.attempts > config.retries()) {
        giveUp(d);
      } else {
        long wait = Math.min(MAX_BACKOFF_MILLIS, config.retrySeconds() * 1000L << Math.min(20, d.attempts - 1));
        d.dueMillis = System.currentTimeMillis() + wait;
        pending.put(d.cursor(), d);
        LOG.log(System.Logger.Level.INFO, d.route.label() + ": " + d.message + " not delivered (" + d.lastError
            + "), try " + (d.attempts + 1) + " in " + wait / 1000 + " s");
      }
      return;
    }
    sent.get(d.route.label()).incrementAndGet();
    settle(d, System.currentTimeMillis() * 1000);
  }

  private void giveUp(Delivery d) {
    failed.get(d.route.label()).incrementAndGet();
    String why = d.route.label() + ": " + d.message + " not delivered after " + d.attempts + " attempts, given up: "
        + d.lastError;
    LOG.log(System.Logger.Level.WARNING, why);
    if (d.incident >= 0) {
      incidents.addNote(Scope.NATIONAL, d.incident, "lovcen", "Notification failed: " + why,
          System.currentTimeMillis() * 1000);
    }
    settle(d, -System.currentTimeMillis() * 1000);
  }

  /**
   * Records the delivery as sent (the time) or given up (minus the time). A retried incident
   * delivery may be the last of its incident; a first try is not (incidents() settles the incident
   * after offering it to every route).
   */
  private void settle(Delivery d, long value) {
    boolean retried = pending.remove(d.cursor()) != null;
    unsaved.put(d.cursor(), value); // kept until the store has it: a sent message is never sent again
    saveSettled();
    if (retried && d.incident >= 0) {
      settledIncident(d.incident);
    }
  }

  /** Writes the settled deliveries' records; those the store does not take now wait for the next try. */
  private void saveSettled() {
    try {
      for (var it = unsaved.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        db.jdbi().useTransaction(h -> settings.setCursor(h, e.getKey(), e.getValue()));
        it.remove();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot record " + unsaved.size() + " notifications (tried again): " + e);
    }
  }

  /** Marks an incident notified once none of its deliveries waits for a retry. */
  private void settledIncident(long incident) {
    String message = "incident:" + incident;
    if (pending.values().stream().noneMatch(p -> p.message.equals(message))) {
      long now = System.currentTimeMillis() * 1000;
      try {
        db.jdbi().useTransaction(h -> settings.setCursor(h, SENT + incident, now));
      } catch (RuntimeException e) {
        // the store is away: the incident is looked at again, and its settled routes are skipped
        LOG.log(System.Logger.Level.WARNING, "cannot record incident " + incident + " as notified: " + e);
      }
    }
  }

  private void refreshRetrying() {
    Map<String, Long> m = new java.util.TreeMap<>();
    routes.forEach(r -> m.put(r.label(), 0L));
    pending.values().forEach(d -> m.merge(d.route.label(), 1L, Long::sum));
    retrying = Map.copyOf(m);
  }

  private void post(ServeConfig.Webhook w, String body) throws IOException {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(w.url())).timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/json").header("User-Agent", "Lovcen")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 != 2) {
        throw new IOException("answered " + r.statusCode());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
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
}
