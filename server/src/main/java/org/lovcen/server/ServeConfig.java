package org.lovcen.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lovcen.core.LovcenException;

/**
 * The configuration of {@code lovcen serve}: one YAML file, every key optional with the default
 * shown in {@code docs/SERVE.md}; an environment variable {@code LOVCEN_<SECTION>_<KEY>} (upper
 * case, e.g. {@code LOVCEN_DATABASE_URL}, {@code LOVCEN_LISTEN_PORT}) overrides a key. Lists in
 * environment variables are comma-separated. Unknown keys are errors (a typo must not silently
 * fall back to a default). Immutable.
 */
public record ServeConfig(Listen listen, String data, Database database, Rules rules, Intel intel, Ingest ingest,
    Syslog syslog, Detection detection, Incidents incidents, Retention retention, Admin admin, Sessions sessions,
    Taxii taxii, Web web, Decisions decisions, Kafka kafka, Campaigns campaigns, Cases cases,
    Notifications notifications, MetricsAccess metrics) {

  /**
   * Website detection on access-log events: the parameters file of the detectors (the YAML of
   * {@code hunt --web-config}, docs/WEB.md; empty: the defaults), allowlist included.
   */
  public record Web(String config) {}

  /**
   * The CrowdSec-compatible bouncer endpoints: accepted API keys, each {@code KEY} (every
   * institution's decisions) or {@code KEY@institution} (that institution's only).
   */
  public record Decisions(List<String> bouncerKeys) {}

  /**
   * Who may read {@code GET /metrics} without a token: addresses and CIDR ranges ({@code 127.0.0.1},
   * {@code 10.0.0.0/8}, {@code ::1}); from elsewhere, or through a proxy, it takes a metrics token
   * or a national user's.
   */
  public record MetricsAccess(List<String> allow) {}

  /**
   * The HTTP listener. With {@code tlsKeystore} (a PKCS#12 file with the server's key and
   * certificate chain) it speaks HTTPS only; {@code redirectPort} (-1: off) then opens a plain
   * HTTP port that only sends browsers to HTTPS and processes nothing.
   */
  public record Listen(String host, int port, String tlsKeystore, String tlsPassword, int redirectPort) {
    /** Whether the HTTP listener speaks TLS. */
    public boolean tls() {
      return tlsKeystore != null && !tlsKeystore.isBlank();
    }
  }

  /** {@code url}: empty for SQLite in the data folder, or {@code postgresql://user:password@host:port/db}. */
  public record Database(String url, int pool) {}

  /** Rule folders (empty: the installation's rules and the SigmaHQ corpus), placeholders file, mapping files. */
  public record Rules(List<String> paths, String placeholders, List<String> mappings) {}

  /**
   * Indicator files (STIX, MISP, lists) matched against every event besides the indicators the
   * server keeps; how many days of stored events a retro-hunt searches when indicators arrive; the
   * CERT's name in what it exports and shares (STIX identity, MISP organisation).
   */
  public record Intel(List<String> files, int retroDays, String identity) {}

  /**
   * The TAXII 2.1 server (one API root, {@code /taxii2/<root>/}) and the partner feeds it polls
   * (docs/TAXII.md).
   *
   * @param maxContentMb largest add-objects request (the API root's max_content_length)
   * @param pageSize the most objects one response holds, whatever limit a client asks
   */
  public record Taxii(String root, String title, String description, String contact, int maxContentMb, int pageSize,
      List<Feed> feeds) {}

  /**
   * A partner's TAXII 2.1 collection polled for indicators.
   *
   * @param name names the feed (its indicators' source, its saved position)
   * @param url the API root ({@code https://host/api1/}) or the collection's own URL
   * @param collection the collection id (needed when {@code url} is the API root)
   * @param user HTTP Basic user name (with {@code password}), or empty
   * @param apiKeyHeader a header to send {@code apiKey} in instead (e.g. {@code Authorization}
   *     with {@code Bearer …}), or empty
   * @param tlp the TLP of indicators the feed does not mark ({@code clear} … {@code red}), or empty
   */
  public record Feed(String name, String url, String collection, String user, String password, String apiKeyHeader,
      String apiKey, int intervalMinutes, String tlp) {}

  /**
   * Ingest limits: largest request body (after decompression), requests read at the same time
   * (more are answered 429: bodies in memory stay bounded), events held between ingest and
   * storage before ingest answers 429, events per store transaction, how long a request waits for
   * its events to be stored, and the share of the queue (percent) one institution may hold, so
   * that one institution's flood does not hold back the others.
   */
  public record Ingest(int maxBodyMb, int maxConcurrentRequests, int queueEvents, int batchEvents, int batchMillis,
      int ackTimeoutSeconds, int institutionSharePercent) {}

  /**
   * Syslog listeners (TCP, TLS over TCP, UDP); a port of -1 turns a listener off, 0 picks a free
   * port. TLS needs a PKCS#12 key store with the server's key and certificate.
   */
  public record Syslog(String host, int tcpPort, int tlsPort, int udpPort, String tlsKeystore, String tlsPassword,
      int maxMessageBytes, int maxConnections) {}

  /**
   * How far behind the newest event a correlation hit may arrive and still count; after how many
   * seconds without events the open correlation episodes are emitted as alerts.
   */
  public record Detection(int latenessSeconds, int idleCloseSeconds) {}

  /**
   * Alerts of one institution and host closer than this window join the same open incident;
   * alerts below {@code minLevel} are stored but open no incident.
   */
  public record Incidents(int windowMinutes, String minLevel) {}

  /** Days raw events are kept unless the institution says otherwise; how often expired days are removed. */
  public record Retention(int defaultDays, int sweepMinutes) {}

  /** The first administrator, created when the store has no user; the password comes from here or LOVCEN_ADMIN_PASSWORD. */
  public record Admin(String user, String password) {}

  /** Lifetime of a sign-in session token. */
  public record Sessions(int hours) {}

  /**
   * Campaign linking (docs/CAMPAIGNS.md): how often, over which alerts, and with which weights.
   * Weights and the threshold are points: a shared value weighs its kind's points times its rarity.
   *
   * @param intervalSeconds how often the linker runs; 0 turns it off
   * @param windowHours alerts within this many hours (event time) before the newest are linked
   */
  public record Campaigns(int intervalSeconds, int windowHours, String minLevel, int threshold, int minInstitutions,
      int maxHosts, int maxAlerts, Weights weights) {}

  /** Points of each evidence kind (docs/CAMPAIGNS.md). */
  public record Weights(int hash, int indicator, int domain, int address, int command, int file, int techniques,
      int rule, int systemHash) {}

  /** Playbook folders (empty: the installation's {@code playbooks/}). */
  public record Cases(List<String> playbooks) {}

  /**
   * Notifications of new incidents and campaigns (docs/CASES.md): the lowest incident level that
   * notifies, how often new ones are looked for, the SMTP relay, how a failed delivery is retried,
   * and the routes.
   *
   * @param smtpTls {@code none} (plain SMTP), {@code starttls} (required: the relay must offer it)
   *     or {@code tls} (TLS from the first byte, port 465)
   * @param smtpUser user for SMTP AUTH (PLAIN, else LOGIN); empty: no authentication
   * @param smtpCa PEM file of the certificates that may sign the relay's (empty: the JDK's)
   * @param retries attempts after the first before a delivery is given up and recorded as failed
   * @param retrySeconds wait before the first retry; doubled for each further one (at most an hour)
   */
  public record Notifications(String minLevel, int intervalSeconds, String smtpHost, int smtpPort, String smtpFrom,
      String smtpTls, String smtpUser, String smtpPassword, String smtpCa, int retries, int retrySeconds,
      List<Webhook> webhooks, List<Email> email) {}

  /**
   * A webhook: {@code format} is {@code json} (Lovcen's own document), {@code slack} or
   * {@code mattermost} (both {"text": ...}); {@code institutions} limits it to those institutions'
   * incidents (empty: all, and campaigns).
   */
  public record Webhook(String name, String url, String format, List<String> institutions) {
    public Webhook {
      institutions = institutions == null ? List.of() : List.copyOf(institutions);
    }
  }

  /** E-mail recipients of notifications, optionally limited to some institutions (empty: all, and campaigns). */
  public record Email(List<String> to, List<String> institutions) {
    public Email {
      to = to == null ? List.of() : List.copyOf(to);
      institutions = institutions == null ? List.of() : List.copyOf(institutions);
    }
  }

  /**
   * Detection on Kafka (docs/KAFKA.md): empty {@code bootstrap} keeps the embedded detection.
   *
   * @param bootstrap broker addresses ({@code host:port,...}); empty: off
   * @param prefix prefix of the topics and of the detection application's id
   * @param partitions partitions of the topics the server creates when they are missing
   * @param replication replication factor of the topics the server creates
   * @param client extra Kafka client properties, each {@code key=value} (security, timeouts)
   */
  public record Kafka(String bootstrap, String prefix, int partitions, int replication, List<String> client) {
    /** Whether detection runs on Kafka. */
    public boolean enabled() {
      return bootstrap != null && !bootstrap.isBlank();
    }
  }

  static final String DEFAULTS = """
      listen:
        host: 127.0.0.1
        port: 8080
        tls_keystore: ""
        tls_password: ""
        redirect_port: -1
      data: data
      database:
        url: ""
        pool: 8
      rules:
        paths: []
        placeholders: ""
        mappings: []
      intel:
        files: []
        retro_days: 30
        identity: Lovcen
      ingest:
        max_body_mb: 64
        max_concurrent_requests: 16
        queue_events: 200000
        batch_events: 5000
        batch_millis: 20
        ack_timeout_seconds: 30
        institution_share_percent: 50
      syslog:
        host: 0.0.0.0
        tcp_port: -1
        tls_port: -1
        udp_port: -1
        tls_keystore: ""
        tls_password: ""
        max_message_bytes: 65536
        max_connections: 1000
      detection:
        lateness_seconds: 60
        idle_close_seconds: 5
      incidents:
        window_minutes: 60
        min_level: low
      retention:
        default_days: 90
        sweep_minutes: 60
      admin:
        user: admin
        password: ""
      sessions:
        hours: 12
      taxii:
        root: lovcen
        title: Lovcen TAXII
        description: ""
        contact: ""
        max_content_mb: 16
        page_size: 1000
        feeds: []
      web:
        config: ""
      decisions:
        bouncer_keys: []
      campaigns:
        interval_seconds: 30
        window_hours: 72
        min_level: low
        threshold: 150
        min_institutions: 2
        max_hosts: 500
        max_alerts: 200000
        weights:
          hash: 100
          indicator: 100
          domain: 100
          address: 100
          command: 80
          file: 50
          techniques: 50
          rule: 25
          system_hash: 5
      cases:
        playbooks: []
      notifications:
        min_level: critical
        interval_seconds: 15
        smtp_host: ""
        smtp_port: 25
        smtp_from: lovcen@localhost
        smtp_tls: none
        smtp_user: ""
        smtp_password: ""
        smtp_ca: ""
        retries: 5
        retry_seconds: 30
        webhooks: []
        email: []
      metrics:
        allow: ["127.0.0.0/8", "::1"]
      kafka:
        bootstrap: ""
        prefix: lovcen.
        partitions: 12
        replication: 3
        client: []
      """;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  /** The defaults with the environment applied. */
  public static ServeConfig defaults(Map<String, String> env) {
    return parse(DEFAULTS, "defaults", env);
  }

  /** Reads {@code file} over the defaults, then the environment. */
  public static ServeConfig load(Path file, Map<String, String> env) {
    try {
      return parse(Files.readString(file), file.toString(), env);
    } catch (IOException e) {
      throw new LovcenException(file + ": cannot read: " + e.getMessage());
    }
  }

  static ServeConfig parse(String yaml, String name, Map<String, String> env) {
    try {
      ObjectNode tree = (ObjectNode) YAML.readTree(DEFAULTS);
      JsonNode given = YAML.readTree(yaml);
      if (given != null && !given.isMissingNode() && !given.isNull()) {
        if (!given.isObject()) {
          throw new LovcenException(name + ": the configuration must be a mapping of sections");
        }
        merge(tree, (ObjectNode) given, name, "");
      }
      applyEnv(tree, env);
      return YAML.treeToValue(tree, ServeConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new LovcenException(name + ": unknown key '" + e.getPropertyName() + "'");
    } catch (MismatchedInputException e) {
      throw new LovcenException(name + ": " + mismatch(e));
    } catch (IOException e) {
      String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw new LovcenException(name + ": " + msg + location(e));
    }
  }

  /** A value of the wrong type, named by its key ({@code 'listen.port': 'eighty' is not a whole number}). */
  private static String mismatch(MismatchedInputException e) {
    StringBuilder key = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      String step = r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]";
      key.append(key.isEmpty() || step.startsWith("[") ? "" : ".").append(step);
    }
    Class<?> type = e.getTargetType();
    if (e instanceof InvalidFormatException f && (type == int.class || type == Integer.class)) {
      return "'" + key + "': '" + f.getValue() + "' is not a whole number";
    }
    return "'" + key + "': " + e.getOriginalMessage();
  }

  private static String location(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
        && j.getLocation().getLineNr() > 0) {
      return " (line " + j.getLocation().getLineNr() + ")";
    }
    return "";
  }

  private static void merge(ObjectNode into, ObjectNode from, String name, String prefix) {
    Iterator<Map.Entry<String, JsonNode>> it = from.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode old = into.get(e.getKey());
      if (old == null) {
        throw new LovcenException(name + ": unknown key '" + prefix + e.getKey() + "'");
      }
      if (old.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) old, (ObjectNode) e.getValue(), name, prefix + e.getKey() + ".");
      } else if (old.isObject()) {
        throw new LovcenException(name + ": '" + prefix + e.getKey() + "' must be a mapping");
      } else {
        into.set(e.getKey(), e.getValue().isNull() ? old : e.getValue());
      }
    }
  }

  /** Every leaf key of the defaults as its environment variable name. */
  static List<String> environmentNames() {
    List<String> out = new ArrayList<>();
    try {
      walk((ObjectNode) YAML.readTree(DEFAULTS), "LOVCEN", (node, key, env) -> out.add(env));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private interface Leaf {
    void visit(ObjectNode parent, String key, String env);
  }

  private static void walk(ObjectNode node, String prefix, Leaf leaf) {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      String env = prefix + "_" + k.toUpperCase(Locale.ROOT);
      if (node.get(k).isObject()) {
        walk((ObjectNode) node.get(k), env, leaf);
      } else {
        leaf.visit(node, k, env);
      }
    }
  }

  private static void applyEnv(ObjectNode tree, Map<String, String> env) {
    walk(tree, "LOVCEN", (parent, key, name) -> {
      String v = env.get(name);
      if (v == null) {
        return;
      }
      if (parent.get(key).isArray()) {
        ArrayNode a = parent.putArray(key);
        for (String s : v.split(",")) {
          if (!s.isBlank()) {
            a.add(s.trim());
          }
        }
      } else if (parent.get(key).isNumber()) {
        try {
          parent.put(key, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
          throw new LovcenException(name + ": '" + v + "' is not a whole number");
        }
      } else {
        parent.put(key, v);
      }
    });
  }

  /** The database URL to open: the configured one, else SQLite in the data folder. */
  public String databaseUrl() {
    return database.url() == null || database.url().isBlank() ? Path.of(data, "lovcen.db").toString() : database.url();
  }
}
