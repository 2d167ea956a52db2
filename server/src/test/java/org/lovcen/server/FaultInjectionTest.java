package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults from outside: a stalled database with one institution flooding, a database that goes
 * away and comes back, and a store whose disk fills up and gets space back. The server pushes
 * back, keeps other institutions going, recovers by itself, and every acknowledged event is stored
 * exactly once.
 */
class FaultInjectionTest {
  @TempDir Path dir;

  private static String lines(String prefix, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("{\"@timestamp\":\"2026-11-25T08:00:00Z\",\"host\":{\"name\":\"").append(prefix)
          .append("-host\"},\"message\":\"").append(prefix).append(' ').append(i).append("\"}\n");
    }
    return b.toString();
  }

  private static long events(TestServer s, String institution) {
    return s.server.database().jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM events WHERE institution_id = :i").bind("i", institution).mapTo(Long.class).one());
  }

  /**
   * While the store is stalled (another connection holds the write lock), institution A floods:
   * it gets its quota of the queue (half) and then 429s; institution B still gets in. When the
   * store comes back, everything queued is stored, and A's refused requests, resent with their
   * keys, are stored once.
   */
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void oneInstitutionsFlood_whileTheStoreStalls_leavesRoomForTheOthers(String kind) throws Exception {
    Map<String, String> env = Map.of("LOVCEN_INGEST_QUEUE_EVENTS", "2000",
        "LOVCEN_INGEST_INSTITUTION_SHARE_PERCENT", "50", "LOVCEN_INGEST_ACK_TIMEOUT_SECONDS", "60");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (TestServer s = TestServer.start(kind, dir, env)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String b = s.institution(admin, "b");
      List<Future<TestServer.Response>> fromA = new ArrayList<>();
      Future<TestServer.Response> fromB;
      try (Stall stall = Stall.of(s, kind)) {
        for (int i = 0; i < 6; i++) {
          String key = "a-" + i;
          fromA.add(pool.submit(() -> s.ingest(a, lines("a" + key, 400), "Idempotency-Key", key)));
          Thread.sleep(50);
        }
        awaitTrue(() -> s.server.queue().queued("a") == 800 && fromA.stream().filter(Future::isDone).count() == 4);
        fromB = pool.submit(() -> s.ingest(b, lines("b", 400), "Idempotency-Key", "b-0"));
        awaitTrue(() -> s.server.queue().queued("b") == 400);
        assertThat(fromB.isDone()).as("B waits for the store, it is not refused").isFalse();
      }
      List<Integer> statuses = new ArrayList<>();
      List<Integer> refused = new ArrayList<>();
      for (int i = 0; i < fromA.size(); i++) {
        int status = fromA.get(i).get(60, TimeUnit.SECONDS).status();
        statuses.add(status);
        if (status == 429) {
          refused.add(i);
        }
      }
      assertThat(statuses).containsOnly(200, 429).filteredOn(x -> x == 200).hasSize(2);
      assertThat(fromB.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
      for (int i : refused) {
        String key = "a-" + i;
        assertThat(s.ingest(a, lines("a" + key, 400), "Idempotency-Key", key).status()).isEqualTo(200);
      }
      assertThat(s.ingest(a, lines("aa-0", 400), "Idempotency-Key", "a-0").json().get("duplicate").asBoolean())
          .as("a resent request is not stored twice").isTrue();
      assertThat(events(s, "a")).isEqualTo(2400);
      assertThat(events(s, "b")).isEqualTo(400);
      s.awaitDetection();
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * PostgreSQL goes away (connections refused and cut) and comes back: ingest is answered 503
   * meanwhile and nothing is acknowledged; /readyz says so; afterwards the same request, resent,
   * is stored once and detection catches up, without a restart.
   */
  @Test
  void databaseUnavailable_ingestRefusedThenRecoversByItself() throws Exception {
    Map<String, String> env = Map.of("LOVCEN_INGEST_ACK_TIMEOUT_SECONDS", "3");
    try (TestServer s = TestServer.start("postgresql", dir, env)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      assertThat(s.ingest(a, lines("before", 10), "Idempotency-Key", "k0").status()).isEqualTo(200);
      String url = s.server.config().databaseUrl();
      String name = url.substring(url.lastIndexOf('/') + 1);
      try (Connection c = adminConnection()) {
        Statement st = c.createStatement();
        st.execute("ALTER DATABASE " + name + " CONNECTION LIMIT 0");
        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name
            + "' AND usename = current_user AND pid <> pg_backend_pid()");
        try {
          TestServer.Response down = s.ingest(a, lines("during", 10), "Idempotency-Key", "k1");
          assertThat(down.status()).isEqualTo(503);
          assertThat(down.json().get("type").asText()).containsAnyOf("store-unavailable", "timeout");
          assertThat(down.body()).doesNotContain("lovcen:lovcen");
          assertThat(s.get("/readyz", null).status()).isEqualTo(503);
        } finally {
          st.execute("ALTER DATABASE " + name + " CONNECTION LIMIT -1");
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {
        status = s.ingest(a, lines("during", 10), "Idempotency-Key", "k1").status();
        if (status != 200) {
          Thread.sleep(500);
        }
      }
      assertThat(status).as("ingest recovered without a restart").isEqualTo(200);
      assertThat(s.get("/readyz", null).status()).isEqualTo(200);
      s.awaitDetection();
      assertThat(events(s, "a")).isEqualTo(20);
    }
  }

  /**
   * The store's disk fills while institutions send, and space comes back. SQLite's disk is made
   * full with {@code PRAGMA max_page_count} on every connection of the server's pool (the limit is
   * per connection; the test borrows them all at once to set it, and sets it to the database's
   * current size, which SQLite takes as "no further growth"): inserts then fail with SQLITE_FULL
   * exactly as on a full file system, deterministically, without a mount (which CI containers may
   * not allow) and without filling a real disk on a shared 2-core machine. Space returns by raising
   * the limit again.
   *
   * <p>While full: ingest answers 503 {@code store-full} with Retry-After for what it could not
   * store (never 200), /readyz and the {@code lovcen_store_writable} gauge say so, and the idle
   * store writer's probe does not call it writable. Once space returns, /readyz goes back to 200
   * by itself, with nothing sent meanwhile. Full again, syslog events (which nobody can be asked
   * to resend) are held and written once space returns, not dropped. The refused requests,
   * resent with their keys, are stored once; every acknowledged event is stored exactly once; and
   * detection goes on from its cursor: every stored event has its alert. PostgreSQL's disk cannot
   * be filled from a test (a tablespace on a small disk needs a superuser): its {@code disk_full}
   * error takes the same path ({@code DatabaseTest} classifies it), and its recovery is that of
   * {@link #databaseUnavailable_ingestRefusedThenRecoversByItself}.
   */
  @Test
  void diskFull_ingestRefusedAndReadyzSaysSo_thenResumesByItselfLosingNothing() throws Exception {
    Map<String, String> env = Map.of("LOVCEN_INGEST_ACK_TIMEOUT_SECONDS", "20", "LOVCEN_SYSLOG_TCP_PORT", "0",
        "LOVCEN_SYSLOG_HOST", "127.0.0.1");
    try (TestServer s = TestServer.start("sqlite", dir, env)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      assertThat(s.patchJson("/api/v1/institutions/a", admin, Map.of("syslog_sources", "127.0.0.1/32")).status())
          .isEqualTo(200);
      Map<String, Integer> acknowledged = new java.util.LinkedHashMap<>();
      assertThat(s.ingest(a, mimikatz("before", 50), "Idempotency-Key", "before").status()).isEqualTo(200);
      acknowledged.put("before", 50);
      s.awaitDetection();

      maxPages(s, 1); // the disk is full: no page beyond the database's current size
      List<String> refused = new ArrayList<>();
      TestServer.Response full = null;
      for (int i = 0; i < 200 && refused.size() < 3; i++) {
        String key = "k" + i;
        TestServer.Response r = s.ingest(a, mimikatz(key, 200), "Idempotency-Key", key);
        assertThat(r.status()).as("request %s", key).isIn(200, 503);
        if (r.status() == 200) {
          acknowledged.put(key, 200); // room left in partly filled pages
        } else {
          refused.add(key);
          full = r;
        }
      }
      assertThat(refused).as("the full store refuses").hasSize(3);
      assertThat(full.json().get("type").asText()).endsWith("/store-full");
      assertThat(full.header("Retry-After")).isNotNull();
      TestServer.Response notReady = s.get("/readyz", null);
      assertThat(notReady.status()).isEqualTo(503);
      assertThat(notReady.json().get("status").asText()).isEqualTo("store full");
      Thread.sleep(1500); // the idle writer probes meanwhile, and finds it still full
      assertThat(s.get("/readyz", null).status()).as("still full").isEqualTo(503);
      assertThat(s.get("/metrics", null).body()).contains("lovcen_store_writable 0");
      maxPages(s, 1_073_741_823); // space returns
      awaitTrue(() -> s.get("/readyz", null).status() == 200); // by itself: nothing was sent meanwhile

      maxPages(s, 1); // full again, now for syslog, which nobody can ask to resend
      long storedWhileFull = events(s, "a");
      try (java.net.Socket syslog = new java.net.Socket("127.0.0.1",
          s.server.syslog().port(org.lovcen.server.syslog.SyslogServer.Listener.TCP))) {
        for (int i = 0; i < 20; i++) {
          // each larger than a stored request line: none fits in what the full pages have left
          syslog.getOutputStream().write(("<13>Mar 14 10:12:15 a-syslog app: held " + i + " " + "y".repeat(1500) + "\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        syslog.getOutputStream().flush();
        awaitTrue(() -> s.get("/readyz", null).status() == 503);
        Thread.sleep(1500); // the writer tries again meanwhile
        assertThat(events(s, "a")).as("nothing got in while full").isEqualTo(storedWhileFull);
        maxPages(s, 1_073_741_823);
        awaitTrue(() -> events(s, "a") == storedWhileFull + 20);
        assertThat(s.get("/readyz", null).status()).isEqualTo(200);
      }
      for (String key : refused) {
        assertThat(s.ingest(a, mimikatz(key, 200), "Idempotency-Key", key).status()).isEqualTo(200);
        acknowledged.put(key, 200);
      }
      assertThat(s.ingest(a, mimikatz("k0", 200), "Idempotency-Key", "k0").json().get("duplicate").asBoolean())
          .isTrue();
      long total = acknowledged.values().stream().mapToLong(Integer::longValue).sum();
      assertThat(events(s, "a")).as("every acknowledged event once, and the held syslog events").isEqualTo(total + 20);
      for (String key : acknowledged.keySet()) {
        long stored = s.server.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT COUNT(*) FROM events WHERE fields LIKE :p").bind("p", "%mk-" + key + "-%").mapTo(Long.class).one());
        assertThat(stored).as("events of %s", key).isEqualTo(acknowledged.get(key).longValue());
      }
      s.awaitDetection();
      long undetected = s.server.database().jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM events e WHERE e.fields LIKE '%sekurlsa%' AND NOT EXISTS "
              + "(SELECT 1 FROM alerts x WHERE x.event_ref = e.id)").mapTo(Long.class).one());
      assertThat(undetected).as("detection went on from its cursor: every event has its alert").isZero();
    }
  }

  /** {@code n} Sysmon process events that Lovcen's rules alert on, each with its own command line. */
  private static String mimikatz(String key, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",")
          .append("\"Computer\":\"A-WS01\",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":")
          .append("\"2026-11-25T08:00:00Z\"}}},\"EventData\":{\"Image\":\"C:\\\\Windows\\\\Temp\\\\mimikatz.exe\",")
          .append("\"CommandLine\":\"mimikatz.exe sekurlsa::logonpasswords mk-").append(key).append('-').append(i)
          .append("-").append("x".repeat(200)).append("\"}}}\n");
    }
    return b.toString();
  }

  /**
   * Sets SQLite's {@code max_page_count} on every connection of the server's pool. They are all
   * borrowed first (the server's threads give theirs back at the end of a transaction), so that
   * nothing writes while the limit is set: SQLite raises a limit below the database's size to that
   * size, and every connection must see the same size, or one would still let writes through.
   */
  private static void maxPages(TestServer s, long pages) {
    int size = Math.max(2, s.server.config().database().pool());
    List<org.jdbi.v3.core.Handle> held = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        held.add(s.server.database().jdbi().open());
      }
      for (org.jdbi.v3.core.Handle h : held) {
        h.execute("PRAGMA max_page_count = " + pages);
      }
    } finally {
      held.forEach(org.jdbi.v3.core.Handle::close);
    }
  }

  private static Connection adminConnection() throws Exception {
    String admin = System.getenv().getOrDefault("LOVCEN_TEST_PG", "postgresql://lovcen:lovcen@127.0.0.1:5432/postgres");
    String rest = admin.substring("postgresql://".length());
    String credentials = rest.substring(0, rest.indexOf('@'));
    return DriverManager.getConnection("jdbc:postgresql://" + rest.substring(rest.indexOf('@') + 1),
        credentials.substring(0, credentials.indexOf(':')), credentials.substring(credentials.indexOf(':') + 1));
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 20 s");
      }
      Thread.sleep(20);
    }
  }

  /** Another connection holding the store's write lock (SQLite) or the events table (PostgreSQL). */
  private record Stall(Connection connection) implements AutoCloseable {
    static Stall of(TestServer s, String kind) throws Exception {
      String url = s.server.config().databaseUrl();
      Connection c;
      if (kind.equals("sqlite")) {
        c = DriverManager.getConnection("jdbc:sqlite:" + (url.startsWith("sqlite:") ? url.substring(7) : url));
        c.setAutoCommit(true);
        c.createStatement().execute("BEGIN IMMEDIATE");
      } else {
        String admin = System.getenv().getOrDefault("LOVCEN_TEST_PG",
            "postgresql://lovcen:lovcen@127.0.0.1:5432/postgres");
        String creds = admin.substring("postgresql://".length(), admin.indexOf('@'));
        c = DriverManager.getConnection("jdbc:" + url.replaceFirst("^postgresql://[^@]*@", "postgresql://"),
            creds.substring(0, creds.indexOf(':')), creds.substring(creds.indexOf(':') + 1));
        c.setAutoCommit(false);
        c.createStatement().execute("LOCK TABLE events IN EXCLUSIVE MODE");
      }
      return new Stall(c);
    }

    @Override
    public void close() throws Exception {
      try (Connection c = connection) {
        if (c.getAutoCommit()) {
          c.createStatement().execute("ROLLBACK");
        } else {
          c.rollback();
        }
      }
    }
  }
}
