package org.lovcen.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lovcen.store.SqliteBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lovcen restore}: puts a backup in place of the server's database, the server stopped. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Checks a backup made by 'lovcen backup' and puts it in place of the server's SQLite database. "
        + "Stop the server first; the replaced database is kept beside it as <name>.before-restore-<time>. The "
        + "server migrates an older backup's schema and detects the events its alerts do not yet cover when it "
        + "starts."})
final class RestoreCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The server's configuration file (YAML).")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "The server's data folder (data).")
  Path data;

  @Option(names = {"-i", "--from"}, paramLabel = "FILE", required = true, description = "The backup file.")
  Path from;

  @Override
  public Integer call() {
    Path db = BackupCommand.sqliteFile(config, data);
    SqliteBackup.Summary s = SqliteBackup.restore(from, db);
    System.out.println("lovcen: restored " + from + " as " + s.describe());
    return Main.CLEAN;
  }
}
