package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TAXII repository's sharing rules in SQL (scope × TLP × version), and the indicator
 * repository's upsert rules, on both databases.
 */
class TaxiiStoreTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();
  private static final int NONE = 0;
  private static final int CLEAR = 1;
  private static final int GREEN = 2;
  private static final int AMBER = 3;
  private static final int RED = 5;
  private Database db;
  private TaxiiStore store;

  private void open(String kind) {
    db = DBS.empty(kind, dir);
    store = new TaxiiStore(db);
    Directory d = new Directory(db);
    d.createPartner("p1", "P1");
    d.createPartner("p2", "P2");
  }

  @AfterAll
  static void close() {
    DBS.close();
  }

  private void collection(String id, int max, int def, List<TaxiiStore.Access> access) {
    store.createCollection(new TaxiiStore.Collection(id, "T " + id, "", null, max, def, true, true, 1), access);
  }

  private static TaxiiStore.NewObject object(String uuid, long version, int marking) {
    return new TaxiiStore.NewObject("indicator--" + uuid, "indicator", "2.1", version, "v" + version, marking, "{}");
  }

  private List<String> served(Scope scope, String c, String version) {
    List<String> out = new ArrayList<>();
    for (TaxiiStore.StoredObject o : store.objects(scope, c, new TaxiiStore.ObjectQuery(null, List.of(), List.of(),
        List.of(version), List.of(), 100, false)).items()) {
      out.add(o.objectId().substring(11) + "@" + o.version());
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void objects_honourScopeAndTlp(String kind) {
    open(kind);
    collection("c", AMBER, GREEN, List.of(new TaxiiStore.Access("p1", true, false)));
    store.addObjects("c", List.of(object("none", 1, NONE), object("clear", 1, CLEAR), object("amber", 1, AMBER),
        object("strict", 1, 4), object("red", 1, RED)), 1000);
    assertThat(served(Scope.NATIONAL, "c", "all")).containsExactly("none@1", "clear@1", "amber@1");
    assertThat(served(new Scope.Partner("p1"), "c", "all")).containsExactly("none@1", "clear@1", "amber@1");
    assertThat(served(new Scope.Partner("p2"), "c", "all")).isEmpty();
    assertThat(served(new Scope.OfInstitution("a"), "c", "all")).isEmpty();
    assertThat(store.collections(new Scope.Partner("p1"))).extracting(TaxiiStore.Collection::canWrite)
        .containsExactly(false);
    assertThat(store.collections(new Scope.Partner("p2"))).isEmpty();
    assertThat(store.collections(new Scope.OfInstitution("a"))).isEmpty();

    store.updateCollection(new TaxiiStore.Collection("c", "T", "", null, RED, RED, true, true, 1), null);
    assertThat(served(Scope.NATIONAL, "c", "all")).as("unmarked now counts as RED")
        .containsExactly("clear@1", "amber@1", "strict@1");
    assertThat(store.collections(new Scope.Partner("p1"))).as("access list kept").hasSize(1);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void versions_lastAndFirstOverEveryVersion_dateAddedStrictlyIncreasing(String kind) {
    open(kind);
    collection("c", RED, GREEN, List.of());
    long[] first = store.addObjects("c", List.of(object("x", 10, GREEN), object("y", 10, GREEN)), 5000);
    long[] second = store.addObjects("c", List.of(object("x", 20, RED), object("y", 20, GREEN), object("y", 10, 0)),
        5000);
    assertThat(first).containsExactly(5000, 5001);
    assertThat(second).containsExactly(5002, 5003, -1);
    assertThat(served(Scope.NATIONAL, "c", "last")).as("x's last version is RED").containsExactly("y@20");
    assertThat(served(Scope.NATIONAL, "c", "first")).containsExactly("x@10", "y@10");
    assertThat(served(Scope.NATIONAL, "c", "all")).containsExactly("x@10", "y@10", "y@20");
    assertThat(served(Scope.NATIONAL, "c", "20")).containsExactly("y@20");

    TaxiiStore.ObjectPage page = store.objects(Scope.NATIONAL, "c", new TaxiiStore.ObjectQuery(5000L, List.of(),
        List.of(), List.of("all"), List.of(), 1, false));
    assertThat(page.more()).isTrue();
    assertThat(page.items()).extracting(TaxiiStore.StoredObject::dateAdded).containsExactly(5001L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void indicators_upsertReplacesOnlyNewerOrChanged(String kind) {
    open(kind);
    IntelStore intel = new IntelStore(db);
    IntelStore.Row v1 = row("indicator--1", "A", "2026-01-01T00:00:00Z", "d1");
    assertThat(intel.upsert(List.of(v1, row("indicator--1", "B", "", "d1")), 10)).hasSize(2);
    assertThat(intel.upsert(List.of(v1), 11)).as("the same content").isEmpty();
    assertThat(intel.upsert(List.of(row("indicator--1", "A", "2025-06-01T00:00:00Z", "d0")), 12)).as("older")
        .isEmpty();
    assertThat(intel.upsert(List.of(row("indicator--1", "A", "2026-01-01T00:00:00Z", "d2")), 13)).as("changed")
        .hasSize(1);
    assertThat(intel.upsert(List.of(row("indicator--1", "A", "2026-02-01T00:00:00.5Z", "d2")), 14)).as("newer")
        .hasSize(1);
    assertThat(intel.revoke(new Scope.OfInstitution("a"), "indicator--1", 15)).isZero();
    assertThat(intel.revoke(Scope.NATIONAL, "indicator--1", 15)).isEqualTo(2);
    List<IntelStore.Row> live = new ArrayList<>();
    intel.live(live::add);
    assertThat(live).isEmpty();
    assertThat(intel.list(new Scope.Partner("p1"), new IntelStore.Query(null, null, null, 10, null)).total()).isZero();
    assertThat(intel.list(Scope.NATIONAL, new IntelStore.Query("INDICATOR--1", "A", true, 10, null)).items())
        .extracting(IntelStore.Row::source).containsExactly("A");
  }

  private static IntelStore.Row row(String id, String source, String modified, String digest) {
    return new IntelStore.Row(0, id, source, "import", "", "[ipv4-addr:value = '198.51.100.1']", 50, GREEN, null,
        null, false, modified, digest, "{}", 0, 0);
  }
}
