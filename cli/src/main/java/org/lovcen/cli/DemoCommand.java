package org.lovcen.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lovcen.core.LovcenException;
import org.lovcen.demo.ScenarioGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lovcen demo}: writes the reference intrusion and hunts it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Writes a ransomware intrusion at a fictional ministry (Sysmon, Security, System and PowerShell "
        + "events as JSON lines, mixed with ordinary activity of a few hundred hosts) and hunts it.",
        "Exit code as for hunt."},
    subcommands = {DemoCommand.Generate.class, DemoCommand.Web.class})
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Mixin
  Generate.Params params = new Generate.Params();

  @Option(names = "--with-sigmahq", description = "Hunt with the SigmaHQ corpus too (when present), not only "
      + "Lovcen's own rules.")
  boolean withSigmaHq;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or jsonl (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() throws Exception {
    ScenarioGenerator.Summary s = params.generate();
    System.err.printf(Locale.ROOT, "lovcen: wrote %,d events (%,d of the intrusion) for %s into %s%n", s.events(),
        s.attackEvents(), String.join(", ", s.institutions()), params.out);
    List<String> args = new ArrayList<>(List.of("hunt", "--format", format, "--min-level", "low"));
    Path own = RuleSources.home().resolve("rules");
    if (!Files.isDirectory(own)) {
      throw new LovcenException("the project's rules/ folder is missing beside the installation (" + own + ")");
    }
    args.addAll(List.of("--rules", own.toString()));
    Path corpus = RuleSources.sigmaCorpus();
    if (withSigmaHq && corpus != null) {
      args.addAll(List.of("--rules", corpus.toString()));
    }
    args.add(params.out.toString());
    return Main.run(args.toArray(new String[0]));
  }

  /** {@code lovcen demo web}: election-day access logs of five sites with labelled attacks, then hunts them. */
  @Command(name = "web", mixinStandardHelpOptions = true,
      description = {"Writes election-day access logs of five state and media sites (floods, a scan, brute force, "
          + "exploits, an outage, and a news surge that is not an attack) with web-ground-truth.jsonl, then hunts them.",
          "Exit code as for hunt."})
  static final class Web implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/demo-web",
        description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "20161016", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--generate-only", description = "Only write the logs and the ground truth.")
    boolean generateOnly;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or jsonl (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
      org.lovcen.demo.WebTrafficGenerator.Summary s = org.lovcen.demo.WebTrafficGenerator.generate(out,
          org.lovcen.demo.WebTrafficGenerator.Options.defaults().withSeed(seed));
      System.err.printf(Locale.ROOT, "lovcen: wrote %,d access-log lines (%,d of attacks) for %s into %s%n", s.lines(),
          s.attackLines(), String.join(", ", s.sites()), out);
      if (generateOnly) {
        return 0;
      }
      List<String> args = new ArrayList<>(List.of("hunt", "--format", format));
      Path web = RuleSources.sigmaCorpus() == null ? null : RuleSources.sigmaCorpus().resolve("web");
      Path own = RuleSources.home().resolve("rules");
      args.addAll(List.of("--rules", (web != null && Files.isDirectory(web) ? web : own).toString()));
      args.add(out.toString());
      return Main.run(args.toArray(new String[0]));
    }
  }

  /** {@code lovcen demo generate}. */
  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = "Only writes the demo data (and ground-truth.jsonl naming every attack event).")
  static final class Generate implements Callable<Integer> {
    @CommandLine.Mixin
    Params params = new Params();

    @Override
    public Integer call() {
      ScenarioGenerator.Summary s = params.generate();
      System.out.printf(Locale.ROOT, "wrote %,d events (%,d of the intrusion, %,.1f MB) for %s into %s in %.1f s%n",
          s.events(), s.attackEvents(), s.bytes() / 1e6, String.join(", ", s.institutions()), params.out,
          s.elapsed().toMillis() / 1000.0);
      return 0;
    }

    /** Generator parameters shared by {@code demo} and {@code demo generate}. */
    static final class Params {
      @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/demo",
          description = "Output folder (default: ${DEFAULT-VALUE}).")
      Path out;

      @Option(names = "--seed", defaultValue = "20220822", description = "Random seed (default: ${DEFAULT-VALUE}).")
      long seed;

      @Option(names = "--hosts", defaultValue = "300", description = "Hosts per institution (default: ${DEFAULT-VALUE}).")
      int hosts;

      @Option(names = "--events", defaultValue = "50000",
          description = "Ordinary events in all (default: ${DEFAULT-VALUE}).")
      long events;

      @Option(names = "--institutions", defaultValue = "1",
          description = "Institutions; the actor hits the first and most others (default: ${DEFAULT-VALUE}).")
      int institutions;

      ScenarioGenerator.Summary generate() {
        if (hosts < 12 || events < 0 || institutions < 1) {
          throw new LovcenException("--hosts must be at least 12, --events at least 0, --institutions at least 1");
        }
        return ScenarioGenerator.generate(out, ScenarioGenerator.Options.defaults().withSeed(seed).withHosts(hosts)
            .withEvents(events).withInstitutions(institutions));
      }
    }
  }
}
