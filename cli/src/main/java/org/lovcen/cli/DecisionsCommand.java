package org.lovcen.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.lovcen.core.InputException;
import org.lovcen.core.Timestamps;
import org.lovcen.server.DecisionsApi;
import org.lovcen.web.Decision;
import org.lovcen.web.DecisionExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lovcen decisions}: serve or export the decisions of a hunt's JSON lines output. */
@Command(name = "decisions", mixinStandardHelpOptions = true,
    description = "Serves or exports block decisions from 'hunt --format jsonl' output.",
    subcommands = {DecisionsCommand.Serve.class, DecisionsCommand.Export.class})
final class DecisionsCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Reads the {@code kind: "decision"} lines of a JSON lines file (other lines are skipped). */
  static List<Decision> read(Path file) {
    List<Decision> out = new ArrayList<>();
    JsonFactory f = new JsonFactory();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (!line.contains("\"decision\"")) {
          continue;
        }
        Map<String, String> m = new HashMap<>();
        try (JsonParser p = f.createParser(line)) {
          p.nextToken();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            m.put(k, p.getValueAsString());
          }
        } catch (IOException e) {
          throw new InputException(file.toString(), "line " + n, "malformed JSON: " + e.getMessage());
        }
        if ("decision".equals(m.get("kind"))) {
          out.add(new Decision(m.get("action"), m.get("scope"), m.get("value"), Timestamps.parse(m.get("since")),
              Timestamps.parse(m.get("until")), m.get("reason"), m.get("detector"), m.get("site")));
        }
      }
    } catch (IOException e) {
      throw new InputException(file.toString(), "", "cannot read: " + e.getMessage());
    }
    return out;
  }

  /** {@code lovcen decisions serve}. */
  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = {"Serves decisions to CrowdSec bouncers (GET /v1/decisions, /v1/decisions/stream, X-Api-Key).",
          "Each decision is served from now for as long as it was proposed for."})
  static final class Serve implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "hunt --format jsonl output")
    Path file;

    @Option(names = "--listen", defaultValue = "127.0.0.1", description = "Address (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--api-key", required = true, description = "Key bouncers send in X-Api-Key (repeatable); "
        + "or LOVCEN_BOUNCER_KEY.", defaultValue = "${env:LOVCEN_BOUNCER_KEY}")
    List<String> keys;

    @Override
    public Integer call() throws InterruptedException {
      List<Decision> ds = read(file);
      try (DecisionsApi api = new DecisionsApi(keys, Clock.systemUTC())) {
        api.update(DecisionsApi.fromNow(ds, System.currentTimeMillis()));
        int p = api.start(listen, port);
        System.err.println("lovcen: serving " + ds.size() + " decisions on http://" + listen + ":" + p);
        new CountDownLatch(1).await();
      }
      return 0;
    }
  }

  /** {@code lovcen decisions export}. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Writes ban decisions as an nftables set file and/or an nginx deny include.")
  static final class Export implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "hunt --format jsonl output")
    Path file;

    @Option(names = "--nftables", paramLabel = "FILE", description = "nftables file to write.")
    Path nft;

    @Option(names = "--nginx", paramLabel = "FILE", description = "nginx include to write.")
    Path nginx;

    @Override
    public Integer call() throws IOException {
      List<Decision> ds = read(file);
      if (nft != null) {
        Files.writeString(nft, DecisionExport.nftables(ds));
      }
      if (nginx != null) {
        Files.writeString(nginx, DecisionExport.nginx(ds));
      }
      if (nft == null && nginx == null) {
        System.out.print(DecisionExport.nginx(ds));
      }
      return 0;
    }
  }
}
