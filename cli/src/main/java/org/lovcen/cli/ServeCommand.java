package org.lovcen.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.lovcen.server.LovcenServer;
import org.lovcen.server.ServeConfig;
import org.lovcen.sigma.RuleSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lovcen serve}: live ingest, detection, the store and the REST API. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Runs the server: ingest over HTTP and syslog, detection with every rule on ingest, stored "
        + "events, alerts and incidents, the REST API under /api/v1 (OpenAPI at /api/v1/openapi.json).",
        "Configuration: a YAML file (docs/SERVE.md lists every key), overridden by LOVCEN_<SECTION>_<KEY> "
        + "environment variables and by the options below. The first start needs LOVCEN_ADMIN_PASSWORD."})
final class ServeCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (YAML).")
  Path config;

  @Option(names = "--host", paramLabel = "ADDR", description = "Listen address (listen.host).")
  String host;

  @Option(names = "--port", paramLabel = "N", description = "HTTP port (listen.port).")
  Integer port;

  @Option(names = "--data", paramLabel = "DIR", description = "Data folder (data).")
  Path data;

  @Option(names = "--database", paramLabel = "URL", description = "Database URL (database.url): empty for SQLite "
      + "in the data folder, or postgresql://user:password@host:port/db.")
  String database;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> env = new HashMap<>(System.getenv());
    if (host != null) {
      env.put("LOVCEN_LISTEN_HOST", host);
    }
    if (port != null) {
      env.put("LOVCEN_LISTEN_PORT", Integer.toString(port));
    }
    if (data != null) {
      env.put("LOVCEN_DATA", data.toString());
    }
    if (database != null) {
      env.put("LOVCEN_DATABASE_URL", database);
    }
    ServeConfig cfg = config == null ? ServeConfig.defaults(env) : ServeConfig.load(config, env);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    LovcenServer server = LovcenServer.start(cfg, () -> rules(cfg));
    try {
      // The JVM halts as soon as its shutdown hooks return: this one waits until the server is closed
      // (listeners first, then the writer and detection), or SIGTERM would cut the close short.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop.countDown();
        try {
          closed.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "lovcen-shutdown"));
      System.err.println("lovcen: serving on " + server.url() + " (store "
          + server.database().display() + ", " + server.ruleCount() + " rules)");
      stop.await();
    } finally {
      server.close();
      System.err.println("lovcen: stopped");
      closed.countDown();
    }
    return 0;
  }

  /** The configured rules, else the installation's rules and the SigmaHQ corpus. */
  static RuleSet rules(ServeConfig cfg) {
    List<Path> paths = RuleSources.resolve(cfg.rules().paths().stream().map(Path::of).toList());
    Path placeholders = cfg.rules().placeholders().isBlank() ? null : Path.of(cfg.rules().placeholders());
    return RuleSet.load(paths, RuleSources.options(placeholders, cfg.rules().mappings().stream().map(Path::of).toList()));
  }
}
