package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upgrade path: a database made by the first release (schema version 1, written with that
 * release's SQL) is migrated by the current {@link Database#open} to the newest schema, and every
 * kind of row it held reads back through today's repositories, on SQLite and PostgreSQL.
 */
class UpgradeTest {
  private static final long T = 1_661_162_400_000_000L; // 2022-08-22T10:00:00Z in micros
  private static final String PASSWORD = "analyst-password-from-v1";
  private static final String INGEST_TOKEN = "lvi_ingest-token-issued-by-v1";

  @TempDir Path dir;

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void open_migratesAVersionOneDatabaseAndKeepsItsRows(String kind) throws SQLException {
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl(kind, dir, url);
    try {
      Dialect dialect = kind.equals("sqlite") ? Dialect.SQLITE : Dialect.POSTGRESQL;
      Jdbc jdbc = Jdbc.of(url[0]);
      Flyway v1 = Flyway.configure().dataSource(jdbc.url, jdbc.user, jdbc.password)
          .placeholders(dialect.placeholders()).locations("classpath:db/migration").target("1").load();
      v1.migrate();
      assertThat(v1.info().current().getVersion().getVersion()).isEqualTo("1");
      try (Connection c = DriverManager.getConnection(jdbc.url, jdbc.user, jdbc.password)) {
        writeVersionOneRows(c);
      }

      try (Database db = Database.open(url[0], 2)) {
        assertNewestSchema(jdbc, dialect);
        assertRowsSurvived(db);
      }
    } finally {
      drop.run();
    }
  }

  /** Rows of every table of version 1, as that release wrote them. */
  private static void writeVersionOneRows(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO institutions (id, name, retention_days, syslog_sources, created) VALUES "
          + "('mf', 'Ministry of Finance', 30, '10.1.0.0/16', " + T + ")");
      s.execute("INSERT INTO partners (id, name, created) VALUES ('cert-x', 'Partner CERT', " + T + ")");
      s.execute("INSERT INTO users (name, password_hash, role, institution_id, partner_id, created) VALUES "
          + "('ana', '" + Passwords.hash(PASSWORD) + "', 'institution_analyst', 'mf', NULL, " + T + ")");
      s.execute("INSERT INTO tokens (token_hash, kind, name, user_id, institution_id, created) VALUES ('"
          + Tokens.hash(INGEST_TOKEN) + "', 'ingest', 'collector', NULL, 'mf', " + T + ")");
      for (int i = 1; i <= 2; i++) {
        s.execute("INSERT INTO events (id, institution_id, ts, day, host, channel, provider, event_id, source, "
            + "record, fields) VALUES (" + i + ", 'mf', " + (T + i) + ", 19226, 'MF-WS01', 'Security', "
            + "'Microsoft-Windows-Security-Auditing', 4688, 'http:mf', " + i + ", "
            + "'{\"NewProcessName\":\"C:\\\\Windows\\\\Temp\\\\x" + i + ".exe\",\"EventID\":4688}')");
      }
      s.execute("INSERT INTO ingest_batches (institution_id, idem_key, accepted, rejected, first_event, created) "
          + "VALUES ('mf', 'batch-1', 2, 1, 1, " + T + ")");
      s.execute("INSERT INTO incidents (institution_id, host, title, level, level_rank, status, assignee, first_ts, "
          + "last_ts, alert_count, techniques, tactics, rules, created, updated) VALUES ('mf', 'MF-WS01', "
          + "'Execution from Temp on MF-WS01', 'high', 3, 'open', 'ana', " + T + ", " + T + ", 1, '[\"T1059\"]', "
          + "'[\"execution\"]', '[\"r-1\"]', " + T + ", " + T + ")");
      long incident = one(s, "SELECT id FROM incidents");
      s.execute("INSERT INTO alerts (institution_id, fingerprint, kind, rule_id, rule_title, level, level_rank, "
          + "author, tags, ts, last_ts, host, channel, event_ref, fields, grp, evidence, incident_id, created) "
          + "VALUES ('mf', 'fp-1', 'sigma', 'r-1', 'Execution from Temp', 'high', 3, 'Lovcen', "
          + "'[\"attack.t1059\"]', " + T + ", " + T + ", 'MF-WS01', 'Security', 1, '{}', '{}', '[1]', " + incident
          + ", " + T + ")");
      s.execute("INSERT INTO incident_notes (incident_id, institution_id, author, text, created) VALUES ("
          + incident + ", 'mf', 'ana', 'isolated the host', " + T + ")");
      s.execute("INSERT INTO shares (partner_id, incident_id, institution_id, created) VALUES ('cert-x', " + incident
          + ", 'mf', " + T + ")");
      s.execute("INSERT INTO rule_settings (institution_id, rule_id, enabled, updated) VALUES ('mf', 'r-2', 0, " + T
          + ")");
      s.execute("INSERT INTO filters (institution_id, name, yaml, created) VALUES ('mf', 'backup job', "
          + "'title: backup job', " + T + ")");
      s.execute("INSERT INTO cursors (name, value) VALUES ('detection', 2)");
    }
  }

  private static void assertNewestSchema(Jdbc jdbc, Dialect dialect) {
    Flyway now = Flyway.configure().dataSource(jdbc.url, jdbc.user, jdbc.password)
        .placeholders(dialect.placeholders()).locations("classpath:db/migration").load();
    MigrationInfo[] all = now.info().all();
    assertThat(all.length).as("migrations known to this build").isGreaterThan(1);
    assertThat(now.info().pending()).isEmpty();
    assertThat(now.info().current().getVersion()).isEqualTo(all[all.length - 1].getVersion());
  }

  private static void assertRowsSurvived(Database db) {
    Directory directory = new Directory(db);
    assertThat(directory.institution(Scope.NATIONAL, "mf")).hasValueSatisfying(i -> {
      assertThat(i.retentionDays()).isEqualTo(30);
      assertThat(i.syslogSources()).isEqualTo("10.1.0.0/16");
    });
    assertThat(directory.authenticate("ana", PASSWORD)).hasValueSatisfying(u -> {
      assertThat(u.role()).isEqualTo(Role.INSTITUTION_ANALYST);
      assertThat(u.institution()).isEqualTo("mf");
    });
    assertThat(directory.resolveToken(INGEST_TOKEN, T)).hasValueSatisfying(g -> {
      assertThat(g.kind()).isEqualTo("ingest");
      assertThat(g.institution()).isEqualTo("mf");
    });
    Settings settings = new Settings(db);
    assertThat(settings.disabledRules(Scope.NATIONAL, "mf")).containsExactly("r-2");
    assertThat(settings.filters(Scope.NATIONAL)).extracting(Settings.Filter::name).containsExactly("backup job");
    assertThat(settings.receipt("mf", "batch-1")).isEqualTo(new Settings.Receipt(2, 1, 1));

    IncidentStore incidents = new IncidentStore(db);
    long id = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM incidents").mapTo(Long.class).one());
    IncidentRow shared = incidents.get(new Scope.Partner("cert-x"), id);
    assertThat(shared).isNotNull();
    assertThat(shared.title()).isEqualTo("Execution from Temp on MF-WS01");
    assertThat(incidents.notes(Scope.NATIONAL, id)).extracting(Note::text).containsExactly("isolated the host");

    List<String> fields = db.jdbi().withHandle(h -> h.createQuery("SELECT fields FROM events ORDER BY id")
        .mapTo(String.class).list());
    assertThat(fields).hasSize(2);
    assertThat(fields.get(1)).contains("x2.exe");
    long eventRef = db.jdbi().withHandle(h -> h.createQuery("SELECT event_ref FROM alerts WHERE fingerprint = 'fp-1'")
        .mapTo(Long.class).one());
    assertThat(eventRef).isEqualTo(1L);
    long cursor = db.jdbi().withHandle(h -> h.createQuery("SELECT value FROM cursors WHERE name = 'detection'")
        .mapTo(Long.class).one());
    assertThat(cursor).isEqualTo(2L);

    // the tables of later versions work with the rows of version 1 (a partner's TAXII access)
    TaxiiStore taxii = new TaxiiStore(db);
    taxii.createCollection(new TaxiiStore.Collection("c1", "Shared", "", null, 3, 2, true, true, T),
        List.of(new TaxiiStore.Access("cert-x", true, false)));
    assertThat(taxii.collections(new Scope.Partner("cert-x"))).extracting(TaxiiStore.Collection::id)
        .containsExactly("c1");
  }

  private static long one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** A store URL as JDBC URL, user and password. */
  private record Jdbc(String url, String user, String password) {
    static Jdbc of(String storeUrl) {
      if (!storeUrl.startsWith("postgresql://")) {
        return new Jdbc("jdbc:sqlite:" + storeUrl, null, null);
      }
      URI u = URI.create(storeUrl);
      String[] up = u.getRawUserInfo().split(":", 2);
      return new Jdbc("jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath(),
          URLDecoder.decode(up[0], StandardCharsets.UTF_8),
          up.length > 1 ? URLDecoder.decode(up[1], StandardCharsets.UTF_8) : null);
    }
  }
}
