package org.lovcen.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.lovcen.core.Event;
import org.lovcen.server.intel.LiveIndicators;
import org.lovcen.server.taxii.FeedPoller;
import org.lovcen.server.live.AlertSink;
import org.lovcen.server.live.DetectionLoop;
import org.lovcen.server.live.Engine;
import org.lovcen.server.live.IngestQueue;
import org.lovcen.server.live.KafkaAlerts;
import org.lovcen.server.live.KafkaForwarder;
import org.lovcen.server.live.StoreWriter;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.InstitutionRules;
import org.lovcen.sigma.RuleUploads;
import org.lovcen.store.Database;
import org.lovcen.store.Directory;
import org.lovcen.store.EventStore;
import org.lovcen.store.Role;
import org.lovcen.store.RuleUploadStore;
import org.lovcen.store.Scope;
import org.lovcen.store.Settings;
import org.lovcen.store.StoredEvent;

/*
 * How and why: the serve runner of the one pipeline (DESIGN.md). Start-up order matters for
 * durability: open and migrate the store; build the engine; detect every event stored but not yet
 * detected (a crash between storing and detecting loses no alert); only then start the writer,
 * the detection thread and the listeners. Shutdown is the reverse: listeners first, so nothing is
 * acknowledged that is not stored.
 *
 * The configuration is checked before any of that (levels, metrics.allow, key stores, then with
 * the store open the notification routes and the campaign settings), so that a mistake in it
 * stops the start before a long catch-up and with nothing running. What can only fail later
 * (a syslog port taken, the HTTP port taken) closes whatever was started so far, in the order of
 * a shutdown, and the error goes up unchanged: a failed start leaves no thread and no connection.
 */
/** A running {@code lovcen serve}. Thread-safe; close it once. */
public final class LovcenServer implements AutoCloseable {
  private static final int DETECTION_BACKLOG_EVENTS = 20_000;

