package org.lovcen.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.lovcen.core.LovcenException;
import org.lovcen.store.Directory;
import org.lovcen.web.Cidr;

/*
 * How and why: the metrics name institutions (ingest per institution, notification routes), so
 * GET /metrics is not for everyone who reaches the port. A request from an address in
 * metrics.allow (loopback by default: a Prometheus on the same machine) is served without a token;
 * from anywhere else it needs a bearer token: a metrics token (kind "metrics", no user: it reads
 * the metrics and nothing else, so the secret in Prometheus' configuration opens nothing more), or
 * the token of a national user, who sees every institution anyway. Behind a reverse proxy every
 * request arrives from the proxy's address, often loopback; so a request that carries any
 * forwarding header (Forwarded, X-Forwarded-*, X-Real-IP) is not taken to come from the address it
 * arrives from, and needs a token. Sending such a header can only make a client need a token,
 * never spare it one. Refusals follow the API: 401 without a token or with an unknown one, 403 with
 * one that does not grant the metrics (logged as access.denied).
 */
/** {@code GET /metrics} with its access control, and the metrics tokens Prometheus scrapes with. Thread-safe. */
final class MetricsRoutes {
  /** The kind of the tokens that read the metrics. */
  static final String TOKEN_KIND = "metrics";
  private static final List<String> FORWARDING = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
      "X-Forwarded-Proto", "X-Real-IP");

  private final LovcenServer server;
  private final Function<Context, Principal> principal;
  private final Directory directory;

  private MetricsRoutes(LovcenServer server, Function<Context, Principal> principal) {
    this.server = server;
    this.principal = principal;
    this.directory = new Directory(server.database());
  }

  /** Registers the routes on the server's app; {@code principal} resolves the caller. */
  static void register(Javalin app, LovcenServer server, Function<Context, Principal> principal) {
    MetricsRoutes r = new MetricsRoutes(server, principal);
    app.get("/metrics", r::scrape);
    app.post("/api/v1/metrics-tokens", r::issue);
  }

  /** The networks of {@code metrics.allow}; a bad entry stops the start with the key named. */
  static List<Cidr> networks(ServeConfig.MetricsAccess config) {
    List<Cidr> out = new ArrayList<>();
    for (String s : config.allow()) {
      try {
        out.add(Cidr.parse(s));
      } catch (RuntimeException e) {
        throw new LovcenException("metrics.allow: '" + s + "' is not an address or CIDR range (e.g. 127.0.0.1, "
            + "10.0.0.0/8, ::1)");
      }
    }
    return List.copyOf(out);
  }

  /** Whether {@code address} (as the connection gives it: IPv6 possibly in brackets) lies in one of {@code networks}. */
  static boolean allows(List<Cidr> networks, String address) {
    String a = canonical(address);
    return a != null && networks.stream().anyMatch(n -> n.contains(a));
  }

  /** The address in its plain form ({@code ::ffff:127.0.0.1} as {@code 127.0.0.1}), or null when it is none. */
  private static String canonical(String address) {
    if (address == null) {
      return null;
    }
    String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
        : address;
    a = a.replaceFirst("%.*$", ""); // an IPv6 zone
    if (a.indexOf(':') < 0) {
      return a; // IPv4 as Cidr reads it
    }
    if (!a.matches("[0-9A-Fa-f:.]+")) {
      return null;
    }
    try {
      return InetAddress.getByName(a).getHostAddress(); // a literal with ':' is never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private void scrape(Context ctx) {
    authorize(ctx);
    ctx.contentType(Metrics.contentType()).result(server.metrics().scrape());
  }

  private void authorize(Context ctx) {
    boolean forwarded = FORWARDING.stream().anyMatch(h -> ctx.header(h) != null);
    if (!forwarded && allows(server.metricsAllow(), ctx.req().getRemoteAddr())) {
      return;
    }
    if (ctx.header("Authorization") == null && UiSession.token(ctx) == null) {
      throw ApiError.unauthorized("without a token, /metrics answers only requests from metrics.allow that "
          + "came through no proxy; send 'Authorization: Bearer <token>' with a metrics token");
    }
    if (directory.resolveKey(Api.bearer(ctx), TOKEN_KIND, Api.now()).isPresent()) {
      return;
    }
    Principal p = principal.apply(ctx); // 401 for an unknown, expired or revoked token
    if (!p.national()) {
      throw ApiError.forbidden("the metrics name every institution: a metrics token or a national user's token");
    }
  }

  /** Issues a metrics token (administrators); it is shown once, and listed and revoked under /api/v1/tokens. */
  private void issue(Context ctx) throws IOException {
    Principal p = principal.apply(ctx);
    if (!p.admin()) {
      throw ApiError.forbidden("administrators only");
    }
    String name = ctx.contentLength() > 0 ? Api.text(Api.body(ctx), "name", false) : null;
    String n = name == null ? "prometheus" : name;
    String token = directory.issueToken(TOKEN_KIND, n, null, null, null);
    SecurityLog.event("token.issued", p.user().name(), ctx.ip(), "kind", TOKEN_KIND, "name", n);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("token", token);
    m.put("name", n);
    ctx.status(201).json(m);
  }
}
