package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.store.Database;
import org.lovcen.store.Directory;
import org.lovcen.store.Scope;

/** {@code lovcen backup} and {@code lovcen restore} on a data folder. */
class BackupCommandTest {
  @TempDir Path dir;

  @Test
  void backupThenRestore_bringsBackTheDatabaseIntoAnotherDataFolder() throws IOException {
    Path data = dir.resolve("data");
    try (Database db = Database.open(data.resolve("lovcen.db").toString(), 2)) {
      new Directory(db).createInstitution("mf", "Ministry of Finance", 30, "");
      // the server still has the database open: the backup is online
      Path backups = Files.createDirectories(dir.resolve("backups"));
      InProcess.Run b = InProcess.run("backup", "--data", data.toString(), "--out", backups.toString());
      assertThat(b.code()).as(b.err()).isZero();
      assertThat(b.out()).contains("backed up").contains("schema version");
      List<Path> made;
      try (var s = Files.list(backups)) {
        made = s.toList();
      }
      assertThat(made).singleElement().satisfies(f -> assertThat(f.getFileName().toString())
          .matches("lovcen-\\d{8}-\\d{6}\\.db"));

      InProcess.Run busy = InProcess.run("restore", "--data", data.toString(), "--from", made.get(0).toString());
      assertThat(busy.code()).isEqualTo(Main.USAGE);
      assertThat(busy.err()).contains("in use");

      Path other = dir.resolve("other");
      InProcess.Run r = InProcess.run("restore", "--data", other.toString(), "--from", made.get(0).toString());
      assertThat(r.code()).as(r.err()).isZero();
      try (Database restored = Database.open(other.resolve("lovcen.db").toString(), 2)) {
        assertThat(new Directory(restored).institution(Scope.NATIONAL, "mf")).isPresent();
      }
    }
  }

  @Test
  void backup_refusesAnExistingFileAndPostgresql() throws IOException {
    Path data = dir.resolve("data");
    try (Database db = Database.open(data.resolve("lovcen.db").toString(), 2)) {
      Path taken = Files.writeString(dir.resolve("taken.db"), "x");
      InProcess.Run exists = InProcess.run("backup", "--data", data.toString(), "--out", taken.toString());
      assertThat(exists.code()).isEqualTo(Main.USAGE);
      assertThat(exists.err()).contains("exists");
      assertThat(Files.readString(taken)).isEqualTo("x");
    }
    Path cfg = Files.writeString(dir.resolve("pg.yml"), "database:\n  url: postgresql://u:p@127.0.0.1:5432/lovcen\n");
    InProcess.Run pg = InProcess.run("backup", "--config", cfg.toString(), "--out", dir.resolve("x.db").toString());
    assertThat(pg.code()).isEqualTo(Main.USAGE);
    assertThat(pg.err()).contains("pg_dump").doesNotContain(":p@");
  }

  @Test
  void restore_refusesAFileThatIsNotALovcenDatabase() throws IOException {
    Path junk = Files.writeString(dir.resolve("junk.db"), "not a database at all, but long enough to look like one");
    InProcess.Run r = InProcess.run("restore", "--data", dir.resolve("data").toString(), "--from", junk.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("junk.db");
    assertThat(dir.resolve("data/lovcen.db")).doesNotExist();
  }
}