  private final ServeConfig config;
  private final java.time.Clock clock;
  private final org.lovcen.web.WebConfig webConfig;
  private final Database db;
  private final Supplier<RuleSet> ruleLoader;
  private final AtomicReference<Engine> engine = new AtomicReference<>();
  private final Metrics metrics = new Metrics();
  /** The HTTPS listener's TLS context; null when the API speaks plain HTTP. */
  private final javax.net.ssl.SSLContext httpTls;
  /** The syslog TLS listener's context; null without one. */
  private final javax.net.ssl.SSLContext syslogTls;
  /** {@code metrics.allow}: who reads {@code /metrics} without a token. */
  private final List<org.lovcen.web.Cidr> metricsAllow;
  private final IngestQueue queue;
  private final StoreWriter writer;
  /** Embedded detection; null in Kafka mode. */
  private final DetectionLoop detection;
  /** Kafka mode (null otherwise): the forwarder of stored events, the alerts reader, the cluster's state. */
  private final org.lovcen.kafka.EventProducer producer;
  private final KafkaForwarder forwarder;
  private final KafkaAlerts kafkaAlerts;
  private final org.lovcen.kafka.ClusterStatus cluster;
  /** Kafka mode: publishes the institutions' rule switches and filters and the uploaded rules to the workers. */
  private final org.lovcen.kafka.Publisher publisher;
  private final java.util.concurrent.atomic.AtomicBoolean settingsToPublish = new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicBoolean uploadsToPublish = new java.util.concurrent.atomic.AtomicBoolean();
  private final Api api;
  private final org.lovcen.server.syslog.SyslogServer syslog;
  private final LiveIndicators indicators;
  private final FeedPoller feeds;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "lovcen-timers");
    t.setDaemon(true);
    return t;
  });
  private final org.lovcen.server.response.CampaignTracker campaigns;
  private final org.lovcen.server.response.Notifier notifier;
  private volatile org.lovcen.server.response.Playbooks playbooks;
  private volatile long rulesLoadedAt;
  private volatile List<String> settingProblems = List.of();

  private LovcenServer(ServeConfig config, Supplier<RuleSet> ruleLoader, java.time.Clock clock) {
    this.config = config;
    this.clock = clock;
    checkLevels(config);
    this.metricsAllow = MetricsRoutes.networks(config.metrics());
    this.webConfig = config.web().config().isBlank() ? org.lovcen.web.WebConfig.DEFAULT
        : org.lovcen.web.WebConfig.load(java.nio.file.Path.of(config.web().config()));
    this.ruleLoader = ruleLoader;
    this.httpTls = httpTls(config.listen()); // a bad key store stops the start before anything runs
    this.syslogTls = config.syslog().tlsPort() >= 0 ? SyslogIntakes.tls(config.syslog()) : null;
    this.db = Database.open(config.databaseUrl(), config.database().pool());
    try {
      this.campaigns = new org.lovcen.server.response.CampaignTracker(db, config.campaigns());
      this.notifier = new org.lovcen.server.response.Notifier(db, config.notifications());
      this.playbooks = org.lovcen.server.response.Playbooks.load(playbookFolders());
      bootstrapAdmin();
      RuleSet rules = ruleLoader.get();
      rulesLoadedAt = System.currentTimeMillis();
      this.indicators = new LiveIndicators(db, config.intel().files(),
          set -> engine.updateAndGet(e -> e.withIndicators(set)));
      this.feeds = FeedPoller.of(config.taxii().feeds(), indicators, db);
      engine.set(settings(uploads(Engine.of(rules, indicators.compile()))));
      long window = TimeUnit.MINUTES.toMicros(config.incidents().windowMinutes());
      AlertSink sink = new AlertSink(db, window, org.lovcen.core.Level.parse(config.incidents().minLevel()).ordinal(),
          this::nowMicros);
      this.queue = new IngestQueue(config.ingest().queueEvents(), config.ingest().institutionSharePercent());
      // Stored events waiting for detection are bounded by about DETECTION_BACKLOG_EVENTS (a second
      // or two of ingest): when detection falls behind, the writer waits and ingest answers 429,
      // instead of alerts falling ever further behind their events.
      int backlog = Math.max(2, DETECTION_BACKLOG_EVENTS / Math.max(1, config.ingest().batchEvents()));
      this.writer = new StoreWriter(db, queue, config.ingest().batchEvents(), config.ingest().batchMillis(), backlog,
          nanos -> metrics.eventWrite.observe(nanos / 1e9));
      if (config.kafka().enabled()) {
        // Kafka mode (docs/KAFKA.md): the store keeps the events, the workers detect, the server
        // stores their alerts; a request is answered once its events are committed and on the broker.
        org.lovcen.kafka.KafkaSettings ks = kafkaSettings(config);
        this.detection = null;
        this.producer = new org.lovcen.kafka.EventProducer(ks);
        this.forwarder = new KafkaForwarder(db, producer, writer.deferAcknowledgements().committed());
        this.cluster = new org.lovcen.kafka.ClusterStatus(ks);
        this.publisher = new org.lovcen.kafka.Publisher(ks);
        publishSettings();
        publishUploads();
        forwardStored();
        this.kafkaAlerts = new KafkaAlerts(ks, sink, engine, metrics, this::nowMicros).start();
        indicators.startRetroHunt(sink, config.intel().retroDays());
        writer.start();
        forwarder.start();
      } else {
        this.producer = null;
        this.forwarder = null;
        this.kafkaAlerts = null;
        this.cluster = null;
        this.publisher = null;
        long cursor = new Settings(db).cursor(AlertSink.CURSOR);
        this.detection = new DetectionLoop(engine, sink, writer.detection(),
            TimeUnit.SECONDS.toMicros(config.detection().latenessSeconds()),
            TimeUnit.SECONDS.toMillis(config.detection().idleCloseSeconds()), cursor, metrics, webConfig,
            this::nowMicros);
        catchUp(cursor);
        indicators.startRetroHunt(sink, config.intel().retroDays());
        writer.start();
        detection.start();
      }
      registerGauges();
      metrics.gauges("lovcen_notifications_sent", "Notifications delivered since start, per route", "route",
          notifier::sent);
      metrics.gauges("lovcen_notifications_retrying", "Notifications waiting to be tried again, per route", "route",
          notifier::retrying);
      metrics.gauges("lovcen_notifications_failed", "Notifications given up after every retry since start, per route "
          + "(each also logged, and noted on its incident)", "route", notifier::failed);
      this.api = new Api(this);
      this.syslog = SyslogIntakes.start(config.syslog(), syslogTls, new SyslogIntakes(new Directory(db), queue,
          metrics));
      feeds.start();
      long sweep = Math.max(1, config.retention().sweepMinutes());
      timers.scheduleWithFixedDelay(this::sweepRetention, sweep, sweep, TimeUnit.MINUTES);
      if (config.campaigns().intervalSeconds() > 0) {
        int every = config.campaigns().intervalSeconds();
        timers.scheduleWithFixedDelay(quietly(this::linkCampaignsIfChanged), every, every, TimeUnit.SECONDS);
      }
      if (notifier.enabled()) {
        timers.scheduleWithFixedDelay(quietly(notifier::retry), 1, 1, TimeUnit.SECONDS);
      }
      if (config.notifications().intervalSeconds() > 0 && notifier.enabled()) {
        int every = config.notifications().intervalSeconds();
        timers.scheduleWithFixedDelay(quietly(notifier::incidents), every, every, TimeUnit.SECONDS);
      }
    } catch (RuntimeException e) {
      closeAfter(e);
      throw e;
    }
  }

  /** The level keys, each a level name: checked at start, as they are read only later, on timers. */
  private static void checkLevels(ServeConfig c) {
    Map<String, String> levels = new LinkedHashMap<>();
    levels.put("incidents.min_level", c.incidents().minLevel());
    levels.put("campaigns.min_level", c.campaigns().minLevel());
    levels.put("notifications.min_level", c.notifications().minLevel());
    levels.forEach((key, value) -> {
      try {
        org.lovcen.core.Level.parse(value);
      } catch (org.lovcen.core.LovcenException e) {
        throw new org.lovcen.core.LovcenException(key + ": " + e.getMessage());
      }
    });
  }

  /** A start that failed: closes what was started, keeping {@code failure} the error that is reported. */
  private void closeAfter(RuntimeException failure) {
    try {
      close();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * The Kafka settings of {@code kafka.*}. Unless {@code kafka.client} says otherwise, a send the
   * broker has not acknowledged fails after {@code ingest.ack_timeout_seconds} (at least 15 s), so
   * that the forwarder starts sending again from the store instead of waiting minutes.
   */
  static org.lovcen.kafka.KafkaSettings kafkaSettings(ServeConfig config) {
    ServeConfig.Kafka k = config.kafka();
    Map<String, String> client = new LinkedHashMap<>();
    long delivery = Math.max(15_000L, TimeUnit.SECONDS.toMillis(config.ingest().ackTimeoutSeconds()));
    client.put("delivery.timeout.ms", Long.toString(delivery));
    client.put("request.timeout.ms", "10000");
    client.put("max.block.ms", Long.toString(delivery));
    for (String kv : k.client()) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new org.lovcen.core.LovcenException("kafka.client: '" + kv + "' is not key=value");
      }
      client.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    return org.lovcen.kafka.KafkaSettings.defaults(k.bootstrap().trim()).withPrefix(k.prefix())
        .withTopics(k.partitions(), (short) k.replication()).withClient(client);
  }

  /** Kafka mode: sends the events stored but not yet acknowledged by the broker; runs before ingest opens. */
  private void forwardStored() {
    try {
      forwarder.resend(-1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.lovcen.core.LovcenException("interrupted while sending stored events to Kafka");
    }
  }

  private void closeKafka() {
    if (publisher != null) {
      publisher.close();
    }
    if (kafkaAlerts != null) {
      kafkaAlerts.close();
    }
    if (forwarder != null) {
      forwarder.close();
    }
    if (producer != null) {
      producer.close(java.time.Duration.ofSeconds(5)); // what is not acknowledged is sent again from the store
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static javax.net.ssl.SSLContext httpTls(ServeConfig.Listen listen) {
    if (!listen.tls()) {
      if (listen.redirectPort() >= 0) {
        throw new org.lovcen.core.LovcenException("listen.redirect_port sends browsers to HTTPS: it needs "
            + "listen.tls_keystore");
      }
      return null;
    }
    return Tls.context(listen.tlsKeystore(), listen.tlsPassword(), "listen.tls_keystore");
  }

  /** Opens the store, recovers, and starts ingest, detection and the HTTP API. */
  public static LovcenServer start(ServeConfig config, Supplier<RuleSet> ruleLoader) {
    return start(config, ruleLoader, java.time.Clock.systemUTC());
  }

  /** The same on a given clock (decisions' times; tests move it). */
  public static LovcenServer start(ServeConfig config, Supplier<RuleSet> ruleLoader, java.time.Clock clock) {
    LovcenServer s = new LovcenServer(config, ruleLoader, clock);
    try {
      s.api.start(config.listen().host(), config.listen().port());
    } catch (RuntimeException e) {
      s.closeAfter(e);
      throw e;
    }
    return s;
  }

  private void bootstrapAdmin() {
    Directory dir = new Directory(db);
    if (!dir.users(Scope.NATIONAL).isEmpty()) {
      return;
    }
    String password = config.admin().password();
    if (password == null || password.isBlank()) {
      password = System.getenv("LOVCEN_ADMIN_PASSWORD");
    }
    if (password == null || password.isBlank()) {
      throw new org.lovcen.core.LovcenException("the store has no user yet: set admin.password in the configuration "
          + "or LOVCEN_ADMIN_PASSWORD to create the first administrator '" + config.admin().user() + "'");
    }
    dir.createUser(config.admin().user(), password, Role.ADMIN, null, null);
  }

  /**
   * The engine with the rule files uploaded through the API (stored in rule_uploads), compiled
   * as one set beside the loaded rules; an upload that no longer compiles (a changed placeholder)
   * is reported with the filters' problems, its good rules still run. The owners of the uploads
   * take effect with the institutions' rules compiled next ({@link #settings}).
   */
  private Engine uploads(Engine e) {
    return e.withUploads(RuleUploads.compile(storedUploads()));
  }

  /** The uploads in the store, as the runners compile them. */
  private List<RuleUploads.File> storedUploads() {
    return new RuleUploadStore(db).list(Scope.NATIONAL).stream()
        .map(u -> new RuleUploads.File(u.id(), u.institution(), u.name(), u.yaml())).toList();
  }

  /** The engine with the store's per-institution rule switches and filters; bad filters are reported, not applied. */
  private Engine settings(Engine e) {
    Settings s = new Settings(db);
    List<String> problems = new ArrayList<>();
    Engine next = e.withSettings(InstitutionRules.compile(e.allRules(), e.uploads().owners(), s.disabledRules(),
        filterTexts(s), problems::add));
    problems.addAll(e.uploads().problems());
    settingProblems = List.copyOf(problems);
    return next;
  }

  /** Per institution, its filters' YAML texts by name ({@code filter ID (NAME)}). */
  private static Map<String, Map<String, String>> filterTexts(Settings s) {
    Map<String, Map<String, String>> texts = new LinkedHashMap<>();
    for (Settings.Filter f : s.filters(Scope.NATIONAL)) {
      texts.computeIfAbsent(f.institution(), k -> new LinkedHashMap<>()).put("filter " + f.id() + " (" + f.name() + ")",
          f.yaml());
    }
    return texts;
  }

  /*
   * Kafka mode: the workers decide which rules run for which institution from what the server
   * keeps: the institutions' switches and filters (the settings topic) and the uploaded rules (the
   * uploads topic, each with its owner). So after every change (and at start) the server publishes
   * them, on the timer thread: an API call does not wait for the broker, and a failed publication
   * is tried again until the broker takes it. A change while a publication is pending is covered
   * by it (each publication reads the store afresh).
   */
  private void publishSettings() {
    publishLater(settingsToPublish, "institution settings", this::publishStoredSettings);
  }

  private void publishUploads() {
    publishLater(uploadsToPublish, "uploaded rules", () -> publisher.publishUploads(storedUploads()));
  }

  private void publishLater(java.util.concurrent.atomic.AtomicBoolean pending, String what, Runnable publication) {
    if (publisher != null && pending.compareAndSet(false, true)) {
      timers.execute(() -> publish(pending, what, publication));
    }
  }

  private void publish(java.util.concurrent.atomic.AtomicBoolean pending, String what, Runnable publication) {
    pending.set(false);
    try {
      publication.run();
    } catch (RuntimeException e) {
      System.getLogger("lovcen.kafka").log(System.Logger.Level.WARNING, what + " not published, trying again in "
          + "10 s: " + e.getMessage());
      if (pending.compareAndSet(false, true)) {
        timers.schedule(() -> publish(pending, what, publication), 10, TimeUnit.SECONDS);
      }
    }
  }

  private void publishStoredSettings() {
    Settings s = new Settings(db);
    Map<String, org.lovcen.kafka.InstitutionSettings> all = new java.util.TreeMap<>();
    Map<String, java.util.Set<String>> disabled = s.disabledRules();
    Map<String, Map<String, String>> filters = filterTexts(s);
    java.util.Set<String> institutions = new java.util.TreeSet<>(disabled.keySet());
    institutions.addAll(filters.keySet());
    new Directory(db).institutions(Scope.NATIONAL).forEach(i -> institutions.add(i.id()));
    for (String i : institutions) {
      all.put(i, new org.lovcen.kafka.InstitutionSettings(disabled.get(i), filters.get(i)));
    }
    publisher.publishSettings(all);
  }

  /** Detects events stored before a stop but not detected; runs before ingest opens. */
  private void catchUp(long cursor) {
    EventStore events = new EventStore(db);
    long after = cursor;
    while (true) {
      List<StoredEvent> page = events.after(Scope.NATIONAL, after, 5000);
      if (page.isEmpty()) {
        return;
      }
      List<StoreWriter.Stored> batch = new ArrayList<>(page.size());
      for (StoredEvent s : page) {
        batch.add(new StoreWriter.Stored(s.id(), s.toEvent(new Event()), 0));
      }
      detection.process(batch);
      after = page.get(page.size() - 1).id();
    }
  }

  private void registerGauges() {
    metrics.gauge("lovcen_ingest_queue_events", "Events waiting to be stored", queue::queued);
    metrics.gauge("lovcen_campaigns_alerts_held", "Alerts of the campaign window the linker holds (read once, "
        + "again only when completed)", campaigns::held);
    metrics.gauge("lovcen_campaigns_run_seconds", "Time the last campaign linking took (reading new alerts, linking, "
        + "storing)", campaigns::lastRunSeconds);
    if (detection != null) {
      metrics.gauge("lovcen_detection_backlog_batches", "Stored batches waiting for detection", detection::backlog);
      metrics.gauge("lovcen_detection_lag_events", "Stored events not yet detected",
          () -> Math.max(0, writer.lastId() - detection.cursor()));
      metrics.gauges("lovcen_rule_evaluations", "Full evaluations of the 20 rules evaluated most often (the "
          + "rules whose prefilter lets most events through: where detection time goes)", "rule", detection::topRules);
      metrics.gauge("lovcen_correlation_future_hits", "Correlation hits left out because they were dated more than "
          + "15 minutes ahead of the server's clock", detection::futureHits);
    } else {
      metrics.gauge("lovcen_kafka_forward_lag_events", "Stored events not yet acknowledged by Kafka",
          () -> Math.max(0, writer.lastId() - forwarder.cursor()));
      metrics.gauge("lovcen_kafka_forward_failures", "Sends Kafka did not acknowledge (answered 503, sent again)",
          forwarder::failures);
      metrics.gauge("lovcen_kafka_alerts_received", "Alerts read from the alerts topic", kafkaAlerts::received);
    }
    metrics.gauges("lovcen_regex_fallbacks", "Values on which a rule regex ran past its step budget and RE2 "
        + "answered instead (a slow pattern: see docs/SIGMA.md)", "pattern", () -> {
          java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
          org.lovcen.sigma.RegexFallbacks.snapshot().forEach((k, v) -> m.put(k.length() > 200 ? k.substring(0, 200) : k, v));
          return m;
        });
    metrics.gauge("lovcen_store_write_failures", "Store transactions of ingest that failed since start (the "
        + "disk full, the database away)", writer::failedBatches);
    metrics.gauge("lovcen_store_writable", "1 while the store takes ingest's writes, 0 while they fail (see /readyz)",
        () -> writer.failure() == null ? 1 : 0);
    metrics.gauge("lovcen_rules_active", "Rules the engine runs", () -> engine.get().rules().rules().size());
    metrics.gauge("lovcen_indicators_live", "Indicators matched", () -> engine.get().indicators().size());
  }


  /** Re-reads the rules (and indicators) and swaps them in; returns the new report. */
  public RuleSet.Report reloadRules() {
    RuleSet next = ruleLoader.get();
    rulesLoadedAt = System.currentTimeMillis();
    engine.updateAndGet(e -> settings(uploads(e.withRules(next))));
    playbooks = org.lovcen.server.response.Playbooks.load(playbookFolders());
    return next.report();
  }

  /** Re-reads rule switches and filters from the store and swaps them in. */
  public void reloadSettings() {
    engine.updateAndGet(this::settings);
    publishSettings();
  }

  /**
   * Re-reads the uploaded rules from the store, compiles them and swaps them in (with the filters
   * over them); in Kafka mode, publishes them to the workers.
   */
  public void reloadUploads() {
    engine.updateAndGet(e -> settings(uploads(e)));
    publishUploads();
  }

  /** A timer task that survives a failing run (the store away): the next run tries again. */
  private static Runnable quietly(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        System.getLogger("lovcen.server").log(System.Logger.Level.WARNING, e.toString());
      }
    };
  }

  /** The playbook folders: configured, else {@code playbooks/} of the installation. */
  private List<java.nio.file.Path> playbookFolders() {
    if (!config.cases().playbooks().isEmpty()) {
      return config.cases().playbooks().stream().map(java.nio.file.Path::of).toList();
    }
    return List.of(java.nio.file.Path.of(System.getProperty("lovcen.home", ".")).resolve("playbooks"));
  }

  /** Links recent alerts into campaigns now (also every campaigns.interval_seconds); returns new campaigns' ids. */
  public List<Long> linkCampaigns() {
    List<Long> created = campaigns.run();
    if (!created.isEmpty()) {
      notifier.campaigns(created);
    }
    return created;
  }

  /** The campaign linker of this server (what it holds of the window). */
  public org.lovcen.server.response.CampaignTracker campaignTracker() {
    return campaigns;
  }

  /** The periodic linking: as {@link #linkCampaigns()} when an alert of the window or its hosts changed since the last. */
  void linkCampaignsIfChanged() {
    List<Long> created = campaigns.runIfChanged();
    if (!created.isEmpty()) {
      notifier.campaigns(created);
    }
  }

  /** Sends the notifications of incidents that became notifiable (also every notifications.interval_seconds). */
  public void notifyIncidents() {
    notifier.incidents();
  }

  /** The playbooks loaded at start (and on a rule reload). */
  public org.lovcen.server.response.Playbooks playbooks() {
    return playbooks;
  }

  /** Deletes events older than their institution's retention (runs every retention.sweep_minutes). */
  void sweepRetention() {
    try {
      long now = System.currentTimeMillis() * 1000;
      EventStore events = new EventStore(db);
      for (Directory.Institution i : new Directory(db).institutions(Scope.NATIONAL)) {
        events.deleteOlderThan(i.id(), i.retentionDays() > 0 ? i.retentionDays() : config.retention().defaultDays(), now);
      }
    } catch (RuntimeException e) {
      // the store is unavailable; the next sweep retries
    }
  }

  public ServeConfig config() {
    return config;
  }

  /** The server's clock (decisions are timed on it). */
  public java.time.Clock clock() {
    return clock;
  }

  /** The server's clock in micros since the epoch. */
  long nowMicros() {
    return clock.millis() * 1000;
  }

  /** The website detectors' parameters (allowlist included). */
  public org.lovcen.web.WebConfig webConfig() {
    return webConfig;
  }

  public Database database() {
    return db;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** The indicators the server keeps and matches (imports, TAXII, feeds, retro-hunts). */
  public LiveIndicators indicators() {
    return indicators;
  }

  /** The partner TAXII feeds polled. */
  public FeedPoller feeds() {
    return feeds;
  }

  IngestQueue queue() {
    return queue;
  }

  Engine engine() {
    return engine.get();
  }

  long rulesLoadedAt() {
    return rulesLoadedAt;
  }

  List<String> settingProblems() {
    return settingProblems;
  }

  /** Rules the engine runs now. */
  public int ruleCount() {
    return engine.get().rules().rules().size();
  }

  /** The id of the last event whose alerts are stored (Kafka mode: the last event on the broker). */
  public long detectedUpTo() {
    return detection != null ? detection.cursor() : forwarder.cursor();
  }

  /** The Kafka cluster's detection state; null when detection is embedded. */
  public org.lovcen.kafka.ClusterStatus cluster() {
    return cluster;
  }

  /** Events stored since start. */
  public long storedEvents() {
    return writer.storedEvents();
  }

  /** The routes of the HTTP API as {@code "METHOD path"}. */
  List<String> routes() {
    return api.registeredRoutes();
  }

  /** The HTTP port (useful when configured as 0). */
  public int port() {
    return api.port();
  }

  /** The plain HTTP port that redirects to HTTPS ({@code listen.redirect_port}), or -1 when there is none. */
  public int redirectPort() {
    return api.redirectPort();
  }

  /** The API's base URL: {@code https://} when it speaks TLS, with the listening host and port. */
  public String url() {
    return (httpTls != null ? "https://" : "http://") + config.listen().host() + ":" + port();
  }

  /** The HTTPS listener's TLS context, or null when the API speaks plain HTTP. */
  javax.net.ssl.SSLContext httpTls() {
    return httpTls;
  }

  /** Whether ingest and detection are running, the store answers and takes writes. */
  public boolean ready() {
    return readiness().equals("ready");
  }

  /**
   * {@code ready}, or why not: {@code store unavailable} (it does not answer), {@code store full}
   * (its disk is full: writes fail), {@code store writes failing} (for another reason).
   */
  public String readiness() {
    if (!db.ping()) {
      return "store unavailable";
    }
    StoreWriter.Failure f = writer.failure();
    return f == null ? "ready" : f.full() ? "store full" : "store writes failing";
  }

  /** {@code metrics.allow}: the networks that read {@code /metrics} without a token. */
  List<org.lovcen.web.Cidr> metricsAllow() {
    return metricsAllow;
  }

  /** The syslog listeners, or null when none is configured. */
  public org.lovcen.server.syslog.SyslogServer syslog() {
    return syslog;
  }

  /**
   * Stops everything in the reverse order of the start (listeners first, the store last); also
   * after a failed start, when some parts were never made. Every step runs even if one before it
   * failed; the first failure is thrown afterwards.
   */
  @Override
  public void close() {
    List<Runnable> steps = List.of(() -> closeMade(syslog), () -> closeMade(api), timers::shutdownNow,
        () -> closeMade(feeds), () -> closeMade(indicators), () -> closeMade(writer), () -> closeMade(detection),
        this::closeKafka, () -> closeMade(notifier), db::close);
    RuntimeException failure = null;
    for (Runnable step : steps) {
      try {
        step.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Closes a part the start made (null: never made, after a failed start). */
  private static void closeMade(AutoCloseable part) {
    if (part == null) {
      return;
    }
    try {
      part.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot close " + part.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
