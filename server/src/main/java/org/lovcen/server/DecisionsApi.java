package org.lovcen.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lovcen.web.Cidr;
import org.lovcen.web.Decision;

/*
 * How and why: CrowdSec bouncers (nginx, firewall, ...) poll the local API with an X-Api-Key.
 * GET /v1/decisions?ip=..|range=.. answers a JSON array of the active decisions that apply, or
 * `null` when there is none (as the LAPI's Go encoder does). GET /v1/decisions/stream answers
 * {"new": [...], "deleted": [...]}: with startup=true every active decision is new; otherwise new
 * holds the decisions added or extended since this key's last pull and deleted those that ended
 * (expired or revoked) since then (a change in the very millisecond of the last pull comes again). Each key has its own last pull, as each bouncer has in CrowdSec.
 * Decisions are given with wall-clock ends: "duration" is what remains, in Go's duration syntax.
 *
 * The handlers read decisions from a Source: the standalone server (`lovcen decisions serve`) from
 * a list replaced atomically by update, `lovcen serve` from its store; the same handlers are
 * mounted on either Javalin app (mount).
 */
/** The CrowdSec-compatible decisions endpoint. Thread-safe. Binds where told (use 127.0.0.1 in tests). */
public final class DecisionsApi implements AutoCloseable {
  /**
   * One served decision: the proposal, its id and its wall-clock window (epoch millis). A revoked
   * decision ends when it was revoked; {@code updatedMillis} is when it was last created or extended.
   */
  public record Served(long id, Decision decision, long createdMillis, long untilMillis, long updatedMillis) {
    public Served(long id, Decision decision, long createdMillis, long untilMillis) {
      this(id, decision, createdMillis, untilMillis, createdMillis);
    }

    boolean active(long now) {
      return createdMillis <= now && untilMillis > now;
    }
  }

  /** A known bouncer: its name and the institution whose decisions it gets (null: all). */
  public record Bouncer(String name, String institution) {}

  /** Who a key belongs to. */
  @FunctionalInterface
  public interface Keys {
    /** The bouncer with this key, or null. */
    Bouncer find(String key);
  }

  /** Where the decisions come from. */
  @FunctionalInterface
  public interface Source {
    /**
     * The bouncer's decisions: with {@code sinceMillis} null at least every active one; else at
     * least every one created, extended or ended after it. More may be given; the handlers filter.
     */
    List<Served> decisions(Bouncer bouncer, Long sinceMillis, long nowMillis);
  }

  private static final JsonFactory JSON = new JsonFactory();
  private volatile List<Served> decisions = List.of();
  private final Javalin app;

  /**
   * @param keys accepted API keys (at least one)
   * @param clock wall clock (tests move it)
   */
  public DecisionsApi(List<String> keys, Clock clock) {
    List<String> accepted = List.copyOf(keys);
    this.app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    mount(app, k -> accepted.contains(k) ? new Bouncer("bouncer", null) : null, (b, since, now) -> decisions, clock);
  }

  /** Registers the bouncer endpoints ({@code /v1/decisions}, {@code /v1/decisions/stream}) on {@code app}. */
  public static void mount(Javalin app, Keys keys, Source source, Clock clock) {
    Handlers h = new Handlers(keys, source, clock);
    app.before("/v1/*", h::auth);
    app.get("/v1/decisions", h::decisions);
    app.get("/v1/decisions/stream", h::stream);
  }

  /** Starts listening; returns the port (0 picks a free one). */
  public int start(String host, int port) {
    app.start(host, port);
    return app.port();
  }

  /** Replaces the served decisions. */
  public void update(List<Served> next) {
    decisions = List.copyOf(next);
  }

  /**
   * Serves decisions proposed in log time from now on: each lasts as long as it was proposed
   * for ({@code until - since}), starting at {@code now}.
   */
  public static List<Served> fromNow(List<Decision> ds, long nowMillis) {
    List<Served> out = new ArrayList<>();
    long id = 1;
    for (Decision d : ds) {
      out.add(new Served(id++, d, nowMillis, nowMillis + (d.until() - d.since()) / 1000));
    }
    return out;
  }

