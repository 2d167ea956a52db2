package org.lovcen.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lovcen.core.LovcenException;
import org.lovcen.server.ServeConfig;
import org.lovcen.store.SqliteBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lovcen backup}: a consistent copy of the embedded database, taken while the server runs. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Writes a consistent copy of the server's SQLite database while the server runs (every stored "
        + "batch whole or not at all). Restore it with 'lovcen restore'. For PostgreSQL use pg_dump "
        + "(docs/INSTALL.md)."})
final class BackupCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The server's configuration file (YAML).")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "The server's data folder (data).")
  Path data;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE|DIR", required = true, description = "The backup file to "
      + "write (must not exist), or a folder to write lovcen-<date>-<time>.db in.")
  Path out;

  @Override
  public Integer call() {
    Path db = sqliteFile(config, data);
    Path file = Files.isDirectory(out) ? out.resolve("lovcen-" + LocalDateTime.now(ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".db") : out;
    SqliteBackup.Summary s = SqliteBackup.backup(db, file);
    System.out.println("lovcen: backed up " + db + " to " + s.describe());
    return Main.CLEAN;
  }

  /**
   * The SQLite file the server with this configuration uses (as {@code lovcen serve} finds it:
   * the file, then {@code LOVCEN_*} variables, then {@code --data}); refuses PostgreSQL.
   */
  static Path sqliteFile(Path config, Path data) {
    Map<String, String> env = new HashMap<>(System.getenv());
    if (data != null) {
      env.put("LOVCEN_DATA", data.toString());
    }
    ServeConfig cfg = config == null ? ServeConfig.defaults(env) : ServeConfig.load(config, env);
    String url = cfg.databaseUrl();
    if (url.startsWith("postgres") || url.startsWith("jdbc:postgresql:")) {
      throw new LovcenException("the server uses PostgreSQL; back it up with pg_dump and restore it with pg_restore "
          + "(docs/INSTALL.md)");
    }
    return Path.of(url.startsWith("jdbc:sqlite:") ? url.substring(12) : url.startsWith("sqlite:") ? url.substring(7)
        : url);
  }
}
