package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.lovcen.core.Timestamps;
import org.lovcen.store.AlertQuery;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.Directory;
import org.lovcen.store.EventQuery;
import org.lovcen.store.EventStore;
import org.lovcen.store.IncidentQuery;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Note;
import org.lovcen.store.Page;
import org.lovcen.store.Role;
import org.lovcen.store.Scope;
import org.lovcen.store.Settings;
import org.lovcen.store.StoredEvent;

/*
 * How and why: the REST API under /api/v1. Every handler that reads institution data first
 * resolves the caller (a bearer token: API, session or ingest) into a Principal, and passes the
 * Principal's Scope to the repositories, which filter in SQL; a row outside the scope is "not
 * found" (404, so that ids of other institutions do not even confirm existence), and a filter
 * naming another institution is 403. Errors are RFC 9457 problem documents. Ingest handlers live
 * in IngestRoutes.
 */
/** The HTTP API of {@code lovcen serve}. */
final class Api implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The request attribute naming the signed-in caller, once resolved. */
  private static final String ACTOR = "lovcen.actor";
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_RETENTION_DAYS = 36_500;

  private final LovcenServer server;
  private final Javalin app;
  private final Directory directory;
  private final LoginThrottle throttle = new LoginThrottle(java.time.Clock.systemUTC());
  private final EventStore events;
  private final AlertStore alerts;
  private final IncidentStore incidents;
  private final Settings settings;
  private final IngestRoutes ingest;

  Api(LovcenServer server) {
    this.server = server;
    var db = server.database();
    this.directory = new Directory(db);
    this.events = new EventStore(db);
    this.alerts = new AlertStore(db);
    this.incidents = new IncidentStore(db);
    this.settings = new Settings(db);
    this.ingest = new IngestRoutes(server, directory);
    long maxBody = (long) server.config().ingest().maxBodyMb() << 20;
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.maxRequestSize = Math.max(1 << 20, maxBody);
      cfg.http.prefer405over404 = true; // a known path with another method is 405 (with Allow), not 404
      cfg.useVirtualThreads = true;
      if (server.httpTls() != null) {
        ServeConfig.Listen listen = server.config().listen();
        cfg.jetty.addConnector((jetty, http) -> httpsConnector(jetty, http, server.httpTls(), listen));
        if (listen.redirectPort() >= 0) {
          cfg.jetty.addConnector((jetty, http) -> plainConnector(jetty, http, listen.host(), listen.redirectPort()));
        }
      }
    });
    routes();
  }

  /*
   * With listen.tls_keystore the API port speaks TLS only (a plain request there fails the
   * handshake: nothing is read), with the policy of Tls, and answers carry Strict-Transport-Security
   * (SecureRequestCustomizer adds it to requests that came over TLS). The optional plain port
   * exists for people who type http:// into a browser: it answers GET and HEAD with a redirect to
   * the same path over HTTPS and refuses everything else unread, since whatever credentials such a
   * request carried have already crossed the network in clear.
   */
  private static org.eclipse.jetty.server.Connector httpsConnector(org.eclipse.jetty.server.Server jetty,
      org.eclipse.jetty.server.HttpConfiguration http, javax.net.ssl.SSLContext context, ServeConfig.Listen listen) {
    var https = new org.eclipse.jetty.server.HttpConfiguration(http);
    // no SNI host check: whether the certificate names the host is the client's to judge
    https.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false, false, Tls.HSTS_SECONDS, false));
    var ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
    ssl.setSslContext(context);
    ssl.setIncludeProtocols(Tls.PROTOCOLS.toArray(String[]::new));
    ssl.setIncludeCipherSuites(Tls.CIPHER_SUITES.toArray(String[]::new));
    ssl.setUseCipherSuitesOrder(true);
    ssl.setRenegotiationAllowed(false);
    var c = new org.eclipse.jetty.server.ServerConnector(jetty,
        new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
        new org.eclipse.jetty.server.HttpConnectionFactory(https));
    c.setHost(listen.host());
    c.setPort(listen.port());
    return c;
  }

  private static org.eclipse.jetty.server.Connector plainConnector(org.eclipse.jetty.server.Server jetty,
      org.eclipse.jetty.server.HttpConfiguration http, String host, int port) {
    var c = new org.eclipse.jetty.server.ServerConnector(jetty, new org.eclipse.jetty.server.HttpConnectionFactory(http));
    c.setHost(host);
    c.setPort(port);
    return c;
  }

  /** Plain HTTP beside HTTPS: GET and HEAD are sent to HTTPS, the rest refused; nothing else runs. */
  private void plainHttp(Context ctx) {
    if (server.httpTls() == null || ctx.req().isSecure()) {
      return;
    }
    String host = ctx.host() == null ? "" : ctx.host().replaceFirst(":\\d+$", "");
    boolean read = ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD;
    if (!read || !host.matches("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]")) {
      throw new ApiError(403, "https-required", "this server speaks HTTPS only; the request was not processed");
    }
    int port = server.port();
    String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
    ctx.header("Location", "https://" + host + (port == 443 ? "" : ":" + port) + ctx.path() + query);
    throw new ApiError(308, "https-required", "this server speaks HTTPS only");
  }

  private void routes() {
    app.before(this::plainHttp);
    app.before(ctx -> ctx.attribute("t0", System.nanoTime()));
    app.after(this::securityHeaders);
    app.after(ctx -> {
      Long t0 = ctx.attribute("t0");
      String route = ctx.endpointHandlerPath();
      if (t0 != null) {
        server.metrics().http.labelValues(route == null ? "other" : route, Integer.toString(ctx.statusCode()))
            .observe((System.nanoTime() - t0) / 1e9);
      }
    });
    app.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
    app.get("/readyz", ctx -> {
      String state = server.readiness();
      ctx.status(state.equals("ready") ? 200 : 503).json(Map.of("status", state));
    });
    MetricsRoutes.register(app, server, this::principal); // GET /metrics for allowed addresses or tokens
    app.get("/api/v1/openapi.json", this::openapi);
    app.get(ApiDocs.PATH, ApiDocs::page);
    app.get(ApiDocs.PATH + "/{file}", ApiDocs::asset);

    app.post("/api/v1/auth/login", this::login);
    app.post("/api/v1/auth/logout", this::logout);
    app.get("/api/v1/me", ctx -> ctx.json(userJson(principal(ctx).user())));

    app.post("/api/v1/ingest/events", ingest::events);
    app.post("/api/v1/ingest/files", ingest::files);

    app.get("/api/v1/events", this::listEvents);
    app.get("/api/v1/events/{id}", this::getEvent);
    app.get("/api/v1/alerts", this::listAlerts);
    app.get("/api/v1/alerts/{id}", this::getAlert);
    app.get("/api/v1/incidents", this::listIncidents);
    app.get("/api/v1/incidents/{id}", this::getIncident);
    app.patch("/api/v1/incidents/{id}", this::updateIncident);
    app.get("/api/v1/incidents/{id}/alerts", this::incidentAlerts);
    app.get("/api/v1/incidents/{id}/notes", this::notes);
    app.post("/api/v1/incidents/{id}/notes", this::addNote);
    app.post("/api/v1/incidents/{id}/shares", this::share);

    app.get("/api/v1/institutions", this::listInstitutions);
    app.post("/api/v1/institutions", this::createInstitution);
    app.get("/api/v1/institutions/{id}", this::getInstitution);
    app.patch("/api/v1/institutions/{id}", this::updateInstitution);
    app.get("/api/v1/institutions/{id}/rules", this::institutionRules);
    app.put("/api/v1/institutions/{id}/rules/{rule}", this::setRule);
    app.get("/api/v1/institutions/{id}/filters", this::listFilters);
    app.post("/api/v1/institutions/{id}/filters", this::addFilter);
    app.delete("/api/v1/institutions/{id}/filters/{filter}", this::deleteFilter);
    app.post("/api/v1/institutions/{id}/ingest-tokens", this::issueIngestToken);

    app.get("/api/v1/users", this::listUsers);
    app.post("/api/v1/users", this::createUser);
    app.get("/api/v1/partners", this::listPartners);
    app.post("/api/v1/partners", this::createPartner);
    app.get("/api/v1/tokens", this::listTokens);
    app.post("/api/v1/tokens", this::issueApiToken);
    app.delete("/api/v1/tokens/{id}", this::revokeToken);

    app.get("/api/v1/rules", this::rules);
    app.post("/api/v1/rules/reload", this::reloadRules);
    app.get("/api/v1/cluster", this::cluster);
    IntelRoutes.register(app, server); // indicators, TAXII collections and server, incident exports
    CaseRoutes.register(app, server); // campaigns, cases, playbooks, reports
    WebRoutes.register(app, server, this::principal); // decisions, site statistics, bouncer endpoints
    AnalystRoutes.register(app, server, this::principal); // the overview's figures, alerts into incidents, rule checks
    RuleUploadRoutes.register(app, server, this::principal); // rule files uploaded to run
    Ui.register(app); // the analyst's web UI at /ui

    app.exception(ApiError.class, (e, ctx) -> {
      if ((e.status == 429 || e.status == 503) && ctx.res().getHeader("Retry-After") == null) {
        ctx.header("Retry-After", e.status == 429 ? "1" : "5");
      }
      if (e.status == 401) {
        ctx.header("WWW-Authenticate", "Bearer realm=\"lovcen\""); // RFC 9110: a 401 names its scheme
      }
      deniedAccess(ctx, e);
      problem(ctx, e.status, e.slug, e.getMessage(), e.problems);
    });
    app.exception(IllegalArgumentException.class, (e, ctx) -> problem(ctx, 400, "bad-request", e.getMessage()));
    app.exception(com.fasterxml.jackson.core.JsonProcessingException.class,
        (e, ctx) -> problem(ctx, 400, "bad-request", "invalid JSON body: " + e.getOriginalMessage()));
    app.exception(org.lovcen.store.StoreException.class, (e, ctx) -> storeFailed(ctx, e));
    app.exception(org.jdbi.v3.core.JdbiException.class, (e, ctx) -> {
      if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("unique")) {
        problem(ctx, 409, "conflict", "already exists");
      } else {
        storeFailed(ctx, e);
      }
    });
    app.exception(Exception.class, (e, ctx) -> problem(ctx, 500, "internal", "internal error"));
    app.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty() || !isProblem(ctx)) {
        problem(ctx, 404, "not-found", "no such resource: " + ctx.method() + " " + ctx.path());
      }
    });
    app.error(405, ctx -> {
      ctx.header("Allow", String.join(", ", allowed(ctx.path())));
      problem(ctx, 405, "method-not-allowed", ctx.method() + " is not allowed on " + ctx.path());
    });
    app.error(413, ctx -> {
      if (!isProblem(ctx)) {
        problem(ctx, 413, "too-large", "request body larger than " + server.config().ingest().maxBodyMb() + " MiB");
      }
    });
  }

  /**
   * Failed access-control decisions go to the security log (ASVS 7.2.2): every 403 with the caller
   * when known, and every 401 of a request that presented a token or session cookie (an unknown,
   * expired or revoked one). Requests without any credential are not logged one by one.
   */
  private static void deniedAccess(Context ctx, ApiError e) {
    if (e.status == 403) {
      SecurityLog.event("access.denied", ctx.attribute(ACTOR), ctx.ip(), "method", ctx.method().name(), "path",
          ctx.path(), "reason", e.getMessage());
    } else if (e.status == 401 && (ctx.header("Authorization") != null || ctx.cookie(UiSession.COOKIE) != null)) {
      SecurityLog.event("token.rejected", null, ctx.ip(), "method", ctx.method().name(), "path", ctx.path());
    }
  }

  /** 503: the store is away or full (any request that writes); the client retries later. */
  private static void storeFailed(Context ctx, Exception e) {
    ctx.header("Retry-After", "5");
    if (org.lovcen.store.Database.isFull(e)) {
      problem(ctx, 503, "store-full", "the store's disk is full; retry later");
    } else {
      problem(ctx, 503, "store-unavailable", "the store is unavailable; retry later");
    }
  }

  /** The methods registered for a path, for the Allow header of a 405 (RFC 9110). */
  private List<String> allowed(String path) {
    return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
        .filter(e -> e.getEndpoint().getMethod().isHttpMethod() && e.matches(path))
        .map(e -> e.getEndpoint().getMethod().name()).distinct().sorted().toList();
  }

  private static boolean isProblem(Context ctx) {
    String ct = ctx.res().getContentType();
    return ct != null && ct.startsWith("application/problem+json");
  }

  private void securityHeaders(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }

  static void problem(Context ctx, int status, String slug, String detail) {
    problem(ctx, status, slug, detail, List.of());
  }

  /** A problem document; {@code problems} (each with its location) is added when there are any. */
  static void problem(Context ctx, int status, String slug, String detail, List<String> problems) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", "https://lovcen.org/problems/" + slug);
    p.put("title", ApiError.title(status));
    p.put("status", status);
    p.put("detail", detail);
    p.put("instance", ctx.path());
    if (!problems.isEmpty()) {
      p.put("problems", problems);
    }
    try {
      ctx.status(status).contentType("application/problem+json").result(JSON.writeValueAsString(p));
    } catch (IOException e) {
      ctx.status(status).result(detail);
    }
  }

  /** Starts listening; a port that is taken stops the start with the keys named. */
  int start(String host, int port) {
    try {
      app.start(host, port);
    } catch (io.javalin.util.JavalinBindException e) {
      int redirect = server.httpTls() == null ? -1 : server.config().listen().redirectPort();
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      throw new org.lovcen.core.LovcenException("cannot listen on " + host + " port " + port
          + (redirect >= 0 ? " or redirect port " + redirect + " (listen.host, listen.port, listen.redirect_port)"
              : " (listen.host, listen.port)") + ": " + cause.getMessage());
    }
    return app.port();
  }

  int port() {
    return app.port();
  }

  /** The plain port beside HTTPS ({@code listen.redirect_port}), or -1. */
  int redirectPort() {
    var connectors = app.jettyServer().server().getConnectors();
    return connectors.length > 1 ? ((org.eclipse.jetty.server.ServerConnector) connectors[1]).getLocalPort() : -1;
  }

  /**
   * Every registered route as {@code "METHOD path"} in registration order (not the before and
   * after filters): the tenancy matrix test checks that each route has an entry.
   */
  List<String> registeredRoutes() {
    return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream().map(e -> e.getEndpoint())
        .filter(e -> e.getMethod().isHttpMethod()).map(e -> e.getMethod() + " " + e.getPath()).toList();
  }

  @Override
  public void close() {
    app.stop();
  }

  // ---- caller ----

  /** The signed-in user behind the bearer token; 401 otherwise. */
  Principal principal(Context ctx) {
    String token = bearer(ctx);
    Directory.TokenGrant g = directory.resolveToken(token, now()).orElseThrow(
        () -> ApiError.unauthorized("unknown, expired or revoked token"));
    if (g.user() == null) {
      throw ApiError.forbidden("an ingest token can only send events");
    }
    ctx.attribute(ACTOR, g.user().name()); // names the caller in the security log if access is then denied
    return new Principal(g.user(), g.id(), g.kind());
  }

  /**
   * The caller's token: the bearer token, else the web UI's session cookie ({@link UiSession};
   * a request that changes something must then carry the cookie's CSRF token too).
   */
  static String bearer(Context ctx) {
    String h = ctx.header("Authorization");
    if (h == null) {
      String cookie = UiSession.token(ctx);
      if (cookie != null) {
        return cookie;
      }
    }
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() < 8) {
      throw ApiError.unauthorized("missing 'Authorization: Bearer <token>'");
    }
    return h.substring(7).trim();
  }

  private Principal admin(Context ctx) {
    Principal p = principal(ctx);
    if (!p.admin()) {
      throw ApiError.forbidden("administrators only");
    }
    return p;
  }

  /** A caller that may change data (not a partner). */
  private Principal writer(Context ctx) {
    Principal p = principal(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("partners have read-only access");
    }
    return p;
  }

  /** An institution filter the caller may use: 403 for one outside their scope. */
  static String institutionParam(Context ctx, Principal p) {
    String inst = ctx.queryParam("institution");
    if (inst != null && !p.scope().sees(inst) && !(p.scope() instanceof Scope.Partner)) {
      throw ApiError.forbidden("no access to institution '" + inst + "'");
    }
    return inst;
  }

  private static void requireSees(Principal p, String institution) {
    if (!p.scope().sees(institution)) {
      throw ApiError.forbidden("no access to institution '" + institution + "'");
    }
  }

  static long now() {
    return System.currentTimeMillis() * 1000;
  }

  // ---- parameters ----

  static Long time(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    long t;
    try {
      t = Timestamps.parse(v);
    } catch (RuntimeException e) {
      t = org.lovcen.core.Event.NO_TIME;
    }
    if (t == org.lovcen.core.Event.NO_TIME) { // parse answers NO_TIME for text that is no time at all
      throw ApiError.badRequest("parameter '" + name + "': '" + v + "' is not an RFC 3339 time");
    }
    return t;
  }

  static int limit(Context ctx) {
    String v = ctx.queryParam("limit");
    if (v == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > 1000) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("parameter 'limit': '" + v + "' is not a number from 1 to 1000");
    }
  }

  static long id(Context ctx, String name) {
    String v = ctx.pathParam(name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiError.notFound("'" + v + "'");
    }
  }

  static Integer level(Context ctx) {
    String v = ctx.queryParam("level");
    if (v == null) {
      return null;
    }
    try {
      return org.lovcen.core.Level.parse(v).ordinal();
    } catch (RuntimeException e) {
      throw ApiError.badRequest("parameter 'level': " + e.getMessage());
    }
  }

  static JsonNode body(Context ctx) throws IOException {
    String ct = ctx.contentType();
    if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ApiError(415, "unsupported-media-type", "send the request body as application/json");
    }
    JsonNode n = JSON.readTree(ctx.bodyAsBytes());
    if (n == null || !n.isObject()) {
      throw ApiError.badRequest("the request body must be a JSON object");
    }
    return n;
  }

  /** An optional whole-number field from {@code min} to {@code max}; {@code absent} when missing. */
  static int integer(JsonNode body, String field, int absent, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw ApiError.badRequest("field '" + field + "' must be a whole number from " + min + " to " + max + "; got "
          + v);
    }
    return v.asInt();
  }

  static String text(JsonNode body, String field, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw ApiError.badRequest("missing field '" + field + "'");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.badRequest("field '" + field + "' must be a string");
    }
    return v.asText();
  }

  static <T> Map<String, Object> page(Page<T> p, java.util.function.Function<T, Object> render) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> items = new ArrayList<>(p.items().size());
    p.items().forEach(i -> items.add(render.apply(i)));
    m.put("items", items);
    m.put("total", p.total());
    m.put("next", p.next());
    return m;
  }

  // ---- sign-in ----

  private void login(Context ctx) throws IOException {
    JsonNode b = body(ctx);
    String name = text(b, "name", true);
    String password = text(b, "password", true);
    long locked = throttle.lockedFor(name, ctx.ip());
    if (locked > 0) {
      SecurityLog.event("login.locked", name, ctx.ip());
      ctx.header("Retry-After", Long.toString((locked + 999) / 1000));
      throw new ApiError(429, "locked", "too many failed sign-ins; try again later");
    }
    Directory.User u = directory.authenticate(name, password).orElse(null);
    if (u == null) {
      throttle.failed(name, ctx.ip());
      SecurityLog.event("login.failed", name, ctx.ip());
      throw ApiError.unauthorized("wrong name or password");
    }
    throttle.succeeded(name);
    SecurityLog.event("login.ok", name, ctx.ip(), "role", u.role().toString());
    long expires = now() + TimeUnit.HOURS.toMicros(server.config().sessions().hours());
    String token = directory.issueToken("session", "sign-in", u.id(), null, expires);
    Map<String, Object> m = new LinkedHashMap<>();
    if (b.path("cookie").asBoolean(false)) { // the web UI: the token goes into an HttpOnly cookie only
      m.put("csrf", UiSession.open(ctx, token, expires));
    } else {
      m.put("token", token);
    }
    m.put("expires", Timestamps.format(expires));
    m.put("user", userJson(u));
    ctx.json(m);
  }

  private void logout(Context ctx) {
    Principal p = principal(ctx);
    directory.revokeToken(p.tokenId());
    UiSession.close(ctx);
    SecurityLog.event("logout", p.user().name(), ctx.ip());
    ctx.status(204);
  }

  // ---- events, alerts, incidents ----

  private void listEvents(Context ctx) {
    Principal p = principal(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("partners cannot search raw events");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    ctx.queryParamMap().forEach((k, v) -> {
      if (k.startsWith("field.") && !v.isEmpty()) {
        fields.put(k.substring(6), v.get(0));
      }
    });
    EventQuery q = new EventQuery(time(ctx, "from"), time(ctx, "to"), institutionParam(ctx, p), ctx.queryParam("host"),
        fields, ctx.queryParam("q"), limit(ctx), ctx.queryParam("cursor"));
    ctx.json(page(events.search(p.scope(), q), Api::eventJson));
  }

  private void getEvent(Context ctx) {
    Principal p = principal(ctx);
    StoredEvent e = p.role() == Role.PARTNER ? null : events.get(p.scope(), id(ctx, "id"));
    if (e == null) {
      throw ApiError.notFound("event");
    }
    ctx.json(eventJson(e));
  }

  private AlertQuery alertQuery(Context ctx, Principal p, Long incident) {
    return new AlertQuery(time(ctx, "from"), time(ctx, "to"), institutionParam(ctx, p), ctx.queryParam("host"),
        level(ctx), ctx.queryParam("rule"), ctx.queryParam("tag"), incident, ctx.queryParam("kind"), limit(ctx),
        ctx.queryParam("cursor"));
  }

  private void listAlerts(Context ctx) {
    Principal p = principal(ctx);
    Long incident = ctx.queryParam("incident") == null ? null : parseLong(ctx.queryParam("incident"), "incident");
    ctx.json(page(alerts.list(p.scope(), alertQuery(ctx, p, incident)), Api::alertJson));
  }

  private static long parseLong(String v, String name) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("parameter '" + name + "': '" + v + "' is not a number");
    }
  }

  private void getAlert(Context ctx) {
    Principal p = principal(ctx);
    AlertRow a = alerts.get(p.scope(), id(ctx, "id"));
    if (a == null) {
      throw ApiError.notFound("alert");
    }
    Map<String, Object> m = alertJson(a);
    if (a.eventRef() != null && p.role() != Role.PARTNER) {
      StoredEvent e = events.get(p.scope(), a.eventRef());
      m.put("event", e == null ? null : eventJson(e));
    }
    ctx.json(m);
  }

  private void listIncidents(Context ctx) {
    Principal p = principal(ctx);
    String open = ctx.queryParam("open");
    IncidentQuery q = new IncidentQuery(time(ctx, "from"), time(ctx, "to"), institutionParam(ctx, p),
        ctx.queryParam("host"), ctx.queryParam("status"), open == null ? null : Boolean.parseBoolean(open), level(ctx),
        ctx.queryParam("assignee"), limit(ctx), ctx.queryParam("cursor"));
    ctx.json(page(incidents.list(p.scope(), q), Api::incidentJson));
  }

  private IncidentRow incident(Context ctx, Principal p) {
    IncidentRow r = incidents.get(p.scope(), id(ctx, "id"));
    if (r == null) {
      throw ApiError.notFound("incident");
    }
    return r;
  }

  private void getIncident(Context ctx) {
    Principal p = principal(ctx);
    ctx.json(incidentJson(incident(ctx, p)));
  }

  private void updateIncident(Context ctx) throws IOException {
    Principal p = writer(ctx);
    JsonNode b = body(ctx);
    String status = text(b, "status", false);
    String assignee = text(b, "assignee", false);
    if (status == null && assignee == null) {
      throw ApiError.badRequest("give 'status' and/or 'assignee'");
    }
    IncidentRow r = incidents.update(p.scope(), id(ctx, "id"), status, assignee, now());
    if (r == null) {
      throw ApiError.notFound("incident");
    }
    ctx.json(incidentJson(r));
  }

  private void incidentAlerts(Context ctx) {
    Principal p = principal(ctx);
    IncidentRow r = incident(ctx, p);
    ctx.json(page(alerts.list(p.scope(), alertQuery(ctx, p, r.id())), Api::alertJson));
  }

  private void notes(Context ctx) {
    Principal p = principal(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("notes are the CERT's and the institution's own; partners see shared incidents and alerts");
    }
    List<Note> n = incidents.notes(p.scope(), id(ctx, "id"));
    if (n == null) {
      throw ApiError.notFound("incident");
    }
    ctx.json(Map.of("items", n.stream().map(Api::noteJson).toList(), "total", n.size()));
  }

  private void addNote(Context ctx) throws IOException {
    Principal p = writer(ctx);
    String text = text(body(ctx), "text", true);
    if (text.isBlank() || text.length() > 20_000) {
      throw ApiError.badRequest("a note has 1 to 20000 characters");
    }
    Note n = incidents.addNote(p.scope(), id(ctx, "id"), p.user().name(), text, now());
    if (n == null) {
      throw ApiError.notFound("incident");
    }
    ctx.status(201).json(noteJson(n));
  }

  private void share(Context ctx) throws IOException {
    Principal p = principal(ctx);
    if (!p.national()) {
      throw ApiError.forbidden("only the national CERT shares incidents with partners");
    }
    String partner = text(body(ctx), "partner", true);
    if (directory.partners().stream().noneMatch(x -> x.id().equals(partner))) {
      throw ApiError.badRequest("unknown partner '" + partner + "'");
    }
    if (!incidents.share(p.scope(), id(ctx, "id"), partner, now())) {
      throw ApiError.notFound("incident");
    }
    SecurityLog.event("incident.shared", p.user().name(), ctx.ip(), "incident", ctx.pathParam("id"), "partner", partner);
    ctx.status(204);
  }

  // ---- institutions, rules, filters ----

  private void listInstitutions(Context ctx) {
    Principal p = principal(ctx);
    List<Directory.Institution> list = directory.institutions(p.scope());
    ctx.json(Map.of("items", list.stream().map(Api::institutionJson).toList(), "total", list.size()));
  }

  private void getInstitution(Context ctx) {
    Principal p = principal(ctx);
    Directory.Institution i = directory.institution(p.scope(), ctx.pathParam("id"))
        .orElseThrow(() -> ApiError.notFound("institution"));
    ctx.json(institutionJson(i));
  }

  private void createInstitution(Context ctx) throws IOException {
    Principal p = admin(ctx);
    JsonNode b = body(ctx);
    String id = text(b, "id", true);
    String name = text(b, "name", true);
    int days = integer(b, "retention_days", server.config().retention().defaultDays(), 1, MAX_RETENTION_DAYS);
    String syslog = text(b, "syslog_sources", false);
    if (directory.institution(Scope.NATIONAL, id).isPresent()) {
      throw new ApiError(409, "conflict", "institution '" + id + "' exists");
    }
    Directory.Institution created = directory.createInstitution(id, name, days, syslog);
    SecurityLog.event("institution.created", p.user().name(), ctx.ip(), "institution", id, "syslog_sources",
        created.syslogSources());
    ctx.status(201).json(institutionJson(created));
  }

  private void updateInstitution(Context ctx) throws IOException {
    Principal p = admin(ctx);
    JsonNode b = body(ctx);
    Integer days = null;
    if (b.has("retention_days")) {
      if (!b.get("retention_days").canConvertToInt()) {
        throw ApiError.badRequest("field 'retention_days' must be a whole number of days");
      }
      days = b.get("retention_days").asInt();
    }
    Directory.Institution i = directory.updateInstitution(ctx.pathParam("id"), text(b, "name", false), days,
        text(b, "syslog_sources", false)).orElseThrow(() -> ApiError.notFound("institution"));
    // who may send syslog as the institution, and how long its events are kept, are security settings
    SecurityLog.event("institution.updated", p.user().name(), ctx.ip(), "institution", i.id(), "syslog_sources",
        i.syslogSources(), "retention_days", Integer.toString(i.retentionDays()));
    ctx.json(institutionJson(i));
  }

  private Directory.Institution visibleInstitution(Context ctx, Principal p) {
    return directory.institution(p.scope(), ctx.pathParam("id")).orElseThrow(() -> ApiError.notFound("institution"));
  }

  private void institutionRules(Context ctx) {
    Principal p = principal(ctx);
    Directory.Institution i = visibleInstitution(ctx, p);
    var off = settings.disabledRules(p.scope(), i.id());
    List<Map<String, Object>> out = new ArrayList<>();
    for (var r : server.engine().rulesOf(i.id())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.id());
      m.put("title", r.title());
      m.put("level", r.level().label());
      m.put("enabled", !off.contains(r.id()));
      out.add(m);
    }
    ctx.json(Map.of("items", out, "total", out.size()));
  }

  private void setRule(Context ctx) throws IOException {
    Principal p = writer(ctx);
    Directory.Institution i = visibleInstitution(ctx, p);
    JsonNode b = body(ctx);
    if (!b.path("enabled").isBoolean()) {
      throw ApiError.badRequest("field 'enabled' must be true or false");
    }
    String rule = ctx.pathParam("rule");
    if (server.engine().rulesOf(i.id()).stream().noneMatch(r -> r.id().equals(rule))) {
      throw ApiError.notFound("rule '" + rule + "'");
    }
    settings.setRuleEnabled(p.scope(), i.id(), rule, b.get("enabled").asBoolean());
    server.reloadSettings();
    SecurityLog.event(b.get("enabled").asBoolean() ? "rule.enabled" : "rule.disabled", p.user().name(), ctx.ip(),
        "institution", i.id(), "rule", rule);
    ctx.json(Map.of("institution", i.id(), "rule", rule, "enabled", b.get("enabled").asBoolean()));
  }

  private void listFilters(Context ctx) {
    Principal p = principal(ctx);
    Directory.Institution i = visibleInstitution(ctx, p);
    List<Map<String, Object>> out = settings.filters(p.scope()).stream()
        .filter(f -> f.institution().equals(i.id())).map(Api::filterJson).toList();
    ctx.json(Map.of("items", out, "total", out.size()));
  }

  private void addFilter(Context ctx) throws IOException {
    Principal p = writer(ctx);
    Directory.Institution i = visibleInstitution(ctx, p);
    JsonNode b = body(ctx);
    String name = text(b, "name", true);
    String yaml = text(b, "yaml", true);
    try {
      org.lovcen.sigma.RuleSet.filtered(server.engine().rulesOf(i.id()), Map.of(name, yaml),
          org.lovcen.sigma.RuleSet.Options.defaults());
    } catch (org.lovcen.sigma.SigmaException e) {
      throw new ApiError(422, "invalid-filter", e.getMessage());
    }
    Settings.Filter f = settings.addFilter(p.scope(), i.id(), name, yaml);
    server.reloadSettings();
    SecurityLog.event("filter.added", p.user().name(), ctx.ip(), "institution", i.id(), "filter",
        Long.toString(f.id()), "name", name);
    ctx.status(201).json(filterJson(f));
  }

  private void deleteFilter(Context ctx) {
    Principal p = writer(ctx);
    Directory.Institution i = visibleInstitution(ctx, p);
    long id = id(ctx, "filter");
    boolean mine = settings.filters(p.scope()).stream().anyMatch(f -> f.id() == id && f.institution().equals(i.id()));
    if (!mine || !settings.deleteFilter(p.scope(), id)) {
      throw ApiError.notFound("filter");
    }
    server.reloadSettings();
    SecurityLog.event("filter.deleted", p.user().name(), ctx.ip(), "institution", i.id(), "filter", Long.toString(id));
    ctx.status(204);
  }

  private void issueIngestToken(Context ctx) throws IOException {
    admin(ctx);
    Directory.Institution i = directory.institution(Scope.NATIONAL, ctx.pathParam("id"))
        .orElseThrow(() -> ApiError.notFound("institution"));
    String name = ctx.contentLength() > 0 ? text(body(ctx), "name", false) : null;
    String token = directory.issueToken("ingest", name == null ? "ingest" : name, null, i.id(), null);
    SecurityLog.event("token.issued", principal(ctx).user().name(), ctx.ip(), "kind", "ingest", "institution", i.id());
    ctx.status(201).json(Map.of("token", token, "institution", i.id()));
  }

  // ---- users, partners, tokens ----

  private void listUsers(Context ctx) {
    Principal p = principal(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("partners cannot list users");
    }
    List<Directory.User> list = directory.users(p.scope());
    ctx.json(Map.of("items", list.stream().map(Api::userJson).toList(), "total", list.size()));
  }

  private void createUser(Context ctx) throws IOException {
    admin(ctx);
    JsonNode b = body(ctx);
    String name = text(b, "name", true);
    Role role = Role.of(text(b, "role", true));
    String inst = text(b, "institution", false);
    String partner = text(b, "partner", false);
    if (inst != null && directory.institution(Scope.NATIONAL, inst).isEmpty()) {
      throw ApiError.badRequest("unknown institution '" + inst + "'");
    }
    if (partner != null && directory.partners().stream().noneMatch(x -> x.id().equals(partner))) {
      throw ApiError.badRequest("unknown partner '" + partner + "'");
    }
    if (directory.user(name).isPresent()) {
      throw new ApiError(409, "conflict", "user '" + name + "' exists");
    }
    Directory.User created = directory.createUser(name, text(b, "password", true), role, inst, partner);
    SecurityLog.event("user.created", principal(ctx).user().name(), ctx.ip(), "user", name, "role", role.toString(),
        "institution", inst == null ? "" : inst);
    ctx.status(201).json(userJson(created));
  }

  private void listPartners(Context ctx) {
    Principal p = principal(ctx);
    if (!p.national()) {
      throw ApiError.forbidden("the national CERT only");
    }
    ctx.json(Map.of("items", directory.partners(), "total", directory.partners().size()));
  }

  private void createPartner(Context ctx) throws IOException {
    Principal p = admin(ctx);
    JsonNode b = body(ctx);
    String id = text(b, "id", true);
    var created = directory.createPartner(id, text(b, "name", true));
    SecurityLog.event("partner.created", p.user().name(), ctx.ip(), "partner", id);
    ctx.status(201).json(created);
  }

  private void listTokens(Context ctx) {
    admin(ctx);
    ctx.json(Map.of("items", directory.tokens(Scope.NATIONAL).stream().map(Api::tokenJson).toList()));
  }

  /** Issues an API token for the caller (scripts), with an expiry in days (default 90). */
  private void issueApiToken(Context ctx) throws IOException {
    Principal p = principal(ctx);
    JsonNode b = ctx.contentLength() > 0 ? body(ctx) : JSON.createObjectNode();
    int days = integer(b, "days", 90, 1, 366);
    String name = text(b, "name", false);
    long expires = now() + TimeUnit.DAYS.toMicros(days);
    String token = directory.issueToken("api", name == null ? "api" : name, p.user().id(), null, expires);
    SecurityLog.event("token.issued", p.user().name(), ctx.ip(), "kind", "api", "days", Integer.toString(days));
    ctx.status(201).json(Map.of("token", token, "expires", Timestamps.format(expires)));
  }

  private void revokeToken(Context ctx) {
    admin(ctx);
    if (!directory.revokeToken(id(ctx, "id"))) {
      throw ApiError.notFound("token");
    }
    SecurityLog.event("token.revoked", principal(ctx).user().name(), ctx.ip(), "token", ctx.pathParam("id"));
    ctx.status(204);
  }

  // ---- rules ----

  /** Where detection runs: embedded, or the Kafka workers with their partitions and lag (national only). */
  private void cluster(Context ctx) {
    if (!principal(ctx).national()) {
      throw ApiError.forbidden("the national CERT only");
    }
    org.lovcen.kafka.ClusterStatus cluster = server.cluster();
    if (cluster == null) {
      ctx.json(Map.of("mode", "embedded"));
      return;
    }
    org.lovcen.kafka.ClusterStatus.Status st;
    try {
      st = cluster.status();
    } catch (org.lovcen.kafka.KafkaRunnerException e) {
      throw new ApiError(503, "broker-unavailable", "the Kafka cluster did not answer: " + e.getMessage());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mode", "kafka");
    out.put("application", st.application());
    out.put("state", st.state());
    out.put("workers", st.members().stream().map(m -> {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("client_id", m.clientId());
      w.put("host", m.host());
      w.put("partitions", m.partitions());
      return w;
    }).toList());
    out.put("partitions", st.partitions().stream().map(p -> {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("topic", p.topic());
      w.put("partition", p.partition());
      w.put("committed", p.committed());
      w.put("end", p.end());
      w.put("lag", p.lag());
      w.put("owner", p.owner());
      return w;
    }).toList());
    out.put("lag", st.lag());
    out.put("forwarded_up_to", server.detectedUpTo());
    ctx.json(out);
  }

  private void rules(Context ctx) {
    Principal p = principal(ctx);
    var engine = server.engine();
    var report = engine.rules().report();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("files", report.files());
    m.put("loaded", report.loaded());
    m.put("compiled", report.compiled());
    m.put("active", report.active());
    m.put("uploaded_active", uploadedActive(engine, p.scope()));
    m.put("loaded_at", Timestamps.format(server.rulesLoadedAt() * 1000));
    m.put("unsupported", report.unsupported().stream().map(Api::issueJson).toList());
    m.put("waiting", report.waiting().stream().map(Api::issueJson).toList());
    m.put("errors", report.errors().stream().map(Api::issueJson).toList());
    m.put("filter_problems", server.settingProblems());
    ctx.json(m);
  }

  /**
   * The uploaded rules that run and concern the scope: national uploads and those of institutions it
   * sees (every upload for the national CERT). They run beside the rule folders' rules, apart from
   * the {@code active} count.
   */
  private static int uploadedActive(org.lovcen.server.live.Engine engine, Scope scope) {
    var uploads = engine.uploads();
    if (uploads.rules() == null) {
      return 0;
    }
    int n = 0;
    for (var rule : uploads.rules().rules()) {
      String owner = uploads.owners().get(rule.id());
      n += owner == null || scope.sees(owner) ? 1 : 0;
    }
    return n;
  }

  private void reloadRules(Context ctx) {
    Principal p = admin(ctx);
    var report = server.reloadRules();
    SecurityLog.event("rules.reloaded", p.user().name(), ctx.ip(), "active", Integer.toString(report.active()));
    ctx.json(Map.of("active", report.active(), "errors", report.errors().size(), "unsupported",
        report.unsupported().size()));
  }

  private void openapi(Context ctx) throws IOException {
    try (InputStream in = Api.class.getResourceAsStream("openapi.json")) {
      ctx.contentType("application/json").result(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  // ---- JSON shapes (the API contract; docs/API.md) ----

  static Map<String, Object> eventJson(StoredEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("institution", e.institution());
    m.put("time", Timestamps.format(e.ts()));
    m.put("host", e.host());
    m.put("channel", e.channel());
    m.put("provider", e.provider());
    m.put("event_id", e.eventId() < 0 ? null : e.eventId());
    m.put("source", e.source());
    m.put("record", e.record());
    try {
      m.put("fields", JSON.readTree(e.fields()));
    } catch (IOException ex) {
      m.put("fields", null);
    }
    return m;
  }

  static Map<String, Object> alertJson(AlertRow a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("institution", a.institution());
    m.put("kind", a.kind());
    m.put("rule", Map.of("id", a.ruleId(), "title", a.ruleTitle(), "author", a.author() == null ? "" : a.author()));
    m.put("level", a.level());
    m.put("tags", a.tags());
    m.put("time", Timestamps.format(a.ts()));
    m.put("last", Timestamps.format(a.lastTs()));
    m.put("host", a.host());
    m.put("channel", a.channel());
    m.put("event_id", a.eventRef());
    m.put("fields", a.fields());
    m.put("group", a.group());
    m.put("evidence", a.evidence());
    m.put("incident", a.incident());
    m.put("retrospective", a.retrospective());
    m.put("created", Timestamps.format(a.created()));
    m.put("fingerprint", a.fingerprint());
    return m;
  }

  static Map<String, Object> incidentJson(IncidentRow r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("institution", r.institution());
    m.put("host", r.host());
    m.put("title", r.title());
    m.put("level", r.level());
    m.put("status", r.status());
    m.put("assignee", r.assignee());
    m.put("first", Timestamps.format(r.firstTs()));
    m.put("last", Timestamps.format(r.lastTs()));
    m.put("alerts", r.alertCount());
    m.put("techniques", r.techniques());
    m.put("tactics", r.tactics());
    m.put("rules", r.rules());
    m.put("created", Timestamps.format(r.created()));
    m.put("updated", Timestamps.format(r.updated()));
    return m;
  }

  static Map<String, Object> noteJson(Note n) {
    return Map.of("id", n.id(), "incident", n.incident(), "author", n.author(), "text", n.text(), "created",
        Timestamps.format(n.created()));
  }

  static Map<String, Object> institutionJson(Directory.Institution i) {
    return Map.of("id", i.id(), "name", i.name(), "retention_days", i.retentionDays(), "syslog_sources",
        i.syslogSources());
  }

  static Map<String, Object> userJson(Directory.User u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("name", u.name());
    m.put("role", u.role().id());
    m.put("institution", u.institution());
    m.put("partner", u.partner());
    m.put("disabled", u.disabled());
    return m;
  }

  static Map<String, Object> tokenJson(Directory.TokenInfo t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("kind", t.kind());
    m.put("name", t.name());
    m.put("user", t.user());
    m.put("institution", t.institution());
    m.put("created", Timestamps.format(t.created()));
    m.put("expires", t.expires() == null ? null : Timestamps.format(t.expires()));
    m.put("revoked", t.revoked());
    return m;
  }

  static Map<String, Object> filterJson(Settings.Filter f) {
    return Map.of("id", f.id(), "institution", f.institution(), "name", f.name(), "yaml", f.yaml());
  }

  static Map<String, Object> issueJson(org.lovcen.sigma.RuleSet.Issue i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", i.id());
    m.put("path", i.path());
    m.put("reason", i.reason());
    return m;
  }
}
