package org.lovcen.cli;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lovcen.ingest.evtx.EvtxDump;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lovcen evtx}: tools for Windows event log files. */
@Command(name = "evtx", mixinStandardHelpOptions = true, description = "Windows EVTX tools.",
    subcommands = {EvtxCommand.Dump.class})
final class EvtxCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code lovcen evtx dump FILE}. */
  @Command(name = "dump", mixinStandardHelpOptions = true,
      description = "Prints every record of an EVTX file as one JSON object per line (header fields start with @); "
          + "damaged parts are reported on stderr and skipped.")
  static final class Dump implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "An .evtx file.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of stdout.")
    Path output;

    @Override
    public Integer call() throws Exception {
      Problems problems = new Problems(System.err, 50);
      try (OutputStream out = output == null ? new BufferedOutputStream(System.out, 1 << 16)
          : new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
        long n = EvtxDump.dump(file, out, problems);
        out.flush();
        System.err.printf("lovcen: %d records%s%n", n, problems.count() == 0 ? "" : ", " + problems.count()
            + " problems");
      }
      return problems.count() == 0 ? 0 : 1;
    }
  }
}
