package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Uploaded rule files on both databases: who sees, adds and deletes which. */
class RuleUploadStoreTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();
  private static final Scope A = new Scope.OfInstitution("a");
  private static final Scope B = new Scope.OfInstitution("b");

  @AfterAll
  static void close() {
    DBS.close();
  }

  private RuleUploadStore open(String kind) {
    Database db = DBS.empty(kind, dir);
    Directory d = new Directory(db);
    d.createInstitution("a", "A", 30, null);
    d.createInstitution("b", "B", 30, null);
    return new RuleUploadStore(db);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void institutions_seeNationalUploadsAndTheirOwn_andDeleteOnlyTheirOwn(String kind) {
    RuleUploadStore s = open(kind);
    RuleUploadStore.Upload national = s.add(Scope.NATIONAL, null, "all.yml", "title: all", "nadia", 1);
    RuleUploadStore.Upload ofA = s.add(A, "a", "a.yml", "title: a", "ana", 2);
    assertThat(s.add(A, "b", "b.yml", "title: b", "ana", 3)).as("another institution's").isNull();
    assertThat(s.add(A, null, "n.yml", "title: n", "ana", 3)).as("a national one").isNull();
    RuleUploadStore.Upload ofB = s.add(Scope.NATIONAL, "b", "b.yml", "title: b", "nadia", 4);

    assertThat(s.list(Scope.NATIONAL)).extracting(RuleUploadStore.Upload::id)
        .containsExactly(national.id(), ofA.id(), ofB.id());
    assertThat(s.list(A)).extracting(RuleUploadStore.Upload::id).containsExactly(national.id(), ofA.id());
    assertThat(s.list(B)).extracting(RuleUploadStore.Upload::id).containsExactly(national.id(), ofB.id());
    assertThat(s.list(new Scope.Partner("p"))).isEmpty();
    assertThat(s.get(A, ofB.id())).isNull();
    assertThat(ofA.yaml()).isEqualTo("title: a");
    assertThat(ofA.createdBy()).isEqualTo("ana");

    assertThat(s.delete(A, ofB.id())).isFalse();
    assertThat(s.delete(A, national.id())).isFalse();
    assertThat(s.delete(A, ofA.id())).isTrue();
    assertThat(s.delete(Scope.NATIONAL, national.id())).isTrue();
    assertThat(s.list(Scope.NATIONAL)).extracting(RuleUploadStore.Upload::id).containsExactly(ofB.id());
  }
}