  /** The request handlers over one source. Thread-safe. */
  private static final class Handlers {
    private final Keys keys;
    private final Source source;
    private final Clock clock;
    private final Map<String, Long> lastPull = new ConcurrentHashMap<>();

    Handlers(Keys keys, Source source, Clock clock) {
      this.keys = keys;
      this.source = source;
      this.clock = clock;
    }

    void auth(Context ctx) {
      String k = ctx.header("X-Api-Key");
      Bouncer b = k == null || k.isEmpty() ? null : keys.find(k);
      if (b == null) {
        ctx.status(403).contentType("application/json").result("{\"message\":\"access forbidden\"}");
        ctx.skipRemainingHandlers();
        return;
      }
      ctx.attribute("bouncer", b);
    }

    void decisions(Context ctx) {
      long now = clock.millis();
      String ip = ctx.queryParam("ip");
      String range = ctx.queryParam("range");
      String type = ctx.queryParam("type");
      Cidr wanted = range == null ? null : parse(range);
      if (ip != null && parse(ip) == null || range != null && wanted == null) {
        ctx.contentType("application/json").result("null");
        return;
      }
      List<Served> out = new ArrayList<>();
      for (Served s : source.decisions(ctx.attribute("bouncer"), null, now)) {
        if (!s.active(now)) {
          continue;
        }
        Cidr c = parse(s.decision().value());
        if (c != null && (ip == null || c.contains(ip)) && (wanted == null || c.overlaps(wanted))
            && (type == null || type.equals(s.decision().action()))) {
          out.add(s);
        }
      }
      ctx.contentType("application/json").result(out.isEmpty() ? "null" : array(out, now));
    }

    void stream(Context ctx) {
      long now = clock.millis();
      String key = ctx.header("X-Api-Key");
      boolean startup = "true".equals(ctx.queryParam("startup"));
      Long since = startup ? null : lastPull.get(key);
      List<Served> fresh = new ArrayList<>();
      List<Served> gone = new ArrayList<>();
      for (Served s : source.decisions(ctx.attribute("bouncer"), since, now)) {
        boolean active = s.active(now);
        // inclusive of the last pull's millisecond: a change in it is sent again rather than missed
        if (active && (since == null || s.updatedMillis() >= since)) {
          fresh.add(s);
        } else if (!active && since != null && s.untilMillis() <= now && s.untilMillis() >= since) {
          gone.add(s);
        }
      }
      lastPull.put(key, now);
      ctx.contentType("application/json").result("{\"new\":" + (fresh.isEmpty() ? "null" : array(fresh, now))
          + ",\"deleted\":" + (gone.isEmpty() ? "null" : array(gone, now)) + "}");
    }
  }

  private static Cidr parse(String value) {
    try {
      return Cidr.parse(value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String array(List<Served> list, long now) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartArray();
      for (Served s : list) {
        Decision d = s.decision();
        g.writeStartObject();
        g.writeStringField("duration", goDuration(s.untilMillis() - now));
        g.writeNumberField("id", s.id());
        g.writeStringField("origin", "lovcen");
        g.writeStringField("scenario", "lovcen/" + d.detector() + ": " + d.reason());
        g.writeStringField("scope", d.scope().equals("ip") ? "Ip" : "Range");
        g.writeStringField("type", d.action());
        g.writeStringField("value", d.value());
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** Go's time.Duration text ({@code 3h59m59.5s}, {@code -1.2s} when past). */
  static String goDuration(long millis) {
    String sign = millis < 0 ? "-" : "";
    long m = Math.abs(millis);
    long h = m / 3_600_000;
    long min = (m / 60_000) % 60;
    long ms = m % 60_000;
    String sec = ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.3f", ms / 1000.0)
        .replaceAll("0+$", "");
    if (h > 0) {
      return sign + h + "h" + min + "m" + sec + "s";
    }
    return min > 0 ? sign + min + "m" + sec + "s" : sign + sec + "s";
  }

  @Override
  public void close() {
    app.stop();
  }
}
