package org.lovcen.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.lovcen.core.LovcenException;
import org.lovcen.sigma.RuleSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lovcen rules}: check rule folders, fetch the SigmaHQ corpus. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Rule management.",
    subcommands = {RulesCommand.Check.class, RulesCommand.Update.class})
final class RulesCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code lovcen rules check}. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Loads and compiles rules; lists unsupported and erroneous ones with their reasons. Exit 0 when "
          + "no rule has an error, 1 otherwise.")
  static final class Check implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "DIR", description = "Rule files or folders (default as for hunt).")
    List<Path> dirs;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--placeholders", paramLabel = "FILE", description = "Placeholder values (YAML).")
    Path placeholders;

    @Option(names = "--mapping", paramLabel = "FILE", description = "Extra logsource mapping (repeatable).")
    List<Path> mappings;

    @Override
    public Integer call() throws IOException {
      RuleSet set = RuleSet.load(RuleSources.resolve(dirs), RuleSources.options(placeholders, mappings)
          .withAllStatuses(true));
      RuleSet.Report r = set.report();
      Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
      switch (format.toLowerCase(Locale.ROOT)) {
        case "json" -> json(r, out);
        case "text" -> text(r, set, out);
        default -> throw new LovcenException("unknown format '" + format + "' (text or json)");
      }
      out.flush();
      return r.errors().isEmpty() ? 0 : 1;
    }

    /** The contract: {"loaded","compiled","unsupported":[{id,path,reason}],"errors":[{path,reason}],...}. */
    static void json(RuleSet.Report r, Writer out) throws IOException {
      try (JsonGenerator g = AlertWriter.JSON.createGenerator(out)) {
        g.writeStartObject();
        g.writeNumberField("files", r.files());
        g.writeNumberField("loaded", r.loaded());
        g.writeNumberField("compiled", r.compiled());
        g.writeNumberField("active", r.active());
        issues(g, "unsupported", r.unsupported(), true);
        issues(g, "waiting", r.waiting(), true);
        issues(g, "errors", r.errors(), false);
        g.writeEndObject();
      }
      out.write('\n');
    }

    private static void issues(JsonGenerator g, String name, List<RuleSet.Issue> issues, boolean withId)
        throws IOException {
      g.writeArrayFieldStart(name);
      for (RuleSet.Issue i : issues) {
        g.writeStartObject();
        if (withId || i.id() != null) {
          g.writeStringField("id", i.id());
        }
        g.writeStringField("path", i.path());
        g.writeStringField("reason", i.reason());
        g.writeEndObject();
      }
      g.writeEndArray();
    }

    private static void text(RuleSet.Report r, RuleSet set, Writer out) throws IOException {
      out.write(String.format(Locale.ROOT, "%,d rule files, %,d rules loaded, %,d compiled, %,d unsupported, %,d "
          + "waiting for placeholder values, %,d errors%n", r.files(), r.loaded(), r.compiled(), r.unsupported().size(),
          r.waiting().size(), r.errors().size()));
      out.write("prefilter: " + set.prefilterSummary() + "\n");
      section(out, "unsupported", r.unsupported());
      section(out, "waiting for placeholder values", r.waiting());
      section(out, "errors", r.errors());
    }

    private static void section(Writer out, String title, List<RuleSet.Issue> issues) throws IOException {
      if (issues.isEmpty()) {
        return;
      }
      out.write("\n" + title + ":\n");
      for (RuleSet.Issue i : issues) {
        out.write("  " + i.path() + (i.id() == null ? "" : " (" + i.id() + ")") + ": " + i.reason() + "\n");
      }
    }
  }

  /** {@code lovcen rules update}. */
  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Downloads the SigmaHQ rule release archive into the data folder (data/sigma/rules).")
  static final class Update implements Callable<Integer> {
    static final String DEFAULT_URL = "https://github.com/SigmaHQ/sigma/releases/latest/download/sigma_all_rules.zip";

    @Option(names = "--url", defaultValue = DEFAULT_URL, description = "Archive URL (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder (default: LOVCEN_DATA or data/).")
    Path data;

    @Override
    public Integer call() throws IOException, InterruptedException {
      Path dir = (data == null ? RuleSources.dataDir() : data).resolve("sigma");
      Files.createDirectories(dir);
      Path zip = dir.resolve("download.zip");
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
          .followRedirects(HttpClient.Redirect.NORMAL).build();
      PrintStream err = System.err;
      err.println("lovcen: downloading " + url);
      HttpResponse<Path> resp;
      try {
        resp = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5)).build(),
            HttpResponse.BodyHandlers.ofFile(zip));
      } catch (IOException e) {
        throw new LovcenException("cannot download " + url + ": " + e.getMessage()
            + " (no network? copy the SigmaHQ rules into " + dir.resolve("rules") + " by hand)");
      }
      if (resp.statusCode() != 200) {
        throw new LovcenException("cannot download " + url + ": HTTP " + resp.statusCode());
      }
      Path staging = Files.createTempDirectory(dir, "rules-");
      int n = unzip(zip, staging);
      Path target = dir.resolve("rules");
      Path old = dir.resolve("rules.old");
      deleteTree(old);
      if (Files.exists(target)) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(old);
      Files.deleteIfExists(zip);
      RuleSet.Report r = RuleSet.load(List.of(target), RuleSet.Options.defaults()).report();
      err.printf(Locale.ROOT, "lovcen: %d files unpacked into %s; %d rules loaded, %d compiled, %d errors%n", n,
          target, r.loaded(), r.compiled(), r.errors().size());
      return 0;
    }

    /** Unpacks the rule files of a zip, refusing entries that would escape the folder. */
    static int unzip(Path zip, Path into) throws IOException {
      int n = 0;
      try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
        ZipEntry e;
        while ((e = z.getNextEntry()) != null) {
          Path p = into.resolve(e.getName()).normalize();
          if (!p.startsWith(into)) {
            throw new LovcenException(zip + ": entry escapes the target folder: " + e.getName());
          }
          if (e.isDirectory()) {
            Files.createDirectories(p);
          } else {
            Files.createDirectories(p.getParent());
            Files.copy(z, p, StandardCopyOption.REPLACE_EXISTING);
            n++;
          }
        }
      } catch (java.util.zip.ZipException e) {
        throw new LovcenException(zip + ": not a valid zip archive: " + e.getMessage());
      }
      return n;
    }

    static void deleteTree(Path p) throws IOException {
      if (!Files.exists(p)) {
        return;
      }
      try (var s = Files.walk(p)) {
        for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(x);
        }
      }
    }
  }
}
