package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.lovcen.sigma.RuleSet;
import org.lovcen.store.TestDatabases;

/**
 * Test fixture: a real {@link LovcenServer} on a free port over a fresh database of the given
 * kind, with Lovcen's own rules, and an HTTP client (HTTPS when the configuration gives the
 * listener a key store: the client trusts that certificate). The administrator is {@code admin} /
 * {@link #ADMIN_PASSWORD}.
 */
public final class TestServer implements AutoCloseable {
  public static final String ADMIN_PASSWORD = "admin-password-for-tests";
  static final ObjectMapper JSON = new ObjectMapper();
  private static RuleSet ownRules;

  public final LovcenServer server;
  public final String url;
  private final Runnable dropDatabase;
  private final HttpClient http;

  /** A response: status, headers, body text, and the body as JSON when it is JSON. */
  public record Response(int status, Map<String, List<String>> headers, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }
  }

  private TestServer(LovcenServer server, Runnable dropDatabase) {
    this.server = server;
    ServeConfig.Listen listen = server.config().listen();
    this.url = (listen.tls() ? "https" : "http") + "://127.0.0.1:" + server.port();
    this.dropDatabase = dropDatabase;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (listen.tls()) { // a server over TLS: trust its (test) certificate, nothing else
      b.sslContext(TestTls.trusting(Path.of(listen.tlsKeystore())));
    }
    this.http = b.build();
  }

  /** Starts a server over a fresh database of {@code kind} with data in {@code dir}. */
  public static TestServer start(String kind, Path dir) {
    return start(kind, dir, Map.of());
  }

  /** The same with configuration overrides as environment variables ({@code LOVCEN_INGEST_QUEUE_EVENTS} …). */
  public static TestServer start(String kind, Path dir, Map<String, String> env) {
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl(kind, dir, url);
    return startOn(url[0], dir, env, TestServer::rules, drop);
  }

  /** A server over an existing database URL (restart tests). */
  public static TestServer startOn(String dbUrl, Path dir, Map<String, String> env, Supplier<RuleSet> rules,
      Runnable drop) {
    return startOn(dbUrl, dir, env, rules, drop, java.time.Clock.systemUTC());
  }

  /** A server over a fresh database of {@code kind} with the given rules and clock. */
  public static TestServer start(String kind, Path dir, Map<String, String> env, Supplier<RuleSet> rules,
      java.time.Clock clock) {
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl(kind, dir, url);
    return startOn(url[0], dir, env, rules, drop, clock);
  }

  /** A server over an existing database URL with the given clock (decisions' times). */
  public static TestServer startOn(String dbUrl, Path dir, Map<String, String> env, Supplier<RuleSet> rules,
      Runnable drop, java.time.Clock clock) {
    Map<String, String> e = new HashMap<>(env);
    e.put("LOVCEN_DATABASE_URL", dbUrl);
    e.put("LOVCEN_DATA", dir.resolve("data").toString());
    e.putIfAbsent("LOVCEN_LISTEN_PORT", "0");
    e.put("LOVCEN_ADMIN_PASSWORD", ADMIN_PASSWORD);
    e.putIfAbsent("LOVCEN_CASES_PLAYBOOKS", root().resolve("playbooks").toString());
    e.putIfAbsent("LOVCEN_CAMPAIGNS_INTERVAL_SECONDS", "0"); // tests link when they choose (linkCampaigns)
    ServeConfig cfg = ServeConfig.defaults(e);
    return new TestServer(LovcenServer.start(cfg, rules, clock), drop);
  }

  /** A fixture around a server started by the test itself (its own configuration file). */
  public static TestServer wrap(LovcenServer server, Runnable dropDatabase) {
    return new TestServer(server, dropDatabase);
  }

  /** Lovcen's own rules (rules/ of the checkout), loaded once per test JVM. */
  public static synchronized RuleSet rules() {
    if (ownRules == null) {
      ownRules = RuleSet.load(List.of(root().resolve("rules")), RuleSet.Options.defaults());
    }
    return ownRules;
  }

  /** The checkout's root folder. */
  public static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("rules/lovcen"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the checkout root from " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  // ---- HTTP ----

  public Response get(String path, String token) {
    return send(base(path, token).GET().build());
  }

  public Response delete(String path, String token) {
    return send(base(path, token).DELETE().build());
  }

  public Response postJson(String path, String token, Object body) {
    return send(base(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(write(body))).build());
  }

  public Response patchJson(String path, String token, Object body) {
    return send(base(path, token).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(write(body))).build());
  }

  public Response putJson(String path, String token, Object body) {
    return send(base(path, token).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(write(body))).build());
  }

  /** Posts raw bytes with a content type and extra headers (name, value, …). */
  public Response post(String path, String token, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder b = base(path, token).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  /** Any method with an optional body (null: none), content type and extra headers (name, value, …). */
  public Response send(String method, String path, String token, String contentType, byte[] body,
      String... headers) {
    HttpRequest.Builder b = base(path, token).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  private HttpRequest.Builder base(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private Response send(HttpRequest r) {
    try {
      HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
      return new Response(res.statusCode(), res.headers().map(), res.body());
    } catch (IOException e) {
      throw new AssertionError(r.method() + " " + r.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String write(Object body) {
    try {
      return body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // ---- set-up helpers ----

  /** Signs in and returns the session token. */
  public String login(String name, String password) {
    Response r = postJson("/api/v1/auth/login", null, Map.of("name", name, "password", password));
    if (r.status() != 200) {
      throw new AssertionError("login " + name + ": " + r.status() + " " + r.body());
    }
    return r.json().get("token").asText();
  }

  public String admin() {
    return login("admin", ADMIN_PASSWORD);
  }

  /** Creates an institution (as admin) and returns an ingest token for it. */
  public String institution(String adminToken, String id) {
    Response r = postJson("/api/v1/institutions", adminToken, Map.of("id", id, "name", "Institution " + id));
    if (r.status() != 201) {
      throw new AssertionError("create institution: " + r.status() + " " + r.body());
    }
    Response t = post("/api/v1/institutions/" + id + "/ingest-tokens", adminToken, null, new byte[0]);
    return t.json().get("token").asText();
  }

  /** Creates a user with a role (and institution or partner) and returns their session token. */
  public String user(String adminToken, String name, String role, String institution, String partner) {
    Map<String, Object> m = new HashMap<>();
    m.put("name", name);
    m.put("password", name + "-long-password");
    m.put("role", role);
    if (institution != null) {
      m.put("institution", institution);
    }
    if (partner != null) {
      m.put("partner", partner);
    }
    Response r = postJson("/api/v1/users", adminToken, m);
    if (r.status() != 201) {
      throw new AssertionError("create user: " + r.status() + " " + r.body());
    }
    return login(name, name + "-long-password");
  }

  /** Sends JSON lines with an ingest token; returns the response. */
  public Response ingest(String ingestToken, String jsonLines, String... headers) {
    return post("/api/v1/ingest/events", ingestToken, "application/x-ndjson",
        jsonLines.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
  }

  /** Waits until detection has caught up with every stored event (or fails after 30 s). */
  public void awaitDetection() {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      long stored = server.database().jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(MAX(id), 0) FROM events")
          .mapTo(Long.class).one());
      if (server.detectedUpTo() >= stored) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("detection did not catch up within 30 s");
  }

  @Override
  public void close() {
    server.close();
    dropDatabase.run();
  }
}
