package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.sigma.RuleSet;
import org.lovcen.store.Database;
import org.lovcen.store.TestDatabases;

/*
 * How and why (acceptance 2): the real `lovcen serve` runs in a child JVM so that it can be
 * killed with SIGKILL, which no in-process test can imitate: nothing of the server's own shutdown
 * runs. Several clients send the demo scenario (ordinary activity with the intrusion woven in, so
 * Lovcen's rules fire) in requests with Idempotency-Keys; each event carries a unique marker in
 * its EventData. Once some requests are answered the child is killed mid-stream; requests in
 * flight then may or may not be stored. A second child starts on the same database and every
 * request that did not get a 200 is sent again with its key. Then, counted in the database by
 * marker: every event is stored exactly once, and the single-event alerts are exactly those a
 * clean hunt over the same events gives (each once). Correlation alerts are only counted: their
 * state lives in memory and does not survive a kill (reported beside the figures).
 *
 * The answer that reaches the kill mark is dropped by its client, which then kills the child at
 * once: that request is stored but unanswered, and its retry must be a duplicate. Because the
 * kill seldom lands between an event commit and the commit of its alerts, the test then moves the
 * detection cursor back (rewindDetection) so that the restart's catch-up has work to do.
 */
class ServeDurabilityTest {
  private static final String INSTITUTION = "mf";
  private static final String MARKER = "LovcenMarker";
  private static final Pattern MARKED = Pattern.compile("\"" + MARKER + "\"\\s*:\\s*\"(m\\d+)\"");
  private static final int ORDINARY_EVENTS = 6_000;
  private static final int EVENTS_PER_REQUEST = 20;
  private static final int CLIENTS = 4;

  @TempDir Path dir;

  /** One ingest request: its key, the markers of its events, the body. */
  record Request(String key, List<String> markers, byte[] body) {}

  /**
   * What one sending phase saw: requests answered 200, those of them answered "duplicate", those
   * whose 200 the client dropped as if the connection had died with the server, and requests whose
   * connection broke.
   */
  record Sent(Set<String> ok, Set<String> duplicates, Set<String> lost, int broken) {}

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void kill9MidStream_thenRetryUnanswered_storesEveryEventOnceWithEveryAlertOnce(String kind) throws Exception {
    long t0 = System.nanoTime();
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl(kind, dir, url);
    try {
      List<String> lines = markedScenario();
      Path corpus = dir.resolve("corpus.jsonl");
      Files.write(corpus, lines);
      List<Request> requests = requests(lines);
      int[] cleanCorrelations = {0};
      Map<String, Integer> expected = cleanHuntAlerts(corpus, cleanCorrelations);

      Sent before;
      String token;
      int exit;
      long pid;
      try (ServeProcess first = ServeProcess.start(url[0], dir, "first")) {
        pid = first.pid();
        token = first.ingestToken(INSTITUTION);
        before = sendUntilKilled(first, token, requests, killMark(expected, requests.size()));
        exit = first.killHard();
      }
      assertThat(exit).as("exit code of a child killed by SIGKILL (128 + 9)").isEqualTo(137);
      assertThat(before.ok()).as("requests answered before the kill").isNotEmpty().hasSizeLessThan(requests.size());
      long[] lag = detectionLag(url[0]);
      int[] rewound = rewindDetection(url[0]);

      List<Request> unanswered = requests.stream().filter(r -> !before.ok().contains(r.key())).toList();
      Sent after;
      try (ServeProcess second = ServeProcess.start(url[0], dir, "second")) {
        after = sendAll(second, token, unanswered);
        assertThat(after.ok()).as("retried requests answered 200").hasSize(unanswered.size());
        assertThat(after.duplicates()).as("stored before the kill, answer lost: retry is a duplicate")
            .containsAll(before.lost());
        awaitDetection(url[0], second);
        second.stop();
        assertThat(second.output()).as("a SIGTERM closes the server before the JVM exits").contains("lovcen: stopped");
      }

      Stored stored = read(url[0]);
      Map<String, Integer> perMarker = stored.eventsPerMarker();
      List<String> notOnce = new ArrayList<>();
      for (Request r : requests) {
        for (String m : r.markers()) {
          if (perMarker.getOrDefault(m, 0) != 1) {
            notOnce.add(m + " x" + perMarker.getOrDefault(m, 0) + (before.ok().contains(r.key()) ? " (200 before "
                + "the kill)" : " (retried)"));
          }
        }
      }
      assertThat(notOnce).as("events not stored exactly once").isEmpty();
      assertThat(stored.events()).isEqualTo(lines.size());
      assertThat(stored.sigmaAlerts()).as("single-event alerts (marker rule -> count) against a clean hunt")
          .isEqualTo(expected);
      System.out.printf(java.util.Locale.ROOT, "%s: %d events in %d requests; %d answered before kill -9 "
          + "(pid %d), then %d events stored of which %d not yet detected; %d retried, %d of them already stored "
          + "(%d answers dropped on purpose); cursor moved back over %d alerts, %d of them deleted; %d "
          + "single-event alerts as the clean hunt; correlation alerts %d (clean hunt %d); %.1f s%n", kind,
          lines.size(), requests.size(), before.ok().size(), pid, lag[0], lag[0] - lag[1], unanswered.size(), after.duplicates().size(), before.lost().size(),
          rewound[0], rewound[1], expected.values().stream().mapToInt(Integer::intValue).sum(), stored.correlationAlerts(),
          cleanCorrelations[0], (System.nanoTime() - t0) / 1e9);
    } finally {
      drop.run();
    }
  }

