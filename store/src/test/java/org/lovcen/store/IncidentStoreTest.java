package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lovcen.store.Rows.HOUR;
import static org.lovcen.store.Rows.MINUTE;
import static org.lovcen.store.Rows.T0;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Incidents on both databases: grouping lookups, aggregates, status changes, notes, shares, lists. */
class IncidentStoreTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();
  private Database db;
  private IncidentStore incidents;

  private void open(String kind) {
    db = DBS.empty(kind, dir);
    incidents = new IncidentStore(db);
    Directory d = new Directory(db);
    d.createInstitution("a", "A", 30, null);
    d.createPartner("p", "Partner P");
  }

  @AfterAll
  static void close() {
    DBS.close();
  }

  private long create(IncidentRow r) {
    return db.jdbi().inTransaction(h -> incidents.create(h, r));
  }

  private long create(String institution, String host, String level, long first, long last) {
    return create(Rows.incident(institution, host, level, first, last));
  }

  private IncidentRow findOpen(String institution, String host, long since) {
    return db.jdbi().withHandle(h -> incidents.findOpen(h, institution, host, since));
  }

  private void setStatus(long id, String status) {
    assertThat(incidents.update(Scope.NATIONAL, id, status, null, T0)).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void create_returnsTheNewIdAndGetReturnsTheRow(String kind) {
    open(kind);
    IncidentRow in = new IncidentRow(0, "a", "ws-01", "Credential dumping on ws-01", "critical", 4, "new", "ana",
        T0, T0 + HOUR, 3, List.of("T1003.001", "T1059.001"), List.of("credential-access", "execution"),
        List.of("r1", "r2"), T0 + 1, T0 + 2);
    long id = create(in);
    long second = create("a", "ws-01", "low", T0, T0);
    assertThat(second).isNotEqualTo(id);
    assertThat(incidents.get(Scope.NATIONAL, id)).usingRecursiveComparison().ignoringFields("id").isEqualTo(in);
    assertThat(incidents.get(Scope.NATIONAL, id).id()).isEqualTo(id);
    assertThat(incidents.get(Scope.NATIONAL, second).levelRank()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void create_whenANewerIncidentOfTheSameHostHasAHigherId_returnsItsOwnId(String kind) {
    // Regression: create answered MAX(id) of the institution and host, which is another incident's id
    // whenever a higher id exists (another writer's, or one restored with its id).
    open(kind);
    db.jdbi().useHandle(h -> h.execute("INSERT INTO incidents (id, institution_id, host, title, level, level_rank, "
        + "status, first_ts, last_ts, alert_count, techniques, tactics, rules, created, updated) VALUES (1000, 'a', "
        + "'ws-01', 'restored', 'low', 1, 'new', 0, 0, 1, '[]', '[]', '[]', 0, 0)"));
    long id = create("a", "ws-01", "high", T0, T0);
    assertThat(id).isNotEqualTo(1000);
    assertThat(incidents.get(Scope.NATIONAL, id).title()).isEqualTo("Incident on ws-01");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void findOpen_respectsWindowStatusHostAndInstitution(String kind) {
    open(kind);
    long old = create("a", "h", "high", T0 - 3 * HOUR, T0 - 2 * HOUR);
    long recent = create("a", "h", "high", T0 - HOUR, T0 - 30 * MINUTE);
    create("a", "other", "high", T0, T0);
    create("b", "h", "high", T0, T0);
    assertThat(findOpen("a", "h", T0 - HOUR).id()).isEqualTo(recent);
    assertThat(findOpen("a", "h", T0 - 30 * MINUTE).id()).as("since is inclusive").isEqualTo(recent);
    assertThat(findOpen("a", "h", T0 - 30 * MINUTE + 1)).as("outside the window").isNull();
    assertThat(findOpen("a", "h", T0 - 5 * HOUR).id()).as("the most recent").isEqualTo(recent);
    assertThat(findOpen("a", "H", T0 - 5 * HOUR)).as("host is exact").isNull();
    assertThat(findOpen("c", "h", T0 - 5 * HOUR)).isNull();

    setStatus(recent, "contained");
    assertThat(findOpen("a", "h", T0 - 5 * HOUR).id()).as("contained is still open").isEqualTo(recent);
    setStatus(recent, "resolved");
    assertThat(findOpen("a", "h", T0 - 5 * HOUR).id()).isEqualTo(old);
    setStatus(old, "false_positive");
    assertThat(findOpen("a", "h", T0 - 5 * HOUR)).isNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void findOpen_hostWithNulCharacter_findsTheIncidentCreatedForIt(String kind) {
    // The host is stored with U+FFFD (PostgreSQL text cannot hold U+0000); the lookup must agree.
    open(kind);
    long id = create("a", "evil\u0000host", "high", T0, T0);
    assertThat(incidents.get(Scope.NATIONAL, id).host()).isEqualTo("evil\uFFFDhost");
    assertThat(findOpen("a", "evil\u0000host", T0).id()).isEqualTo(id);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void findOpen_equalLastTimes_takesTheHigherId(String kind) {
    open(kind);
    create("a", "h", "high", T0, T0);
    long second = create("a", "h", "high", T0, T0);
    assertThat(findOpen("a", "h", T0).id()).isEqualTo(second);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void updateAggregates_writesTheAggregatesAndLeavesStatusAndAssignee(String kind) {
    open(kind);
    long id = create("a", "h", "low", T0, T0);
    incidents.update(Scope.NATIONAL, id, "investigating", "ana", T0 + 1);
    IncidentRow grown = new IncidentRow(id, "x", "y", "Ransomware on h", "critical", 4, "resolved", "someone else",
        T0 - HOUR, T0 + HOUR, 7, List.of("T1486"), List.of("impact"), List.of("r1", "r7"), 0, T0 + 5);
    db.jdbi().useTransaction(h -> incidents.updateAggregates(h, grown));
    IncidentRow out = incidents.get(Scope.NATIONAL, id);
    assertThat(out).usingRecursiveComparison().ignoringFields("institution", "host", "status", "assignee", "created")
        .isEqualTo(grown);
    assertThat(List.of(out.institution(), out.host(), out.status(), out.assignee())).containsExactly("a", "h",
        "investigating", "ana");
    assertThat(out.created()).isEqualTo(T0);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void update_returnsTheIncidentAsUpdated(String kind) {
    // The row is read back inside update's transaction (Jdbi hands nested calls on the thread the same
    // handle); read on another connection it would still be the row before the change.
    open(kind);
    long id = create("a", "h", "high", T0, T0);
    IncidentRow r = incidents.update(Scope.NATIONAL, id, "investigating", "ana", T0 + 7);
    assertThat(r.status()).isEqualTo("investigating");
    assertThat(r.assignee()).isEqualTo("ana");
    assertThat(r.updated()).isEqualTo(T0 + 7);
    assertThat(incidents.get(Scope.NATIONAL, id)).isEqualTo(r);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void update_nullLeavesAValueAndEmptyAssigneeClearsIt(String kind) {
    open(kind);
    long id = create("a", "h", "high", T0, T0);
    incidents.update(Scope.NATIONAL, id, "contained", "ana", T0);
    assertThat(incidents.update(Scope.NATIONAL, id, null, "bob", T0).status()).isEqualTo("contained");
    assertThat(incidents.update(Scope.NATIONAL, id, "resolved", null, T0).assignee()).isEqualTo("bob");
    IncidentRow cleared = incidents.update(Scope.NATIONAL, id, null, "", T0);
    assertThat(cleared.assignee()).isNull();
    assertThat(cleared.status()).isEqualTo("resolved");
    assertThat(cleared.open()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void update_everyKnownStatusIsAccepted_unknownIsRejectedAndChangesNothing(String kind) {
    open(kind);
    long id = create("a", "h", "high", T0, T0);
    for (String s : IncidentRow.STATUSES) {
      assertThat(incidents.update(Scope.NATIONAL, id, s, null, T0).status()).isEqualTo(s);
    }
    incidents.update(Scope.NATIONAL, id, "new", null, T0);
    for (String bad : List.of("closed", "RESOLVED", "", " new")) {
      assertThatThrownBy(() -> incidents.update(Scope.NATIONAL, id, bad, "x", T0 + 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
    }
    IncidentRow after = incidents.get(Scope.NATIONAL, id);
    assertThat(after.status()).isEqualTo("new");
    assertThat(after.assignee()).isNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void update_unknownIncident_isNull(String kind) {
    open(kind);
    assertThat(incidents.update(Scope.NATIONAL, 404, "resolved", null, T0)).isNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void openByLevel_countsOpenIncidentsPerLevel(String kind) {
    open(kind);
    create("a", "h1", "high", T0, T0);
    create("a", "h2", "high", T0, T0);
    long contained = create("a", "h3", "critical", T0, T0);
    long resolved = create("a", "h4", "critical", T0, T0);
    long fp = create("b", "h5", "low", T0, T0);
    setStatus(contained, "contained");
    setStatus(resolved, "resolved");
    setStatus(fp, "false_positive");
    assertThat(incidents.openByLevel(Scope.NATIONAL)).containsOnly(Map.entry("high", 2L), Map.entry("critical", 1L));
    assertThat(incidents.openByLevel(new Scope.OfInstitution("b"))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void list_filters(String kind) {
    open(kind);
    long i1 = create("a", "h1", "low", T0 - 2 * HOUR, T0 - HOUR);
    long i2 = create("a", "h2", "high", T0 - HOUR, T0 + HOUR);
    long i3 = create("b", "h1", "critical", T0 + HOUR, T0 + 2 * HOUR);
    incidents.update(Scope.NATIONAL, i2, "resolved", "ana", T0);
    incidents.update(Scope.NATIONAL, i3, "contained", null, T0);
    assertThat(ids(IncidentQuery.all(10))).containsExactly(i3, i2, i1);
    assertThat(ids(new IncidentQuery(T0, null, null, null, null, null, null, null, 10, null))).as("still active at T0")
        .containsExactly(i3, i2);
    assertThat(ids(new IncidentQuery(null, T0, null, null, null, null, null, null, 10, null))).as("begun before T0")
        .containsExactly(i2, i1);
    assertThat(ids(new IncidentQuery(null, null, "b", null, null, null, null, null, 10, null))).containsExactly(i3);
    assertThat(ids(new IncidentQuery(null, null, null, "h1", null, null, null, null, 10, null))).containsExactly(i3, i1);
    assertThat(ids(new IncidentQuery(null, null, null, null, "resolved", null, null, null, 10, null)))
        .containsExactly(i2);
    assertThat(ids(new IncidentQuery(null, null, null, null, null, true, null, null, 10, null))).containsExactly(i3, i1);
    assertThat(ids(new IncidentQuery(null, null, null, null, null, false, null, null, 10, null))).containsExactly(i2);
    assertThat(ids(new IncidentQuery(null, null, null, null, null, null, 3, null, 10, null))).containsExactly(i3, i2);
    assertThat(ids(new IncidentQuery(null, null, null, null, null, null, null, "ana", 10, null))).containsExactly(i2);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void list_pagingByLastTimeThenId_visitsEveryIncidentOnce(String kind) {
    open(kind);
    List<Long> all = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      all.add(create("a", "h" + i, "low", T0, T0 + (i % 4) * MINUTE));
    }
    List<Long> seen = new ArrayList<>();
    String cursor = null;
    do {
      Page<IncidentRow> p = incidents.list(Scope.NATIONAL, new IncidentQuery(null, null, null, null, null, null, null,
          null, 3, cursor));
      assertThat(p.total()).isEqualTo(17);
      p.items().forEach(r -> seen.add(r.id()));
      cursor = p.next();
    } while (cursor != null);
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    assertThat(seen).isEqualTo(ids(IncidentQuery.all(100)));
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void notes_addedNotesComeBackOldestFirst(String kind) {
    open(kind);
    long id = create("a", "h", "high", T0, T0);
    long other = create("a", "h2", "high", T0, T0);
    Note n1 = incidents.addNote(Scope.NATIONAL, id, "ana", "isolated the host", T0 + 1);
    Note n2 = incidents.addNote(new Scope.OfInstitution("a"), id, "bob", "reimaged; \"done\" \\ ok", T0 + 2);
    incidents.addNote(Scope.NATIONAL, other, "ana", "unrelated", T0 + 3);
    assertThat(n1).isEqualTo(new Note(n1.id(), id, "ana", "isolated the host", T0 + 1));
    assertThat(n2.id()).isGreaterThan(n1.id());
    assertThat(incidents.notes(Scope.NATIONAL, id)).containsExactly(n1, n2);
    assertThat(incidents.notes(Scope.NATIONAL, 404)).isNull();
    assertThat(incidents.addNote(Scope.NATIONAL, 404, "ana", "x", T0)).isNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void addNote_whenTheIncidentHasANoteWithAHigherId_returnsTheNewNote(String kind) {
    // Regression: addNote answered the incident's note with the highest id (see create).
    open(kind);
    long id = create("a", "h", "high", T0, T0);
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO incident_notes (id, incident_id, institution_id, author, "
        + "text, created) VALUES (1000, :i, 'a', 'old', 'restored', 0)").bind("i", id).execute());
    Note n = incidents.addNote(Scope.NATIONAL, id, "ana", "new note", T0);
    assertThat(n.text()).isEqualTo("new note");
    assertThat(n.id()).isNotEqualTo(1000);
    assertThat(incidents.notes(Scope.NATIONAL, id)).contains(n);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void share_isIdempotentAndMakesTheIncidentAndItsAlertsVisibleToThePartnerOnly(String kind) {
    open(kind);
    long id = create("a", "h", "high", T0, T0);
    long hidden = create("a", "h2", "high", T0, T0);
    AlertStore alerts = new AlertStore(db);
    long alert = db.jdbi().inTransaction(h -> {
      long a = alerts.insert(h, Rows.alert("a", "fp", "r", "high", T0, "h", List.of()), T0);
      alerts.assign(h, a, id);
      return a;
    });
    Scope p = new Scope.Partner("p");
    assertThat(incidents.get(p, id)).isNull();
    assertThat(incidents.share(Scope.NATIONAL, id, "p", T0)).isTrue();
    assertThat(incidents.share(new Scope.OfInstitution("a"), id, "p", T0 + 1)).as("again").isTrue();
    assertThat(incidents.get(p, id)).isEqualTo(incidents.get(Scope.NATIONAL, id));
    assertThat(incidents.get(p, hidden)).isNull();
    assertThat(alerts.get(p, alert)).isNotNull();
    assertThat(incidents.list(p, IncidentQuery.all(10)).total()).isEqualTo(1);
    int shares = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM shares").mapTo(Integer.class).one());
    assertThat(shares).isEqualTo(1);
    assertThat(incidents.share(p, id, "p", T0)).as("partners do not re-share").isFalse();
    assertThat(incidents.share(Scope.NATIONAL, 404, "p", T0)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void partnerScope_readsASharedIncidentButCannotChangeIt(String kind) {
    // Regression: a partner (read only) could set the status and assignee of, and add notes to, an incident
    // shared with it.
    open(kind);
    long id = create("a", "h", "high", T0, T0);
    incidents.share(Scope.NATIONAL, id, "p", T0);
    Scope p = new Scope.Partner("p");
    IncidentRow before = incidents.get(Scope.NATIONAL, id);
    assertThat(incidents.update(p, id, "resolved", "partner", T0 + 1)).isNull();
    assertThat(incidents.addNote(p, id, "partner", "closing this", T0 + 1)).isNull();
    assertThat(incidents.get(Scope.NATIONAL, id)).isEqualTo(before);
    assertThat(incidents.notes(p, id)).isEmpty();
  }

  private List<Long> ids(IncidentQuery q) {
    return incidents.list(Scope.NATIONAL, q).items().stream().map(IncidentRow::id).toList();
  }
}
