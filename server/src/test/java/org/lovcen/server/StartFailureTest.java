package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.LovcenException;
import org.lovcen.store.TestDatabases;

/**
 * A start that fails says why in one message naming the key, and leaves nothing running: every
 * thread started for the store writer, detection, its alert writer, the retro-hunt, the store's
 * checkpoints and pool, the notifier's HTTP client, syslog and the HTTP listener is gone (docs/SERVE.md,
 * "Operations"). Mistakes in the configuration stop the start before any of them; a port that is
 * taken can only be found late, after the writer and detection run, and closes them.
 */
class StartFailureTest {
  /** Threads the server or its libraries start: none may outlive a failed start. */
  private static final Pattern OURS = Pattern.compile(
      "lovcen-.*|syslog-.*|HikariPool.*|HttpClient-.*|qtp.*|JettyServerThreadPool.*|Scheduler-.*|pool-.*");

  @TempDir Path dir;

  /** Per database: a name, the settings that make the start fail, and what its message must say. */
  static Stream<Arguments> failures() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String kind : TestDatabases.kinds()) {
      b.add(Arguments.of(kind, "smtp_tls", Map.of("LOVCEN_NOTIFICATIONS_SMTP_TLS", "sometimes"),
          List.of("notifications.smtp_tls", "sometimes")));
      b.add(Arguments.of(kind, "min_level", Map.of("LOVCEN_NOTIFICATIONS_MIN_LEVEL", "severe"),
          List.of("notifications.min_level", "severe")));
      b.add(Arguments.of(kind, "campaigns.threshold", Map.of("LOVCEN_CAMPAIGNS_THRESHOLD", "0"),
          List.of("campaigns.threshold")));
      b.add(Arguments.of(kind, "kafka.client", Map.of("LOVCEN_KAFKA_BOOTSTRAP", "127.0.0.1:9",
          "LOVCEN_KAFKA_CLIENT", "acks"), List.of("kafka.client", "'acks'")));
      b.add(Arguments.of(kind, "syslog port taken", Map.of("LOVCEN_SYSLOG_HOST", "127.0.0.1",
          "LOVCEN_SYSLOG_TCP_PORT", "TAKEN"), List.of("syslog", "port TAKEN")));
      b.add(Arguments.of(kind, "http port taken", Map.of("LOVCEN_LISTEN_PORT", "TAKEN"),
          List.of("listen.port", "port TAKEN")));
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("failures")
  void failedStart_namesTheKey_andLeavesNoThreadRunning(String kind, String name, Map<String, String> settings,
      List<String> says) throws IOException, InterruptedException {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl(kind, dir, url);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(taken.getLocalPort());
      Map<String, String> env = new HashMap<>();
      settings.forEach((k, v) -> env.put(k, v.replace("TAKEN", port)));
      assertThatThrownBy(() -> TestServer.startOn(url[0], dir, env, TestServer::rules, drop))
          .isInstanceOf(LovcenException.class)
          .satisfies(e -> says.forEach(s -> assertThat(e.getMessage()).contains(s.replace("TAKEN", port))));
    } finally {
      awaitGone(before);
      drop.run();
    }
  }

  /** Waits a few seconds for the threads started since {@code before} to end; fails naming those left. */
  private static void awaitGone(Set<Thread> before) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> left;
    do {
      left = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && !before.contains(t) && (!t.isDaemon() || OURS.matcher(t.getName()).matches()))
          .map(t -> t.getName() + (t.isDaemon() ? "" : " (not a daemon)")).sorted().toList();
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertThat(left).as("threads still running after the failed start").isEmpty();
  }
}
