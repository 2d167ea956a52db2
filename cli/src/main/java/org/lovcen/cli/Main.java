package org.lovcen.cli;

import java.io.PrintWriter;
import org.lovcen.core.LovcenException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lovcen} command line: the project's only {@code main}. */
@Command(name = "lovcen", mixinStandardHelpOptions = true, version = "lovcen 0.1.0",
    description = "Cyber-defence platform for a national CERT: Sigma detection over event logs.",
    subcommands = {HuntCommand.class, RulesCommand.class, IntelCommand.class, DemoCommand.class, EvtxCommand.class,
        BenchCommand.class, DecisionsCommand.class, WebCommand.class, ServeCommand.class, WorkerCommand.class,
        BackupCommand.class, RestoreCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit code: nothing found. */
  static final int CLEAN = 0;
  /** Exit code: detections found. */
  static final int DETECTIONS = 1;
  /** Exit code: bad usage or unreadable input. */
  static final int USAGE = 2;
  /** Exit code: internal error. */
  static final int INTERNAL = 3;

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code; errors become one clear message. */
  static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      if (ex instanceof LovcenException) {
        err.println("lovcen: " + ex.getMessage());
        return USAGE;
      }
      err.println("lovcen: internal error: " + ex);
      if (System.getenv("LOVCEN_DEBUG") != null) {
        ex.printStackTrace(err);
      } else {
        err.println("(set LOVCEN_DEBUG=1 for details)");
      }
      return INTERNAL;
    });
    cl.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("lovcen: " + ex.getMessage());
      ex.getCommandLine().usage(ex.getCommandLine().getErr());
      return USAGE;
    });
    return cl.execute(args);
  }
}
