package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.lovcen.store.Rows.HOUR;
import static org.lovcen.store.Rows.T0;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/*
 * How and why: tenancy is a property of every repository method, so it is tested as a matrix:
 * every scope against every method, on both databases, each answer compared with a small model
 * of who may see what. Institutions a and b each own events, alerts (in incidents and loose),
 * incidents with notes, users, ingest tokens, filters and rule switches. Partner p has incident
 * a1 of a and b1 of b shared with it, partner q incident b2; a2 is shared with no one. Scopes
 * include an institution and a partner that own nothing.
 *
 * The model: national sees everything; an institution scope sees its own rows; a partner sees the
 * incidents shared with it, their alerts and notes, and nothing else; only national and the owning
 * institution change anything, partners change nothing. A write outside the scope must leave
 * every table exactly as it was; a write inside it must leave every other institution's rows as
 * they were.
 *
 * Not in the matrix, because they take no scope: the writer's methods on a caller's Handle
 * (inserts, assign, findOpen, updateAggregates, receipts, cursors), EventStore.maxId and
 * deleteOlderThan, Settings.disabledRules() (the detector's view), and Directory's sign-in and
 * administration (authenticate, user, partners, create*, updateInstitution, issueToken,
 * resolveToken, revokeToken, setDisabled), which the server keeps to administrators or to the
 * caller's own token.
 */
class TenancyTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();

  private static final List<Scope> SCOPES = List.of(Scope.NATIONAL, new Scope.OfInstitution("a"),
      new Scope.OfInstitution("b"), new Scope.OfInstitution("nobody"), new Scope.Partner("p"), new Scope.Partner("q"),
      new Scope.Partner("nobody"));
  private static final List<String> INSTITUTIONS = List.of("a", "b");
  private static final String HASH = Passwords.hash("correct horse battery");

  @AfterAll
  static void close() {
    DBS.close();
  }

  /** The fixture of one database: stores and the ids of what was created. */
  static final class World {
    final Database db;
    final EventStore events;
    final AlertStore alerts;
    final IncidentStore incidents;
    final Directory directory;
    final Settings settings;
    /** incident name (a1, a2, b1, b2) to id. */
    final Map<String, Long> incident = new LinkedHashMap<>();
    /** alert id to its institution and incident name (null when loose). */
    final Map<Long, String[]> alert = new LinkedHashMap<>();
    /** event id to institution. */
    final Map<Long, String> event = new LinkedHashMap<>();
    /** token id to institution. */
    final Map<Long, String> token = new LinkedHashMap<>();
    /** user name to institution (null for national and partner users). */
    final Map<String, String> user = new LinkedHashMap<>();
    /** partner to the names of the incidents shared with it. */
    final Map<String, Set<String>> shared = Map.of("p", Set.of("a1", "b1"), "q", Set.of("b2"));

    World(Database db) {
      this.db = db;
      events = new EventStore(db);
      alerts = new AlertStore(db);
      incidents = new IncidentStore(db);
      directory = new Directory(db);
      settings = new Settings(db);
      build();
    }

    private void build() {
      for (String i : INSTITUTIONS) {
        directory.createInstitution(i, "Institution " + i, 30, "");
      }
      directory.createPartner("p", "Partner P");
      directory.createPartner("q", "Partner Q");
      directory.createPartner("nobody", "Partner with nothing shared");
      // Users straight into the table with one hash: Argon2 per user per test would dominate the run time,
      // and DirectoryTest covers createUser.
      for (String i : INSTITUTIONS) {
        addUser("analyst-" + i, Role.INSTITUTION_ANALYST, i, null);
      }
      addUser("national", Role.NATIONAL_ANALYST, null, null);
      addUser("partner-p", Role.PARTNER, null, "p");

      List<StoredEvent> rows = new ArrayList<>();
      long id = 1;
      for (String i : INSTITUTIONS) {
        for (int k = 0; k < 3; k++, id++) {
          rows.add(Rows.event(id, i, T0 + k * HOUR, "host-" + k, "User", "bob", "Note", "common text"));
          event.put(id, i);
        }
      }
      Rows.insert(db, rows);

      db.jdbi().useTransaction(h -> {
        for (String i : INSTITUTIONS) {
          for (int n = 1; n <= 2; n++) {
            String name = i + n;
            long inc = incidents.create(h, Rows.incident(i, "host-" + n, n == 1 ? "high" : "medium", T0, T0 + n * HOUR));
            incident.put(name, inc);
            long a = alerts.insert(h, Rows.alert(i, "fp-" + name, "rule-" + n, "high", T0 + n, "host-" + n,
                List.of("attack.t1059")), T0);
            alerts.assign(h, a, inc);
            alert.put(a, new String[] {i, name});
          }
          long loose = alerts.insert(h, Rows.alert(i, "fp-loose-" + i, "rule-1", "low", T0, "host-0", List.of()), T0);
          alert.put(loose, new String[] {i, null});
        }
      });
      for (Map.Entry<String, Set<String>> s : shared.entrySet()) {
        for (String name : s.getValue()) {
          assertThat(incidents.share(Scope.NATIONAL, incident.get(name), s.getKey(), T0)).isTrue();
        }
      }
      for (Map.Entry<String, Long> e : incident.entrySet()) {
        incidents.addNote(Scope.NATIONAL, e.getValue(), "analyst", "note on " + e.getKey(), T0);
      }
      for (String i : INSTITUTIONS) {
        token.put(tokenId(directory.issueToken("ingest", "agent " + i, null, i, null)), i);
        settings.addFilter(Scope.NATIONAL, i, "filter of " + i, "rules: [x]");
        settings.setRuleEnabled(Scope.NATIONAL, i, "rule-off-" + i, false);
      }
    }

    private void addUser(String name, Role role, String institution, String partner) {
      db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO users (name, password_hash, role, institution_id, "
          + "partner_id, created) VALUES (:n, :h, :r, :i, :p, 0)").bind("n", name).bind("h", HASH).bind("r", role.id())
          .bind("i", institution).bind("p", partner).execute());
      user.put(name, institution);
    }

    private long tokenId(String token) {
      return directory.resolveToken(token, T0).orElseThrow().id();
    }

    /** Whether rows of institution {@code inst} in incident {@code incidentName} (or none) are readable in scope. */
    boolean reads(Scope scope, String inst, String incidentName) {
      if (scope instanceof Scope.Partner p) {
        return incidentName != null && shared.getOrDefault(p.partner(), Set.of()).contains(incidentName);
      }
      return scope.sees(inst);
    }

    String institutionOf(String incidentName) {
      return incidentName.substring(0, 1);
    }
  }

  private static String name(Scope scope) {
    return switch (scope) {
      case Scope.National n -> "national";
      case Scope.OfInstitution o -> "institution " + o.institution();
      case Scope.Partner p -> "partner " + p.partner();
    };
  }

  private static <K> Set<K> expected(Map<K, ?> rows, Function<K, Boolean> visible) {
    Set<K> out = new TreeSet<>();
    rows.keySet().stream().filter(visible::apply).forEach(out::add);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @TestFactory
  Stream<DynamicNode> reads_everyScopeSeesExactlyItsRows() {
    return TestDatabases.kinds().stream().map(kind -> dynamicContainer(kind, Stream.of(kind).flatMap(k -> {
      World w = new World(DBS.empty(k, dir));
      return SCOPES.stream().map(scope -> dynamicContainer(name(scope), readChecks(w, scope)));
    })));
  }

  private static Stream<DynamicNode> readChecks(World w, Scope scope) {
    boolean partner = scope instanceof Scope.Partner;
    Set<Long> events = expected(w.event, id -> !partner && scope.sees(w.event.get(id)));
    Set<Long> alerts = expected(w.alert, id -> w.reads(scope, w.alert.get(id)[0], w.alert.get(id)[1]));
    Set<String> incidents = expected(w.incident, n -> w.reads(scope, w.institutionOf(n), n));
    Set<Long> incidentIds = new TreeSet<>(incidents.stream().map(w.incident::get).toList());
    Set<String> institutions = new TreeSet<>(INSTITUTIONS.stream().filter(i -> !partner && scope.sees(i)).toList());
    List<DynamicNode> tests = new ArrayList<>();

    tests.add(dynamicTest("EventStore.search", () -> {
      Page<StoredEvent> all = w.events.search(scope, new EventQuery(null, null, null, null, null, null, 1000, null));
      assertThat(ids(all.items(), StoredEvent::id)).isEqualTo(events);
      assertThat(all.total()).isEqualTo(events.size());
      Page<StoredEvent> filtered = w.events.search(scope,
          new EventQuery(T0, T0 + 10 * HOUR, null, null, Map.of("User", "bob"), "common", 1000, null));
      assertThat(ids(filtered.items(), StoredEvent::id)).isEqualTo(events);
      assertThat(filtered.total()).isEqualTo(events.size());
      for (String i : INSTITUTIONS) {
        Page<StoredEvent> one = w.events.search(scope, new EventQuery(null, null, i, null, null, null, 1000, null));
        assertThat(ids(one.items(), StoredEvent::id)).as("institution filter %s", i)
            .isEqualTo(expected(w.event, id -> events.contains(id) && w.event.get(id).equals(i)));
        assertThat(one.total()).isEqualTo(one.items().size());
      }
    }));
    tests.add(dynamicTest("EventStore.search paging", () -> {
      Set<Long> seen = new TreeSet<>();
      String cursor = null;
      do {
        Page<StoredEvent> p = w.events.search(scope, new EventQuery(null, null, null, null, null, null, 1, cursor));
        assertThat(p.total()).isEqualTo(events.size());
        p.items().forEach(e -> seen.add(e.id()));
        cursor = p.next();
      } while (cursor != null);
      assertThat(seen).isEqualTo(events);
    }));
    tests.add(dynamicTest("EventStore.after", () ->
        assertThat(ids(w.events.after(scope, 0, 1000), StoredEvent::id)).isEqualTo(events)));
    tests.add(dynamicTest("EventStore.get", () -> {
      for (long id : w.event.keySet()) {
        assertThat(w.events.get(scope, id) != null).as("event %d", id).isEqualTo(events.contains(id));
      }
    }));

    tests.add(dynamicTest("AlertStore.list", () -> {
      Page<AlertRow> all = w.alerts.list(scope, AlertQuery.all(1000));
      assertThat(ids(all.items(), AlertRow::id)).isEqualTo(alerts);
      assertThat(all.total()).isEqualTo(alerts.size());
      for (Map.Entry<String, Long> inc : w.incident.entrySet()) {
        Page<AlertRow> of = w.alerts.list(scope, new AlertQuery(null, null, null, null, null, null, null, inc.getValue(),
            null, 1000, null));
        assertThat(of.total()).as("alerts of incident %s", inc.getKey()).isEqualTo(incidents.contains(inc.getKey()) ? 1 : 0);
      }
      for (String i : INSTITUTIONS) {
        Page<AlertRow> of = w.alerts.list(scope, new AlertQuery(null, null, i, null, null, null, "attack.t1059", null,
            "sigma", 1000, null));
        assertThat(ids(of.items(), AlertRow::id)).as("institution filter %s", i).isEqualTo(expected(w.alert,
            id -> alerts.contains(id) && w.alert.get(id)[0].equals(i) && w.alert.get(id)[1] != null));
      }
    }));
    tests.add(dynamicTest("AlertStore.get", () -> {
      for (long id : w.alert.keySet()) {
        assertThat(w.alerts.get(scope, id) != null).as("alert %d", id).isEqualTo(alerts.contains(id));
      }
    }));
    tests.add(dynamicTest("AlertStore.countByRule", () -> {
      Map<String, Long> expectedCounts = new TreeMap<>();
      for (long id : alerts) {
        expectedCounts.merge(w.alerts.get(Scope.NATIONAL, id).ruleId(), 1L, Long::sum);
      }
      Map<String, Long> counts = new TreeMap<>();
      w.alerts.countByRule(scope, AlertQuery.all(1000), 100).forEach(e -> counts.put(e.getKey(), e.getValue()));
      assertThat(counts).isEqualTo(expectedCounts);
    }));

    tests.add(dynamicTest("IncidentStore.list", () -> {
      Page<IncidentRow> all = w.incidents.list(scope, IncidentQuery.all(1000));
      assertThat(ids(all.items(), IncidentRow::id)).isEqualTo(incidentIds);
      assertThat(all.total()).isEqualTo(incidentIds.size());
      for (String i : INSTITUTIONS) {
        Page<IncidentRow> of = w.incidents.list(scope, new IncidentQuery(null, null, i, null, null, true, null, null,
            1000, null));
        assertThat(of.items()).allSatisfy(r -> assertThat(r.institution()).isEqualTo(i));
        assertThat(of.total()).isEqualTo(incidents.stream().filter(n -> w.institutionOf(n).equals(i)).count());
      }
    }));
    tests.add(dynamicTest("IncidentStore.get", () -> {
      for (Map.Entry<String, Long> inc : w.incident.entrySet()) {
        assertThat(w.incidents.get(scope, inc.getValue()) != null).as("incident %s", inc.getKey())
            .isEqualTo(incidents.contains(inc.getKey()));
      }
    }));
    tests.add(dynamicTest("IncidentStore.openByLevel", () -> {
      Map<String, Long> expectedLevels = new TreeMap<>();
      for (String n : incidents) {
        expectedLevels.merge(n.endsWith("1") ? "high" : "medium", 1L, Long::sum);
      }
      assertThat(new TreeMap<>(w.incidents.openByLevel(scope))).isEqualTo(expectedLevels);
    }));
    tests.add(dynamicTest("IncidentStore.notes", () -> {
      for (Map.Entry<String, Long> inc : w.incident.entrySet()) {
        List<Note> notes = w.incidents.notes(scope, inc.getValue());
        if (incidents.contains(inc.getKey())) {
          assertThat(notes).extracting(Note::text).containsExactly("note on " + inc.getKey());
        } else {
          assertThat(notes).as("notes of %s", inc.getKey()).isNull();
        }
      }
    }));

    tests.add(dynamicTest("Directory.institutions", () -> {
      assertThat(w.directory.institutions(scope)).extracting(Directory.Institution::id)
          .containsExactlyElementsOf(institutions);
      for (String i : INSTITUTIONS) {
        assertThat(w.directory.institution(scope, i)).as("institution %s", i).isEqualTo(institutions.contains(i)
            ? w.directory.institution(Scope.NATIONAL, i) : java.util.Optional.empty());
      }
    }));
    tests.add(dynamicTest("Directory.users", () -> {
      Set<String> users = expected(w.user, u -> !partner && (scope instanceof Scope.National
          || w.user.get(u) != null && scope.sees(w.user.get(u))));
      assertThat(new TreeSet<>(w.directory.users(scope).stream().map(Directory.User::name).toList())).isEqualTo(users);
    }));
    tests.add(dynamicTest("Directory.tokens", () ->
        assertThat(ids(w.directory.tokens(scope), Directory.TokenInfo::id))
            .isEqualTo(expected(w.token, t -> !partner && scope.sees(w.token.get(t))))));

    tests.add(dynamicTest("Settings.filters", () ->
        assertThat(new TreeSet<>(w.settings.filters(scope).stream().map(Settings.Filter::institution).toList()))
            .isEqualTo(institutions)));
    tests.add(dynamicTest("Settings.disabledRules", () -> {
      for (String i : INSTITUTIONS) {
        assertThat(w.settings.disabledRules(scope, i)).as("rules of %s", i)
            .isEqualTo(institutions.contains(i) ? Set.of("rule-off-" + i) : Set.of());
      }
    }));
    return tests.stream();
  }

  private static <T> Set<Long> ids(List<T> rows, Function<T, Long> id) {
    Set<Long> out = new TreeSet<>();
    for (T r : rows) {
      assertThat(out.add(id.apply(r))).as("no row twice").isTrue();
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  /** A write attempted in a scope on the rows of one institution; returns whether it reports success. */
  private interface Write {
    boolean apply(World w, Scope scope, String institution);
  }

  private static final Map<String, Write> WRITES = writes();

  private static Map<String, Write> writes() {
    Map<String, Write> m = new LinkedHashMap<>();
    m.put("IncidentStore.update", (w, s, i) ->
        w.incidents.update(s, w.incident.get(i + "1"), "investigating", "by " + name(s), T0 + 1) != null);
    m.put("IncidentStore.addNote", (w, s, i) ->
        w.incidents.addNote(s, w.incident.get(i + "1"), name(s), "written by " + name(s), T0 + 1) != null);
    m.put("IncidentStore.share", (w, s, i) -> w.incidents.share(s, w.incident.get(i + "2"), "nobody", T0 + 1));
    m.put("Settings.setRuleEnabled", (w, s, i) -> w.settings.setRuleEnabled(s, i, "rule-off-" + i, true));
    m.put("Settings.addFilter", (w, s, i) -> w.settings.addFilter(s, i, "by " + name(s), "x: y") != null);
    m.put("Settings.deleteFilter", (w, s, i) -> w.settings.deleteFilter(s,
        w.settings.filters(new Scope.OfInstitution(i)).get(0).id()));
    return m;
  }

  @TestFactory
  Stream<DynamicNode> writes_onlyNationalAndTheOwnerChangeRows() {
    return TestDatabases.kinds().stream().map(kind -> dynamicContainer(kind, SCOPES.stream().map(scope ->
        dynamicContainer(name(scope), WRITES.entrySet().stream().flatMap(write -> INSTITUTIONS.stream().map(target ->
            dynamicTest(write.getKey() + " on " + target, () -> {
              World w = new World(DBS.empty(kind, dir));
              boolean allowed = !(scope instanceof Scope.Partner) && scope.sees(target);
              Map<String, List<String>> before = dump(w.db);
              boolean ok = write.getValue().apply(w, scope, target);
              Map<String, List<String>> after = dump(w.db);
              assertThat(ok).as("reported success").isEqualTo(allowed);
              if (allowed) {
                assertThat(after).as("something changed").isNotEqualTo(before);
                for (String other : INSTITUTIONS) {
                  if (!other.equals(target)) {
                    assertThat(only(after, other)).as("rows of %s", other).isEqualTo(only(before, other));
                  }
                }
              } else {
                assertThat(after).as("nothing changed").isEqualTo(before);
              }
            })))))));
  }

  /** Every row of every table (except Flyway's), as text, sorted, per table. */
  private static Map<String, List<String>> dump(Database db) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String table : List.of("institutions", "partners", "users", "tokens", "events", "ingest_batches", "incidents",
        "incident_notes", "alerts", "shares", "rule_settings", "filters", "cursors")) {
      List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM " + table).mapToMap()
          .list());
      out.put(table, rows.stream().map(r -> new TreeMap<>(r).toString()).sorted(Comparator.naturalOrder()).toList());
    }
    return out;
  }

  /** The rows of {@code institution} in a dump (its institution_id, or its id in the institutions table). */
  private static Map<String, List<String>> only(Map<String, List<String>> dump, String institution) {
    Map<String, List<String>> out = new TreeMap<>();
    dump.forEach((table, rows) -> out.put(table, rows.stream().filter(r -> r.contains("institution_id=" + institution
        + ",") || r.contains("institution_id=" + institution + "}") || table.equals("institutions")
        && r.contains("id=" + institution + ",")).toList()));
    return out;
  }
}
