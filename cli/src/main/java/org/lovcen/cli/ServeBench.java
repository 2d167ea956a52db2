package org.lovcen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.server.LatencyCounts;
import org.lovcen.server.LovcenServer;
import org.lovcen.server.ServeConfig;
import org.lovcen.sigma.RuleSet;

/*
 * How and why: acceptance 5 measures the whole server, so the benchmark drives a real
 * LovcenServer (in this JVM, on loopback, over the embedded SQLite unless --database says
 * otherwise) through its public HTTP API, as log shippers do: N client threads post JSON-lines
 * requests of the demo scenario with idempotency keys, and retry on 429. Generation and request
 * bodies are prepared before the clock starts. After a warm-up the steady phase counts events
 * that are stored AND detected (the detection cursor; detection runs after storage), so the
 * figure cannot outrun the slowest stage; the bounded ingest queue turns any backlog into 429s.
 * At the end the clients stop and the time detection needs to catch up is reported. The
 * latency from an ingest request's arrival to its alert being stored comes from the server's
 * own summary metric. CPU time is reported per stage (thread groups) so a bottleneck shows.
 * Clients share the machine with the server: the figures are for both on the same cores.
 */
/** {@code lovcen bench --serve}: sustained ingest + detection + storage through the HTTP API. */
final class ServeBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int INSTITUTIONS = 4;

  /** What to run. */
  record Options(long events, List<Path> rules, int clients, int seconds, int warmup, int batch, String database,
      int rate) {}

  private final Options o;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicLong unavailable = new AtomicLong();
  private volatile String firstUnavailable;
  private final List<long[]> ackNanos = new ArrayList<>();

  private ServeBench(Options o) {
    this.o = o;
  }

  static int run(Options o) throws Exception {
    return new ServeBench(o).run();
  }

  private int run() throws Exception {
    List<Path> rulePaths = RuleSources.resolve(o.rules());
    long t0 = System.nanoTime();
    RuleSet rules = RuleSet.load(rulePaths, RuleSet.Options.defaults());
    out("rules: %,d rules from %s, loaded in %.1f s", rules.rules().size(), rulePaths,
        (System.nanoTime() - t0) / 1e9);
    List<byte[]> bodies = bodies();
    Path data = Files.createTempDirectory("lovcen-servebench");
    Map<String, String> env = new HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("LOVCEN_")) {
        env.put(k, v); // the server's settings (LOVCEN_INGEST_BATCH_EVENTS …) apply to the bench too
      }
    });
    env.put("LOVCEN_DATA", data.toString());
    env.put("LOVCEN_DATABASE_URL", o.database() == null ? "" : o.database());
    env.put("LOVCEN_LISTEN_HOST", "127.0.0.1");
    env.put("LOVCEN_LISTEN_PORT", "0");
    String password = UUID.randomUUID().toString();
    env.put("LOVCEN_ADMIN_PASSWORD", password);
    try (LovcenServer server = LovcenServer.start(ServeConfig.defaults(env), () -> rules)) {
      String url = "http://127.0.0.1:" + server.port();
      out("server: %s, store %s", url, server.database().display());
      List<String> tokens = tokens(url, password);
      return measure(server, url, tokens, bodies);
    } finally {
      RulesCommand.Update.deleteTree(data);
    }
  }

  /** The demo scenario of four institutions as JSON-lines request bodies of {@code batch} events. */
  private List<byte[]> bodies() {
    long g0 = System.nanoTime();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ScenarioGenerator.Summary s = ScenarioGenerator.writeTo(buf, ScenarioGenerator.Options.defaults()
        .withEvents(o.events()).withInstitutions(INSTITUTIONS).withHosts(300));
    byte[] all = buf.toByteArray();
    buf = null;
    List<byte[]> bodies = new ArrayList<>();
    int from = 0;
    int lines = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n' && ++lines == o.batch()) {
        bodies.add(Arrays.copyOfRange(all, from, i + 1));
        from = i + 1;
        lines = 0;
      }
    }
    if (from < all.length) {
      bodies.add(Arrays.copyOfRange(all, from, all.length));
    }
    out("corpus: %,d events (%,d of the intrusion), %,.1f MB in %,d requests of up to %,d events; generated in "
        + "%.1f s", s.events(), s.attackEvents(), all.length / 1e6, bodies.size(), o.batch(),
        (System.nanoTime() - g0) / 1e9);
    return bodies;
  }

  /** Signs in, creates the institutions, returns one ingest token per institution. */
  private List<String> tokens(String url, String password) throws IOException, InterruptedException {
    String admin = post(url + "/api/v1/auth/login", null, Map.of("name", "admin", "password", password))
        .get("token").asText();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < INSTITUTIONS; i++) {
      String id = "bench" + i;
      post(url + "/api/v1/institutions", admin, Map.of("id", id, "name", "Bench " + i));
      tokens.add(post(url + "/api/v1/institutions/" + id + "/ingest-tokens", admin, Map.of()).get("token").asText());
    }
    return tokens;
  }

  private JsonNode post(String url, String token, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(url + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private int measure(LovcenServer server, String url, List<String> tokens, List<byte[]> bodies)
      throws InterruptedException {
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < o.clients(); c++) {
      int client = c;
      long[] lat = new long[1 << 16];
      synchronized (ackNanos) {
        ackNanos.add(lat);
      }
      Thread t = new Thread(() -> client(url, tokens.get(client % tokens.size()), bodies, client, lat),
          "bench-client-" + c);
      t.setDaemon(true);
      clients.add(t);
    }
    long start = System.nanoTime();
    clients.forEach(Thread::start);
    Sample first = null;
    Sample prev = sample(server, start);
    for (int sec = 1; sec <= o.warmup() + o.seconds(); sec++) {
      java.util.concurrent.TimeUnit.NANOSECONDS.sleep(start + sec * 1_000_000_000L - System.nanoTime());
      Sample now = sample(server, start);
      out("  %3d s: %,8.0f events/s acked, %,8.0f stored, %,8.0f detected; queue %,7d; 429s %,d, 503s %,d%s", sec,
          rate(prev.acked, now.acked, prev, now), rate(prev.stored, now.stored, prev, now),
          rate(prev.detected, now.detected, prev, now), now.metrics.getOrDefault("lovcen_ingest_queue_events", 0.0).intValue(),
          throttled.get(), unavailable.get(), sec == o.warmup() ? "  (warm-up ends)" : "");
      if (sec == o.warmup()) {
        first = now;
        resetAckLatencies();
      }
      prev = now;
    }
    Sample last = prev;
    stop.set(true);
    for (Thread t : clients) {
      t.join(60_000);
    }
    long d0 = System.nanoTime();
    long stored = server.storedEvents();
    while (server.detectedUpTo() < lastStoredId(server) && System.nanoTime() - d0 < 120_000_000_000L) {
      Thread.sleep(10);
    }
    double drain = (System.nanoTime() - d0) / 1e9;
    report(server, first, last, stored, drain);
    return 0;
  }

  private void client(String url, String token, List<byte[]> bodies, int client, long[] lat) {
    int i = client * (bodies.size() / Math.max(1, o.clients()));
    long seq = 0;
    double perClient = o.rate() / (double) o.clients();
    long began = System.nanoTime();
    long sent = 0;
    while (!stop.get()) {
      if (perClient > 0) {
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.sleep(began + (long) (sent / perClient * 1e9) - System.nanoTime());
        } catch (InterruptedException e) {
          return;
        }
      }
      byte[] body = bodies.get(i++ % bodies.size());
      HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/ingest/events"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-ndjson")
          .header("Idempotency-Key", "c" + client + "-" + seq++).timeout(Duration.ofSeconds(60))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      try {
        while (!stop.get()) {
          long t0 = System.nanoTime();
          HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            long n = JSON.readTree(r.body()).get("accepted").asLong();
            acked.addAndGet(n);
            sent += n;
            record(lat, System.nanoTime() - t0);
            break;
          }
          if (r.statusCode() != 429 && r.statusCode() != 503) {
            throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
          }
          if (r.statusCode() == 429) {
            throttled.incrementAndGet();
          } else if (unavailable.incrementAndGet() == 1) {
            firstUnavailable = r.body();
          }
          Thread.sleep(20);
        }
      } catch (IOException e) {
        if (!stop.get()) {
          throw new IllegalStateException("ingest failed: " + e, e);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Request round-trip times of one client: a ring of the latest 65,536, slot 0 counts. */
  private static void record(long[] lat, long nanos) {
    synchronized (lat) {
      long n = ++lat[0];
      lat[1 + (int) ((n - 1) % (lat.length - 1))] = nanos;
    }
  }

  private void resetAckLatencies() {
    synchronized (ackNanos) {
      for (long[] l : ackNanos) {
        synchronized (l) {
          Arrays.fill(l, 0);
        }
      }
    }
  }

  private double[] ackQuantiles() {
    List<Long> all = new ArrayList<>();
    synchronized (ackNanos) {
      for (long[] l : ackNanos) {
        synchronized (l) {
          int n = (int) Math.min(l[0], l.length - 1);
          for (int i = 1; i <= n; i++) {
            all.add(l[i]);
          }
        }
      }
    }
    if (all.isEmpty()) {
      return new double[] {Double.NaN, Double.NaN};
    }
    all.sort(null);
    return new double[] {all.get(all.size() / 2) / 1e9, all.get((int) Math.min(all.size() - 1,
        Math.ceil(all.size() * 0.99) - 1)) / 1e9};
  }

  private record Sample(long nanos, long acked, long stored, long detected, long processCpu, Map<String, Long> cpu,
      Map<String, Double> metrics, long[] latencies) {}

  private Sample sample(LovcenServer server, long start) {
    return new Sample(System.nanoTime() - start, acked.get(), server.storedEvents(), server.detectedUpTo(),
        processCpu(), threadCpu(), metrics(server), server.metrics().alertLatencies().snapshot());
  }

  private static final List<String> METRICS = List.of("lovcen_detection_batch_seconds_sum",
      "lovcen_db_alert_write_seconds_sum", "lovcen_db_event_write_seconds_sum", "lovcen_alerts_total",
      "lovcen_ingest_queue_events");

  /** The server's counters and histogram sums this report uses, from its Prometheus text. */
  private static Map<String, Double> metrics(LovcenServer server) {
    Map<String, Double> out = new HashMap<>();
    for (String line : server.metrics().scrape().split("\n")) {
      int sp = line.lastIndexOf(' ');
      if (sp > 0 && METRICS.contains(line.substring(0, sp))) {
        out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
      }
    }
    return out;
  }

  private static double rate(long a, long b, Sample from, Sample to) {
    return (b - a) / ((to.nanos - from.nanos) / 1e9);
  }

  private static long lastStoredId(LovcenServer server) {
    return server.database().jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(MAX(id), 0) FROM events")
        .mapTo(Long.class).one());
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU time by stage, from the names of the threads: from /proc on Linux, which also sees the
   * JVM's own threads (GC, JIT compilers), else from the ThreadMXBean (Java threads only).
   */
  private static Map<String, Long> threadCpu() {
    Map<String, Long> out = new LinkedHashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (Files.isDirectory(tasks)) {
      try (var s = Files.list(tasks)) {
        for (Path t : s.toList()) {
          try {
            String stat = Files.readString(t.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            out.merge(stage(name), ticks * 10_000_000L, Long::sum); // USER_HZ is 100 on Linux
          } catch (IOException | RuntimeException e) {
            // the thread ended meanwhile
          }
        }
        return out;
      } catch (IOException e) {
        out.clear();
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null && mx.getThreadCpuTime(t.getThreadId()) > 0) {
        out.merge(stage(t.getThreadName()), mx.getThreadCpuTime(t.getThreadId()), Long::sum);
      }
    }
    return out;
  }

  private static String stage(String thread) {
    if (thread.startsWith("lovcen-store-wr")) {
      return "store writer";
    }
    if (thread.startsWith("lovcen-detectio")) {
      return "detection";
    }
    if (thread.startsWith("lovcen-alert-wr")) {
      return "alert writer";
    }
    if (thread.startsWith("bench-client") || thread.startsWith("HttpClient")) {
      return "bench clients";
    }
    if (thread.startsWith("ForkJoinPool-") || thread.startsWith("qtp") || thread.startsWith("Jetty")) {
      return "http ingest";
    }
    if (thread.startsWith("GC ") || thread.startsWith("G1 ") || thread.equals("VM Thread")) {
      return "gc";
    }
    if (thread.contains("CompilerThre")) {
      return "jit";
    }
    return "other";
  }

  private void report(LovcenServer server, Sample a, Sample b, long stored, double drain) {
    double secs = (b.nanos - a.nanos) / 1e9;
    double cpu = (b.processCpu - a.processCpu) / 1e9;
    out("steady phase: %.1f s after %d s of warm-up, %d clients, %,d events per request, %s", secs, o.warmup(),
        o.clients(), o.batch(), o.rate() > 0 ? String.format(Locale.ROOT, "offered %,d events/s", o.rate())
            : "as fast as answered");
    out("  acked    %,10.0f events/s", (b.acked - a.acked) / secs);
    out("  stored   %,10.0f events/s", (b.stored - a.stored) / secs);
    out("  detected %,10.0f events/s (stored and detected: the sustained figure)", (b.detected - a.detected) / secs);
    StringBuilder stages = new StringBuilder();
    for (Map.Entry<String, Long> e : b.cpu.entrySet()) {
      long before = a.cpu.getOrDefault(e.getKey(), 0L);
      stages.append(String.format(Locale.ROOT, "%s %.2f, ", e.getKey(), (e.getValue() - before) / 1e9 / secs));
    }
    out("  CPU: %.2f of %d cores (%s)", cpu / secs, Runtime.getRuntime().availableProcessors(),
        stages.substring(0, Math.max(0, stages.length() - 2)));
    long events = b.detected - a.detected;
    out("  alerts: %,.0f stored (%.1f per 100 events); wall time per event: rules %.1f us, alert writes %.1f us "
        + "(detection thread), event writes %.1f us (store writer)", delta(a, b, "lovcen_alerts_total"),
        100 * delta(a, b, "lovcen_alerts_total") / Math.max(1, events),
        1e6 * delta(a, b, "lovcen_detection_batch_seconds_sum") / Math.max(1, events),
        1e6 * delta(a, b, "lovcen_db_alert_write_seconds_sum") / Math.max(1, events),
        1e6 * delta(a, b, "lovcen_db_event_write_seconds_sum") / Math.max(1, b.stored - a.stored));
    out("  per core: %,.0f events stored and detected per CPU second of the whole process (server and clients)",
        (b.detected - a.detected) / Math.max(1e-9, cpu));
    double[] ack = ackQuantiles();
    out("  request round trip (ingest to stored, answered): p50 %.3f s, p99 %.3f s", ack[0], ack[1]);
    double p50 = LatencyCounts.quantile(a.latencies, b.latencies, 0.5);
    double p99 = LatencyCounts.quantile(a.latencies, b.latencies, 0.99);
    out("  ingest to alert stored, steady phase: p50 %.3f s, p99 %.3f s, max %.3f s", p50, p99,
        LatencyCounts.quantile(a.latencies, b.latencies, 1.0));
    out("  ingest to alert stored, whole run (warm-up included; the server's summary): p50 %.3f s, p99 %.3f s",
        server.metrics().latencyQuantile(0.5), server.metrics().latencyQuantile(0.99));
    if (firstUnavailable != null) {
      out("  %,d answers 503 (retried), the first: %s", unavailable.get(), firstUnavailable);
    }
    out("  after the clients stopped: %,d events stored in all, detection caught up in %.2f s", stored, drain);
    out("result: %,.0f events/s ingested, stored and detected; alert latency p99 %.3f s (%s, %d cores, %,d rules)",
        (b.detected - a.detected) / secs, p99, server.database().display()
            .startsWith("sqlite") ? "SQLite" : "PostgreSQL", Runtime.getRuntime().availableProcessors(),
        server.ruleCount());
  }

  private static double delta(Sample a, Sample b, String metric) {
    return b.metrics.getOrDefault(metric, 0.0) - a.metrics.getOrDefault(metric, 0.0);
  }

  private static void out(String fmt, Object... args) {
    System.out.println(String.format(Locale.ROOT, fmt, args));
    System.out.flush();
  }
}
