package org.lovcen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: the real {@code lovcen serve} ({@code org.lovcen.cli.Main}) in a child JVM with the
 * test's class path, on a free port, over a given database, with Lovcen's own rules; its output
 * goes to a log file in the test folder. The administrator is {@code admin} / {@link #ADMIN_PASSWORD}.
 * Used from one test thread; {@link #post} is thread-safe.
 */
final class ServeProcess implements AutoCloseable {
  static final String ADMIN_PASSWORD = "admin-password-for-tests";
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+:\\d+)");

  final Process process;
  private final Path log;
  final String url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A response: status and body. */
  record Response(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  private ServeProcess(Process process, Path log, String url) {
    this.process = process;
    this.log = log;
    this.url = url;
  }

  /** Starts {@code lovcen serve} over {@code dbUrl} with data in {@code dir}; waits until it listens. */
  static ServeProcess start(String dbUrl, Path dir, String name) throws IOException, InterruptedException {
    Path log = dir.resolve(name + ".log");
    Process p = launch(log, "--host", "127.0.0.1", "--port", "0", "--data", dir.resolve("data").toString(),
        "--database", dbUrl);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (System.nanoTime() < deadline) {
      Matcher m = SERVING.matcher(Files.readString(log));
      if (m.find()) {
        return new ServeProcess(p, log, m.group(1));
      }
      if (!p.isAlive()) {
        throw new AssertionError("lovcen serve exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      Thread.sleep(50);
    }
    p.destroyForcibly().waitFor();
    throw new AssertionError("lovcen serve did not start within 40 s:\n" + Files.readString(log));
  }

  /** How a run that was expected to end ended: its exit code and everything it printed. */
  record Ended(int code, String output) {}

  /**
   * Runs {@code lovcen serve ARGS} in a child JVM (as {@link #start} does, output to {@code name.log}
   * in {@code dir}) and waits for it to exit by itself; fails when it is still running after 60 s.
   */
  static Ended runToExit(Path dir, String name, String... args) throws IOException, InterruptedException {
    Path log = dir.resolve(name + ".log");
    Process p = launch(log, args);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("lovcen serve did not exit within 60 s:\n" + Files.readString(log));
    }
    return new Ended(p.exitValue(), Files.readString(log));
  }

  /** {@code lovcen serve ARGS} in a child JVM with the test's class path and Lovcen's own rules. */
  private static Process launch(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "org.lovcen.cli.Main", "serve"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("LOVCEN_"));
    env.put("LOVCEN_ADMIN_PASSWORD", ADMIN_PASSWORD);
    env.put("LOVCEN_RULES", Project.ownRules().toString());
    return pb.start();
  }

  long pid() {
    return process.pid();
  }

  /** Kills the child without warning ({@code kill -9} on Linux) and returns its exit code. */
  int killHard() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor();
  }

  /** What the child printed. */
  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** POSTs {@code body}; throws IOException when the server is gone. Headers are name, value, … */
  Response post(String path, String token, String contentType, byte[] body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  Response postJson(String path, String token, Object body) throws IOException, InterruptedException {
    return post(path, token, "application/json", JSON.writeValueAsBytes(body));
  }

  /** Signs in as admin, creates the institution and returns an ingest token for it. */
  String ingestToken(String institution) throws IOException, InterruptedException {
    Response login = postJson("/api/v1/auth/login", null, Map.of("name", "admin", "password", ADMIN_PASSWORD));
    require(login, 200);
    String admin = login.json().get("token").asText();
    require(postJson("/api/v1/institutions", admin, Map.of("id", institution, "name", "Institution " + institution)),
        201);
    Response t = post("/api/v1/institutions/" + institution + "/ingest-tokens", admin, null, new byte[0]);
    require(t, 201);
    return t.json().get("token").asText();
  }

  private static void require(Response r, int status) {
    if (r.status() != status) {
      throw new AssertionError("expected " + status + ", got " + r.status() + ": " + r.body());
    }
  }

  /** Stops the child with SIGTERM, as a service manager does; returns its exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("lovcen serve did not stop within 30 s of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  /** Asks the child to stop (SIGTERM) and waits for it. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
