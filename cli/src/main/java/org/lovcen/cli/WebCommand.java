package org.lovcen.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Timestamps;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;
import org.lovcen.web.AccessLogFormat;
import org.lovcen.web.AccessLogTail;
import org.lovcen.web.Decision;
import org.lovcen.web.Request;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lovcen web}: website-attack detection on live access logs. */
@Command(name = "web", mixinStandardHelpOptions = true,
    description = "Website-attack detection on live access logs (for files already written, use hunt).",
    subcommands = {WebCommand.Tail.class})
final class WebCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /*
   * How and why: one thread polls every file, feeds each new line to one WebDetector and the
   * Sigma webserver rules, and writes alerts the moment the detector emits them and new decisions
   * after each poll. The detector tolerates disorder up to its lateness (lines from several files
   * interleave by arrival); while the input is quiet, event time is moved on with the wall clock
   * so that windows close and their alerts come without waiting for more lines. On stop (SIGINT,
   * --stop-at-eof, --idle-exit) the detector is flushed, so campaign alerts are written too.
   */
  /** {@code lovcen web tail}. */
  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = {"Follows access logs as they grow (like tail -F) and prints web alerts and block decisions "
          + "as they happen. Stops on Ctrl-C (SIGINT), after flushing.",
          "Exit code: 0 nothing found, 1 detections found, 2 bad usage or input, 3 internal error."})
  static final class Tail implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Access logs to follow (site from the file "
        + "name or the vhost field, as in hunt).")
    List<Path> files;

    @Option(names = "--rules", paramLabel = "DIR", description = "Sigma rule files or folders (repeatable); "
        + "webserver rules apply. Default as for hunt.")
    List<Path> rules;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "jsonl",
        description = "jsonl or table (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of stdout.")
    Path output;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "auto",
        description = "auto, clf, json, or an nginx log_format string (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--web-config", paramLabel = "FILE", description = "YAML parameters of the detectors.")
    Path webConfig;

    @Option(names = "--institution", paramLabel = "ID", description = "Institution the logs belong to.")
    String institution;

    @Option(names = "--from-start", description = "Read the files from their start (default: only new lines).")
    boolean fromStart;

    @Option(names = "--poll-millis", paramLabel = "MS", defaultValue = "200",
        description = "How often quiet files are checked (default: ${DEFAULT-VALUE}).")
    long pollMillis;

    @Option(names = "--stop-at-eof", description = "Stop once every file has been read to its end.")
    boolean stopAtEof;

    @Option(names = "--idle-exit", paramLabel = "SECONDS", description = "Stop after this long without a new line.")
    Double idleExit;

    @Option(names = "--no-clock", description = "Do not move event time on with the wall clock while the input is "
        + "quiet (windows then close only when later lines arrive).")
    boolean noClock;

    private volatile boolean stop;
    private int written;

    @Override
    public Integer call() throws IOException {
      AlertWriter.Format fmt = HuntCommand.parseFormat(format);
      if (fmt == AlertWriter.Format.CSV) {
        throw new LovcenException("web tail writes jsonl or table");
      }
      RuleSet set = RuleSet.load(RuleSources.resolve(rules), RuleSources.options(null, null));
      WebConfig config = webConfig == null ? WebConfig.DEFAULT : WebConfig.load(webConfig);
      AccessLogFormat lf = AccessLogFormat.parse(logFormat);
      List<AccessLogTail> tails = new ArrayList<>();
      for (Path f : files) {
        AccessLogTail t = new AccessLogTail(f, f.toString(), lf, !fromStart);
        t.start();
        tails.add(t);
      }
      Problems problems = new Problems(System.err, 20);
      CountDownLatch done = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        stop = true;
        try {
          done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "lovcen-web-tail-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      int alerts = 0;
      try (Writer out = output == null ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
          : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
        int[] count = {0};
        out.flush(); // the output exists once the files' starting points are fixed
        WebDetector d = new WebDetector(config, institution, a -> {
          count[0]++;
          write(a, fmt, out);
        });
        Evaluator ev = set.evaluator();
        Event e = new Event();
        long lastData = System.nanoTime();
        long lastWatermark = Long.MIN_VALUE;
        while (!stop) {
          long n = 0;
          for (AccessLogTail t : tails) {
            n += t.poll(r -> {
              Request q = Request.of(r, config);
              d.accept(q);
              r.toEvent(e, institution);
              ev.evaluate(e, (rule, x) -> d.exploit(q, rule.id(), rule.title(), rule.level(), rule.tags()));
            }, problems);
          }
          long now = System.nanoTime();
          if (n > 0) {
            lastData = now;
            lastWatermark = d.watermark();
          } else {
            if (stopAtEof || (idleExit != null && now - lastData >= idleExit * 1e9)) {
              break;
            }
            if (!noClock && lastWatermark != Long.MIN_VALUE) {
              d.advanceTo(lastWatermark + (now - lastData) / 1000);
            }
          }
          d.announceCampaigns();
          decisions(d, fmt, out);
          out.flush();
          if (n == 0) {
            sleep(pollMillis);
          }
        }
        d.flush();
        decisions(d, fmt, out);
        out.flush();
        alerts = count[0];
      } finally {
        for (AccessLogTail t : tails) {
          t.close();
        }
        done.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it waits for the latch released above
        }
      }
      return alerts == 0 && written == 0 ? Main.CLEAN : Main.DETECTIONS;
    }

    private static void write(Alert a, AlertWriter.Format fmt, Writer out) {
      try {
        if (fmt == AlertWriter.Format.JSONL) {
          AlertWriter.jsonLine(a, out);
        } else {
          AlertWriter.write(List.of(a), fmt, out, false);
        }
      } catch (IOException x) {
        throw new UncheckedIOException(x);
      }
    }

    /** Writes the decisions proposed since the last call. */
    private void decisions(WebDetector d, AlertWriter.Format fmt, Writer out) throws IOException {
      if (d.decisionCount() == written) {
        return;
      }
      List<Decision> all = d.decisions();
      for (Decision x : all.subList(written, all.size())) {
        if (fmt == AlertWriter.Format.JSONL) {
          AlertWriter.decisionLine(x, out);
        } else {
          out.write("decision: " + x.action() + " " + x.scope() + " " + x.value() + " until "
              + Timestamps.format(x.until()) + "  (" + x.detector() + ": " + x.reason() + ")\n");
        }
      }
      written = all.size();
    }

    private void sleep(long millis) {
      try {
        Thread.sleep(Math.max(1, millis));
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        stop = true;
      }
    }
  }
}
