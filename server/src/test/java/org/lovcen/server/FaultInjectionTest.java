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
 * Faults from outside: a stalled database with one institution flooding, and a database that goes
 * away and comes back. The server pushes back, keeps other institutions going, recovers by
 * itself, and every acknowledged event is stored exactly once.
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
        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
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
