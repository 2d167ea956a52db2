package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lovcen serve} that cannot start, as a service manager sees it (a child JVM): it exits by
 * itself with code 2 and says why in one line naming the key, with no stack trace, whether the
 * mistake is found before anything runs or late in the start (docs/SERVE.md, "Operations").
 */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void badConfiguration_exitsWithCode2_oneLineNamingTheKey_noStackTrace() throws IOException, InterruptedException {
    Path config = dir.resolve("lovcen.yml");
    Files.writeString(config, "notifications:\n  webhooks:\n    - name: soc\n      url: ftp://soc.example/hook\n");
    ServeProcess.Ended run = ServeProcess.runToExit(dir, "bad-webhook", "--config", config.toString(), "--port", "0",
        "--data", dir.resolve("data").toString());
    assertThat(run.code()).as(run.output()).isEqualTo(Main.USAGE);
    assertThat(run.output()).contains("lovcen: notifications.webhooks: 'soc' needs an http(s) url\n")
        .doesNotContain("serving on");
    assertNoStackTrace(run.output());
  }

  /** The syslog port is bound after the store writer and detection run: they are stopped, the process exits. */
  @Test
  void portTakenLateInTheStart_exitsWithCode2_namingThePort_noStackTrace() throws IOException, InterruptedException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Path config = dir.resolve("lovcen.yml");
      Files.writeString(config, "syslog:\n  host: 127.0.0.1\n  tcp_port: " + port + "\n");
      ServeProcess.Ended run = ServeProcess.runToExit(dir, "syslog-taken", "--config", config.toString(), "--port",
          "0", "--data", dir.resolve("data").toString());
      assertThat(run.code()).as(run.output()).isEqualTo(Main.USAGE);
      assertThat(run.output()).contains("lovcen: cannot start the syslog listeners on 127.0.0.1: syslog-tcp port "
          + port + ": ").doesNotContain("serving on");
      assertNoStackTrace(run.output());
    }
  }

  private static void assertNoStackTrace(String output) {
    assertThat(output.lines()).as(output).noneMatch(l -> l.matches("\\s+at [\\w.$/]+\\(.*\\)")
        || l.contains("Exception in thread") || l.contains("internal error"));
  }
}
