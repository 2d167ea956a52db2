package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lovcen.store.Rows.HOUR;
import static org.lovcen.store.Rows.T0;
import static org.lovcen.store.Rows.alert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Alerts on both databases: idempotent insert, filters, counts and paging. */
class AlertStoreTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();
  private Database db;
  private AlertStore alerts;

  private void open(String kind) {
    db = DBS.empty(kind, dir);
    alerts = new AlertStore(db);
  }

  @AfterAll
  static void close() {
    DBS.close();
  }

  private long insert(AlertRow a) {
    return db.jdbi().inTransaction(h -> alerts.insert(h, a, T0 + 999));
  }

  private List<Long> ids(AlertQuery q) {
    return alerts.list(Scope.NATIONAL, q).items().stream().map(AlertRow::id).toList();
  }

  private static AlertQuery query(Long from, Long to, String institution, String host, Integer minLevel, String ruleId,
      String tag, Long incident, String kind) {
    return new AlertQuery(from, to, institution, host, minLevel, ruleId, tag, incident, kind, 1000, null);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_thenGet_returnsEveryColumn(String kind) {
    open(kind);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Image", "C:\\Windows\\System32\\cmd.exe");
    fields.put("CommandLine", "cmd /c \"whoami\"");
    AlertRow in = AlertRow.of("a", "fp-1", "correlation", "rule-9", "Many failed logons", "critical", 4, "Lovcen CERT",
        List.of("attack.credential-access", "attack.t1110"), T0, T0 + HOUR, "dc-01", "Security", null, fields,
        Map.of("TargetUserName", "admin"), Map.of("events", List.of(1, 2, 3)), true);
    long id = insert(in);
    assertThat(id).isPositive();
    AlertRow out = alerts.get(Scope.NATIONAL, id);
    assertThat(out).usingRecursiveComparison().ignoringFields("id", "created", "evidence").isEqualTo(in);
    assertThat(out.id()).isEqualTo(id);
    assertThat(out.created()).isEqualTo(T0 + 999);
    assertThat(out.eventRef()).isNull();
    assertThat(out.incident()).isNull();
    assertThat(out.evidence()).isEqualTo(Map.of("events", List.of(1, 2, 3)));
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_sameInstitutionAndFingerprint_returnsMinusOneAndKeepsTheFirst(String kind) {
    open(kind);
    long first = insert(alert("a", "fp", "r1", "high", T0, "h", List.of()));
    AlertRow replay = AlertRow.of("a", "fp", "sigma", "r1", "changed title", "low", 1, null, List.of(), T0 + 5, T0 + 5,
        "other", null, 9L, Map.of(), Map.of(), null, true);
    assertThat(insert(replay)).isEqualTo(-1);
    assertThat(alerts.list(Scope.NATIONAL, AlertQuery.all(10)).total()).isEqualTo(1);
    assertThat(alerts.get(Scope.NATIONAL, first).ruleTitle()).isEqualTo("Rule r1");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_sameFingerprintInAnotherInstitution_isAnotherAlert(String kind) {
    open(kind);
    long a = insert(alert("a", "fp", "r1", "high", T0, "h", List.of()));
    long b = insert(alert("b", "fp", "r1", "high", T0, "h", List.of()));
    assertThat(b).isPositive().isNotEqualTo(a);
    assertThat(alerts.get(Scope.NATIONAL, b).institution()).isEqualTo("b");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_duplicateWithinOneTransaction_isStillDetected(String kind) {
    open(kind);
    List<Long> ids = db.jdbi().inTransaction(h -> List.of(alerts.insert(h, alert("a", "fp", "r1", "high", T0, "h",
        List.of()), T0), alerts.insert(h, alert("a", "fp", "r1", "high", T0, "h", List.of()), T0)));
    assertThat(ids.get(0)).isPositive();
    assertThat(ids.get(1)).isEqualTo(-1);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_rolledBack_leavesNoAlert(String kind) {
    open(kind);
    assertThatThrownBy(() -> db.jdbi().useTransaction(h -> {
      alerts.insert(h, alert("a", "fp", "r1", "high", T0, "h", List.of()), T0);
      throw new IllegalStateException("incident grouping failed");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(alerts.list(Scope.NATIONAL, AlertQuery.all(10)).total()).isZero();
    assertThat(insert(alert("a", "fp", "r1", "high", T0, "h", List.of()))).as("the fingerprint is free").isPositive();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void assign_movesTheAlertIntoTheIncident(String kind) {
    open(kind);
    long id = insert(alert("a", "fp", "r1", "high", T0, "h", List.of()));
    long inc = db.jdbi().inTransaction(h -> {
      long i = new IncidentStore(db).create(h, Rows.incident("a", "h", "high", T0, T0));
      alerts.assign(h, id, i);
      return i;
    });
    assertThat(alerts.get(Scope.NATIONAL, id).incident()).isEqualTo(inc);
    assertThat(ids(query(null, null, null, null, null, null, null, inc, null))).containsExactly(id);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void list_eachFilterAlone(String kind) {
    open(kind);
    long incident = db.jdbi().inTransaction(h -> new IncidentStore(db).create(h, Rows.incident("a", "h1", "high", T0,
        T0)));
    long a1 = insert(alert("a", "1", "proc_creation_x", "low", T0, "h1", List.of("attack.execution", "attack.t1059.001")));
    long a2 = insert(alert("a", "2", "proc_creation_x", "high", T0 + HOUR, "h2", List.of("attack.t1059")));
    long a3 = insert(AlertRow.of("b", "3", "indicator", "ioc-1", "Known bad IP", "critical", 4, null,
        List.of("attack.t1059_001"), T0 + 2 * HOUR, T0 + 2 * HOUR, "h1", null, null, Map.of(), Map.of(), null, false));
    long a4 = insert(alert("a", "4", "rule_y", "medium", T0 - 1, "H1", List.of("ATTACK.T1059.001")));
    db.jdbi().useTransaction(h -> alerts.assign(h, a2, incident));

    assertThat(ids(AlertQuery.all(100))).containsExactly(a3, a2, a1, a4);
    assertThat(ids(query(T0, T0 + 2 * HOUR, null, null, null, null, null, null, null))).containsExactly(a2, a1);
    assertThat(ids(query(null, null, "b", null, null, null, null, null, null))).containsExactly(a3);
    assertThat(ids(query(null, null, null, "h1", null, null, null, null, null))).containsExactly(a3, a1);
    assertThat(ids(query(null, null, null, null, 3, null, null, null, null))).containsExactly(a3, a2);
    assertThat(ids(query(null, null, null, null, 0, null, null, null, null))).hasSize(4);
    assertThat(ids(query(null, null, null, null, null, "proc_creation_x", null, null, null))).containsExactly(a2, a1);
    assertThat(ids(query(null, null, null, null, null, "proc_creation", null, null, null))).isEmpty();
    assertThat(ids(query(null, null, null, null, null, null, null, incident, null))).containsExactly(a2);
    assertThat(ids(query(null, null, null, null, null, null, null, null, "indicator"))).containsExactly(a3);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void list_tag_matchesOneWholeTagExactly(String kind) {
    open(kind);
    long a1 = insert(alert("a", "1", "r", "low", T0, "h", List.of("attack.execution", "attack.t1059.001")));
    long a2 = insert(alert("a", "2", "r", "low", T0 + 1, "h", List.of("attack.t1059")));
    long a3 = insert(alert("a", "3", "r", "low", T0 + 2, "h", List.of("attack.t1059x001", "cve.2021\"44228")));
    long a4 = insert(alert("a", "4", "r", "low", T0 + 3, "h", List.of("ATTACK.T1059.001", "x\\y", "100%")));
    assertThat(ids(query(null, null, null, null, null, null, "attack.t1059.001", null, null))).containsExactly(a1);
    assertThat(ids(query(null, null, null, null, null, null, "attack.t1059", null, null))).containsExactly(a2);
    assertThat(ids(query(null, null, null, null, null, null, "t1059", null, null))).isEmpty();
    assertThat(ids(query(null, null, null, null, null, null, "cve.2021\"44228", null, null))).containsExactly(a3);
    assertThat(ids(query(null, null, null, null, null, null, "x\\y", null, null))).containsExactly(a4);
    assertThat(ids(query(null, null, null, null, null, null, "100%", null, null))).containsExactly(a4);
    assertThat(ids(query(null, null, null, null, null, null, "attack.t1059_001", null, null))).isEmpty();
    assertThat(ids(query(null, null, null, null, null, null, "attack.*", null, null))).as("no wildcards").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void list_combinedFilters_allMustHold(String kind) {
    open(kind);
    long a1 = insert(alert("a", "1", "r1", "high", T0, "h1", List.of("attack.t1003")));
    insert(alert("a", "2", "r1", "low", T0, "h1", List.of("attack.t1003")));
    insert(alert("a", "3", "r2", "high", T0, "h1", List.of("attack.t1003")));
    insert(alert("a", "4", "r1", "high", T0, "h2", List.of("attack.t1003")));
    insert(alert("a", "5", "r1", "high", T0, "h1", List.of("attack.t1004")));
    insert(alert("b", "6", "r1", "high", T0, "h1", List.of("attack.t1003")));
    AlertQuery q = query(T0, T0 + 1, "a", "h1", 3, "r1", "attack.t1003", null, "sigma");
    assertThat(ids(q)).containsExactly(a1);
    assertThat(alerts.list(Scope.NATIONAL, q).total()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void list_pagingOverEqualTimes_visitsEveryAlertOnce(String kind) {
    open(kind);
    List<Long> inserted = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      inserted.add(insert(alert(i % 2 == 0 ? "a" : "b", "fp" + i, "r", "low", T0 + (i % 3), "h", List.of())));
    }
    List<Long> seen = new ArrayList<>();
    String cursor = null;
    do {
      Page<AlertRow> p = alerts.list(Scope.NATIONAL, new AlertQuery(null, null, null, null, null, null, null, null, null,
          4, cursor));
      assertThat(p.total()).isEqualTo(23);
      p.items().forEach(a -> seen.add(a.id()));
      cursor = p.next();
    } while (cursor != null);
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(inserted);
    List<AlertRow> all = alerts.list(Scope.NATIONAL, AlertQuery.all(100)).items();
    assertThat(all.stream().map(AlertRow::id).toList()).isEqualTo(seen);
    assertThat(all).isSortedAccordingTo((x, y) -> x.ts() != y.ts() ? Long.compare(y.ts(), x.ts())
        : Long.compare(y.id(), x.id()));
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void countByRule_mostFrequentFirstThenByRuleId_withinFilterAndTop(String kind) {
    open(kind);
    String[] rules = {"r-b", "r-a", "r-b", "r-c", "r-a", "r-b", "r-d", "r-c"};
    for (int i = 0; i < rules.length; i++) {
      insert(alert("a", "fp" + i, rules[i], i < 6 ? "high" : "low", T0 + i, "h", List.of()));
    }
    insert(alert("b", "other", "r-z", "high", T0, "h", List.of()));
    assertThat(alerts.countByRule(Scope.NATIONAL, query(null, null, "a", null, null, null, null, null, null), 10))
        .containsExactly(Map.entry("r-b", 3L), Map.entry("r-a", 2L), Map.entry("r-c", 2L), Map.entry("r-d", 1L));
    assertThat(alerts.countByRule(Scope.NATIONAL, query(null, null, "a", null, null, null, null, null, null), 2))
        .containsExactly(Map.entry("r-b", 3L), Map.entry("r-a", 2L));
    assertThat(alerts.countByRule(Scope.NATIONAL, query(null, null, null, null, 3, null, null, null, null), 10))
        .containsExactly(Map.entry("r-b", 3L), Map.entry("r-a", 2L), Map.entry("r-c", 1L), Map.entry("r-z", 1L));
    assertThat(alerts.countByRule(new Scope.OfInstitution("b"), AlertQuery.all(10), 10))
        .containsExactly(Map.entry("r-z", 1L));
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_nulCharacterInHost_isStoredAsReplacementCharacter(String kind) {
    open(kind);
    long id = insert(alert("a", "fp", "r", "low", T0, "bad\u0000host", List.of()));
    assertThat(alerts.get(Scope.NATIONAL, id).host()).isEqualTo("bad\uFFFDhost");
  }
}
