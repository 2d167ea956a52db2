package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.server.ServeConfig;
import picocli.CommandLine;

/**
 * The systemd units and the example configuration in {@code packaging/} (docs/INSTALL.md): the
 * units pass {@code systemd-analyze verify} without a warning, their command lines are command
 * lines {@code lovcen} accepts, and the example configuration loads, with its data folder writable
 * under the unit's sandbox.
 */
class PackagingTest {
  private static final Path PACKAGING = Project.root().resolve("packaging");

  @TempDir Path dir;

  @Test
  void units_passSystemdAnalyzeVerifyWithoutWarnings() throws Exception {
    Path analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(analyze != null, "systemd-analyze is not installed: the units' syntax is not checked here");
    // the machine's java need not be at /usr/bin/java: point the units at the one running this test
    String java = ProcessHandle.current().info().command().orElse("/usr/bin/java");
    List<String> cmd = new ArrayList<>(List.of(analyze.toString(), "verify", "--man=no"));
    for (String unit : List.of("lovcen.service", "lovcen-backup.service", "lovcen-backup.timer")) {
      String text = Files.readString(PACKAGING.resolve(unit)).replace("/usr/bin/java", java);
      Files.writeString(dir.resolve(unit), text);
      cmd.add(dir.resolve(unit).toString());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().filter(l -> l.contains(dir.toString()))).as("warnings about the units").isEmpty();
  }

  @Test
  void units_runCommandLinesLovcenAccepts() throws IOException {
    assertThat(lovcenArgs("lovcen.service")).startsWith("serve", "--config", "/etc/lovcen/lovcen.yml");
    assertParses(lovcenArgs("lovcen.service"));
    List<String> backup = lovcenArgs("lovcen-backup.service");
    assertThat(backup).startsWith("backup", "--config", "/etc/lovcen/lovcen.yml", "--out");
    assertParses(backup);
  }

  @Test
  void exampleConfiguration_loadsAndItsDataFolderIsWritableUnderTheUnit() throws IOException {
    ServeConfig cfg = ServeConfig.load(PACKAGING.resolve("lovcen.yml"), Map.of());
    assertThat(cfg.data()).isEqualTo("/var/lib/lovcen");
    assertThat(cfg.databaseUrl()).isEqualTo("/var/lib/lovcen/lovcen.db");
    assertThat(unitValue("lovcen.service", "ReadWritePaths")).contains(cfg.data());
    assertThat(unitValue("lovcen.service", "Environment")).contains("LOVCEN_DATA=" + cfg.data());
    assertThat(unitValue("lovcen.service", "User")).isEqualTo("lovcen");
  }

  /**
   * Logs: the unit sends the server's output (it writes no log file of its own) to the journal,
   * which rotates by itself; the file INSTALL.md offers instead is the one packaging/lovcen.logrotate
   * rotates, in place (systemd keeps it open), compressed and bounded; logrotate, where installed,
   * accepts the file.
   */
  @Test
  void logs_goToTheJournal_andTheFileInstallMdOffersIsRotated() throws Exception {
    assertThat(unitValue("lovcen.service", "StandardOutput")).isEqualTo("journal");
    assertThat(unitValue("lovcen.service", "StandardError")).isEqualTo("journal");
    String install = Files.readString(Project.root().resolve("docs/INSTALL.md"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("StandardError=append:(\\S+)").matcher(install);
    assertThat(m.find()).as("INSTALL.md names the log file").isTrue();
    String file = m.group(1);
    String rotate = Files.readString(PACKAGING.resolve("lovcen.logrotate"));
    assertThat(rotate).contains(file + " {").contains("copytruncate").contains("compress").containsPattern(
        "rotate \\d+").containsPattern("(daily|weekly|monthly|size)");
    assertThat(install).contains("packaging/lovcen.logrotate").contains("ReadWritePaths=")
        .contains("SystemMaxUse=");
    Path logrotate = Stream.of("/usr/sbin/logrotate", "/sbin/logrotate", "/usr/bin/logrotate").map(Path::of)
        .filter(Files::isExecutable).findFirst().orElse(null);
    if (logrotate != null) { // syntax check in debug mode: nothing is rotated
      Path conf = Files.writeString(dir.resolve("lovcen"), rotate.replace(file, dir.resolve("lovcen.log").toString())
          .replaceAll("(?m)^\\s*su .*$", ""));
      Process p = new ProcessBuilder(logrotate.toString(), "-d", "-s", dir.resolve("state").toString(),
          conf.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).doesNotContainIgnoringCase("error");
    }
  }

  private static void assertParses(List<String> args) {
    CommandLine cl = new CommandLine(new Main());
    CommandLine.ParseResult r = cl.parseArgs(args.toArray(String[]::new));
    assertThat(r.subcommand()).as(String.join(" ", args)).isNotNull();
    assertThat(r.subcommand().unmatched()).isEmpty();
  }

  /** The arguments after {@code -jar …lovcen.jar} of the unit's ExecStart. */
  private static List<String> lovcenArgs(String unit) throws IOException {
    String exec = unitValue(unit, "ExecStart");
    exec = exec.replaceFirst("^/bin/sh -c '(.*)'$", "$1").replaceFirst("^exec ", "");
    List<String> words = new ArrayList<>(Arrays.asList(exec.split("\\s+")));
    int jar = words.indexOf("-jar");
    assertThat(jar).as("-jar in " + exec).isNotNegative();
    assertThat(words.get(jar + 1)).endsWith("/lovcen.jar");
    return words.subList(jar + 2, words.size());
  }

  private static String unitValue(String unit, String key) throws IOException {
    return Files.readAllLines(PACKAGING.resolve(unit)).stream().filter(l -> l.startsWith(key + "="))
        .map(l -> l.substring(key.length() + 1)).reduce((a, b) -> a + " " + b).orElse("");
  }
}