  /** The demo scenario as JSON lines, each event with a unique marker in its EventData. */
  private static List<String> markedScenario() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ScenarioGenerator.writeTo(out, ScenarioGenerator.Options.defaults().withEvents(ORDINARY_EVENTS).withHosts(60));
    List<String> lines = new ArrayList<>();
    int n = 0;
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      ObjectNode root = (ObjectNode) ServeProcess.JSON.readTree(line);
      ObjectNode event = (ObjectNode) root.get("Event");
      ObjectNode data = event.has("EventData") && event.get("EventData").isObject()
          ? (ObjectNode) event.get("EventData") : event.putObject("EventData");
      data.put(MARKER, String.format(java.util.Locale.ROOT, "m%06d", n++));
      lines.add(ServeProcess.JSON.writeValueAsString(root));
    }
    return lines;
  }

  private static List<Request> requests(List<String> lines) {
    List<Request> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i += EVENTS_PER_REQUEST) {
      List<String> chunk = lines.subList(i, Math.min(lines.size(), i + EVENTS_PER_REQUEST));
      List<String> markers = new ArrayList<>();
      for (String l : chunk) {
        Matcher m = MARKED.matcher(l);
        assertThat(m.find()).isTrue();
        markers.add(m.group(1));
      }
      out.add(new Request("req-" + out.size(), markers, ServeProcess.utf8(String.join("\n", chunk) + "\n")));
    }
    return out;
  }

  /**
   * How many answered requests trigger the kill: those up to the alert in the middle of the
   * scenario, so that alerts are stored both before and after the kill (the intrusion comes late
   * in the day).
   */
  private static int killMark(Map<String, Integer> alerts, int requests) {
    List<Integer> lines = alerts.keySet().stream().map(k -> Integer.parseInt(k.substring(1, k.indexOf(' ')))).sorted()
        .toList();
    int mark = lines.get(lines.size() / 2) / EVENTS_PER_REQUEST + 1;
    return Math.max(1, Math.min(requests - CLIENTS * 2, mark));
  }

  /** "marker ruleId" -> count of the sigma alerts a clean hunt over the corpus gives. */
  private static Map<String, Integer> cleanHuntAlerts(Path corpus, int[] correlations) {
    RuleSet rules = RuleSet.load(List.of(Project.ownRules()), RuleSet.Options.defaults());
    Map<Long, String> markerOfLine = new HashMap<>();
    for (EventSource s : Readers.openAll(List.of(corpus), new ReadOptions(INSTITUTION, null), p -> {})) {
      for (EventSource.Split split : s.splits()) {
        split.read(new Event(), e -> markerOfLine.put(e.record(), e.get(MARKER)), p -> {});
      }
    }
    List<EventSource> sources = Readers.openAll(List.of(corpus), new ReadOptions(INSTITUTION, null), p -> {});
    Map<String, Integer> out = new TreeMap<>();
    for (Alert a : new Hunt(rules, 1).run(sources, p -> {}, b -> {}).alerts()) {
      if (a.kind().equals("sigma")) {
        out.merge(markerOfLine.get(a.record()) + " " + a.ruleId(), 1, Integer::sum);
      } else if (a.kind().equals("correlation")) {
        correlations[0]++;
      }
    }
    assertThat(out).as("the scenario must raise alerts").isNotEmpty();
    return out;
  }

  /**
   * Clients send requests in order until {@code killAt} have been answered 200; the answer that
   * reaches the mark, and any arriving until the child is dead, are dropped as if the connection
   * had died with the server (so at least one request is stored but unanswered); the child is
   * killed at once by the client that got it, while the others are still sending. 429 and 503 are retried; a request whose
   * connection breaks is left unanswered.
   */
  private static Sent sendUntilKilled(ServeProcess child, String token, List<Request> requests, int killAt)
      throws Exception {
    Phase phase = new Phase(killAt, () -> child.process.destroyForcibly());
    return run(child, token, requests, phase,
        () -> assertThat(phase.enough.await(60, TimeUnit.SECONDS)).as("requests answered within 60 s").isTrue());
  }

  /** Sends every request until each is answered 200 (the server must stay up). */
  private static Sent sendAll(ServeProcess child, String token, List<Request> requests) throws Exception {
    return run(child, token, requests, new Phase(Integer.MAX_VALUE, () -> {}), () -> {});
  }

  /** Shared state of the clients of one phase. */
  private static final class Phase {
    final int killAt;
    final Runnable kill;
    final CountDownLatch enough = new CountDownLatch(1);
    final AtomicBoolean killed = new AtomicBoolean();
    final AtomicInteger next = new AtomicInteger();
    final Set<String> ok = ConcurrentHashMap.newKeySet();
    final Set<String> duplicates = ConcurrentHashMap.newKeySet();
    final Set<String> lost = ConcurrentHashMap.newKeySet();
    final AtomicInteger broken = new AtomicInteger();

    Phase(int killAt, Runnable kill) {
      this.killAt = killAt;
      this.kill = kill;
    }

    /** Records a 200; false when the answer is dropped because the kill is under way. */
    synchronized void answered(Request r, boolean duplicate) {
      if (enough.getCount() == 0 || ok.size() + 1 >= killAt) {
        if (!killed.getAndSet(true)) {
          kill.run(); // at once, on this thread: the server may still be detecting this request's events
        }
        lost.add(r.key());
        enough.countDown();
        return;
      }
      ok.add(r.key());
      if (duplicate) {
        duplicates.add(r.key());
      }
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  private static Sent run(ServeProcess child, String token, List<Request> requests, Phase phase, Action meanwhile)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(pool.submit(() -> {
          for (int i; !phase.killed.get() && (i = phase.next.getAndIncrement()) < requests.size(); ) {
            Request r = requests.get(i);
            ServeProcess.Response res = send(child, token, r, phase.killed);
            if (res == null) {
              phase.broken.incrementAndGet();
              return null;
            }
            phase.answered(r, res.json().get("duplicate").asBoolean());
          }
          return null;
        }));
      }
      meanwhile.run();
      for (Future<?> f : clients) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return new Sent(phase.ok, phase.duplicates, phase.lost, phase.broken.get());
  }

  /** The 200 answer, or null when the connection broke after the kill. */
  private static ServeProcess.Response send(ServeProcess child, String token, Request r, AtomicBoolean killed)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        ServeProcess.Response res = child.post("/api/v1/ingest/events", token, "application/x-ndjson", r.body(),
            "Idempotency-Key", r.key());
        if (res.status() == 200) {
          assertThat(res.json().get("accepted").asInt()).isEqualTo(r.markers().size());
          return res;
        }
        assertThat(res.status()).as(res.body()).isIn(429, 503);
      } catch (IOException e) {
        if (killed.get()) {
          return null;
        }
        throw new AssertionError(r.key() + ": " + e + "\n" + child.output(), e);
      }
      Thread.sleep(50);
    }
    throw new AssertionError(r.key() + " not stored within 30 s");
  }

  /** The last stored event id and the detection cursor, read while no server runs. */
  private static long[] detectionLag(String url) {
    try (Database db = Database.open(url, 2)) {
      return db.jdbi().withHandle(h -> new long[] {
          h.createQuery("SELECT COALESCE(MAX(id), 0) FROM events").mapTo(Long.class).one(),
          h.createQuery("SELECT COALESCE(MAX(value), 0) FROM cursors WHERE name = 'detection'").mapTo(Long.class)
              .one()});
    }
  }

  /**
   * Moves the detection cursor back to before the first event with a single-event alert and
   * deletes the alerts of the later half of those events: as if detection had lagged at the
   * kill (the real kill rarely lands in the millisecond between an event commit and its alert
   * commit). The restart must then re-create the deleted alerts and not repeat the others.
   * Returns the alerts passed over and the alerts deleted.
   */
  private static int[] rewindDetection(String url) {
    try (Database db = Database.open(url, 2)) {
      return db.jdbi().inTransaction(h -> {
        List<Long> refs = h.createQuery("SELECT event_ref FROM alerts WHERE kind = 'sigma' ORDER BY event_ref")
            .mapTo(Long.class).list();
        assertThat(refs).as("alerts stored before the kill").hasSizeGreaterThanOrEqualTo(2);
        long from = refs.get(refs.size() / 2);
        int deleted = h.createUpdate("DELETE FROM alerts WHERE kind = 'sigma' AND event_ref >= :r").bind("r", from)
            .execute();
        h.createUpdate("UPDATE cursors SET value = :v WHERE name = 'detection'").bind("v", refs.get(0) - 1)
            .execute();
        return new int[] {refs.size(), deleted};
      });
    }
  }

  /** Waits until the detection cursor has reached the last stored event. */
  private static void awaitDetection(String url, ServeProcess child) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      long[] v = detectionLag(url);
      if (v[1] >= v[0]) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("detection did not catch up within 30 s\n" + child.output());
  }

  /** What the database holds: markers of stored events, single-event alerts by marker, correlation alerts. */
  record Stored(int events, Map<String, Integer> eventsPerMarker, Map<String, Integer> sigmaAlerts,
      int correlationAlerts) {}

  private record Row(long id, String text, String kind) {}

  private static Stored read(String url) {
    List<Row> events;
    List<Row> alerts;
    try (Database db = Database.open(url, 2)) {
      events = db.jdbi().withHandle(h -> h.createQuery("SELECT id, fields FROM events")
          .map((rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), null)).list());
      alerts = db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(event_ref, 0), rule_id, kind FROM alerts")
          .map((rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3))).list());
    }
    Map<Long, String> markerOf = new HashMap<>();
    Map<String, Integer> perMarker = new HashMap<>();
    for (Row e : events) {
      Matcher m = MARKED.matcher(e.text());
      String marker = m.find() ? m.group(1) : "unmarked";
      markerOf.put(e.id(), marker);
      perMarker.merge(marker, 1, Integer::sum);
    }
    Map<String, Integer> sigma = new TreeMap<>();
    int correlations = 0;
    for (Row a : alerts) {
      if (a.kind().equals("sigma")) {
        sigma.merge(markerOf.get(a.id()) + " " + a.text(), 1, Integer::sum);
      } else if (a.kind().equals("correlation")) {
        correlations++;
      }
    }
    return new Stored(events.size(), perMarker, sigma, correlations);
  }
}
