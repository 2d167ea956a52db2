package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rule switches, filters, idempotency receipts and cursors on both databases. */
class SettingsTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();
  private Database db;
  private Settings settings;

  private void open(String kind) {
    db = DBS.empty(kind, dir);
    settings = new Settings(db);
    Directory d = new Directory(db);
    d.createInstitution("a", "A", 30, null);
    d.createInstitution("b", "B", 30, null);
  }

  private int count(String table) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Integer.class).one());
  }

  private boolean record(String institution, String key, Settings.Receipt r) {
    return db.jdbi().inTransaction(h -> settings.recordReceipt(h, institution, key, r));
  }

  @AfterAll
  static void close() {
    DBS.close();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void setRuleEnabled_switchesOffAndOnAgain(String kind) {
    open(kind);
    assertThat(settings.disabledRules()).isEmpty();
    assertThat(settings.setRuleEnabled(Scope.NATIONAL, "a", "r1", false)).isTrue();
    assertThat(settings.setRuleEnabled(new Scope.OfInstitution("a"), "a", "r2", false)).isTrue();
    assertThat(settings.setRuleEnabled(Scope.NATIONAL, "b", "r1", false)).isTrue();
    assertThat(settings.setRuleEnabled(Scope.NATIONAL, "a", "r1", false)).as("twice").isTrue();
    assertThat(settings.disabledRules()).isEqualTo(Map.of("a", Set.of("r1", "r2"), "b", Set.of("r1")));
    assertThat(settings.disabledRules(Scope.NATIONAL, "a")).isEqualTo(Set.of("r1", "r2"));

    assertThat(settings.setRuleEnabled(Scope.NATIONAL, "a", "r1", true)).isTrue();
    assertThat(settings.disabledRules()).isEqualTo(Map.of("a", Set.of("r2"), "b", Set.of("r1")));
    assertThat(count("rule_settings")).as("one row per institution and rule").isEqualTo(3);
    assertThat(settings.disabledRules(Scope.NATIONAL, "c")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void setRuleEnabled_unknownInstitution_fails(String kind) {
    open(kind);
    assertThatThrownBy(() -> settings.setRuleEnabled(Scope.NATIONAL, "nope", "r1", false))
        .isInstanceOf(RuntimeException.class);
    assertThat(settings.disabledRules()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void filters_addListDelete(String kind) {
    open(kind);
    String yaml = "title: noisy backup\ndetection:\n  sel:\n    Image|endswith: '\\backup.exe'\n  condition: sel\n";
    Settings.Filter f1 = settings.addFilter(Scope.NATIONAL, "a", "backup", yaml);
    Settings.Filter f2 = settings.addFilter(new Scope.OfInstitution("b"), "b", "other", "x: 1");
    Settings.Filter f3 = settings.addFilter(Scope.NATIONAL, "a", "second", "y: 2");
    assertThat(f1).isEqualTo(new Settings.Filter(f1.id(), "a", "backup", yaml));
    assertThat(f1.id()).isLessThan(f2.id());
    assertThat(f2.id()).isLessThan(f3.id());
    assertThat(settings.filters(Scope.NATIONAL)).containsExactly(f1, f2, f3);
    assertThat(settings.filters(new Scope.OfInstitution("a"))).containsExactly(f1, f3);

    assertThat(settings.deleteFilter(Scope.NATIONAL, f1.id())).isTrue();
    assertThat(settings.deleteFilter(Scope.NATIONAL, f1.id())).as("again").isFalse();
    assertThat(settings.filters(Scope.NATIONAL)).containsExactly(f2, f3);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void addFilter_whenTheInstitutionHasAFilterWithAHigherId_returnsTheNewFilter(String kind) {
    // Regression: addFilter answered the institution's filter with the highest id, which is another one
    // whenever a higher id exists (another writer's, or one restored with its id).
    open(kind);
    db.jdbi().useHandle(h -> h.execute("INSERT INTO filters (id, institution_id, name, yaml, created) VALUES "
        + "(1000, 'a', 'restored', 'r: 1', 0)"));
    Settings.Filter f = settings.addFilter(Scope.NATIONAL, "a", "new", "n: 1");
    assertThat(f.name()).isEqualTo("new");
    assertThat(f.id()).isNotEqualTo(1000);
    assertThat(settings.filters(Scope.NATIONAL)).contains(f);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void recordReceipt_firstWinsAndALaterOneWithTheSameKeyIsRefused(String kind) {
    open(kind);
    assertThat(settings.receipt("a", "key-1")).isNull();
    Settings.Receipt first = new Settings.Receipt(10, 2, 1001);
    assertThat(record("a", "key-1", first)).isTrue();
    assertThat(record("a", "key-1", new Settings.Receipt(1, 1, 1)))
        .isFalse();
    assertThat(settings.receipt("a", "key-1")).isEqualTo(first);
    assertThat(record("b", "key-1", new Settings.Receipt(3, 0, 7)))
        .as("keys are per institution").isTrue();
    assertThat(settings.receipt("b", "key-1")).isEqualTo(new Settings.Receipt(3, 0, 7));
    assertThat(settings.receipt("a", "KEY-1")).isNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void recordReceipt_rolledBackWithTheBatch_leavesTheKeyFree(String kind) {
    open(kind);
    assertThatThrownBy(() -> db.jdbi().useTransaction(h -> {
      settings.recordReceipt(h, "a", "k", new Settings.Receipt(1, 0, 1));
      throw new IllegalStateException("storing the events failed");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(settings.receipt("a", "k")).isNull();
    assertThat(record("a", "k", new Settings.Receipt(1, 0, 1)))
        .isTrue();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void cursor_defaultsToZeroAndKeepsTheLastValueSet(String kind) {
    open(kind);
    assertThat(settings.cursor("detect")).isZero();
    db.jdbi().useTransaction(h -> settings.setCursor(h, "detect", 42));
    db.jdbi().useTransaction(h -> settings.setCursor(h, "retro", 7));
    db.jdbi().useTransaction(h -> settings.setCursor(h, "detect", Long.MAX_VALUE));
    assertThat(settings.cursor("detect")).isEqualTo(Long.MAX_VALUE);
    assertThat(settings.cursor("retro")).isEqualTo(7);
    assertThatThrownBy(() -> db.jdbi().useTransaction(h -> {
      settings.setCursor(h, "retro", 8);
      throw new IllegalStateException("detection failed");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(settings.cursor("retro")).as("rolled back with its transaction").isEqualTo(7);
  }
}
