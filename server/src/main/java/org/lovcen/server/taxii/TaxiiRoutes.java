package org.lovcen.server.taxii;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Timestamps;
import org.lovcen.server.LovcenServer;
import org.lovcen.server.ServeConfig;
import org.lovcen.store.Directory;
import org.lovcen.store.TaxiiStore;

/*
 * How and why: the TAXII 2.1 server under /taxii2/ (one API root) on the API's listener. Each
 * request is checked in the order the specification's error table suggests: media type in Accept
 * (406), credentials (401: HTTP Basic with a user's name and password, or a bearer token), the API
 * root and collection (404 when it does not exist or the caller may neither read nor write it;
 * 403 when the caller may see it but lacks the right asked for), then for adds the Content-Type
 * (415), the size (413) and the envelope (400 malformed JSON, 422 not an envelope). Errors are
 * TAXII error messages; the API's own error pages (for paths it does not know, 405, …) are turned
 * into TAXII errors under /taxii2/ as the response leaves.
 *
 * Reads go through TaxiiStore.objects, which applies the access list and the TLP rules in SQL.
 * Paging: objects come in date_added order; date_added is unique within a collection, so `next`
 * (the last date_added returned, in micros) and added_after with X-TAXII-Date-Added-Last are both
 * exact.
 */
/** The TAXII 2.1 endpoints. Thread-safe. */
public final class TaxiiRoutes {
  /** The TAXII media type this server speaks. */
  public static final String MEDIA = "application/taxii+json;version=2.1";
  private static final String ERROR_BODY = "lovcen.taxii.error";
  private static final System.Logger LOG = System.getLogger("lovcen.taxii");

  private final ServeConfig.Taxii config;
  private final TaxiiStore store;
  private final TaxiiCollections collections;
  private final TaxiiAuth auth;
  private final Directory directory;
  private final String identity;

  private TaxiiRoutes(LovcenServer server, TaxiiCollections collections) {
    this.config = server.config().taxii();
    this.store = new TaxiiStore(server.database());
    this.collections = collections;
    this.directory = new Directory(server.database());
    this.auth = new TaxiiAuth(directory);
    this.identity = server.config().intel().identity();
  }

  /**
   * Registers the endpoints under /taxii2/ on the API's server; {@code collections} is the one
   * instance that adds objects (adds to a collection are serialised through it).
   */
  public static void register(Javalin app, LovcenServer server, TaxiiCollections collections) {
    TaxiiRoutes r = new TaxiiRoutes(server, collections);
    String root = "/taxii2/{root}/";
    String coll = root + "collections/{collection}/";
    app.get("/taxii2/", r.handle(r::discovery));
    app.get(root, r.handle(r::apiRoot));
    app.get(root + "status/{status}/", r.handle(r::status));
    app.get(root + "collections/", r.handle(r::collectionList));
    app.get(coll, r.handle(r::collection));
    app.get(coll + "manifest/", r.handle(r::manifest));
    app.get(coll + "objects/", r.handle(r::objects));
    app.post(coll + "objects/", r.handle(r::addObjects));
    app.get(coll + "objects/{object}/", r.handle(r::object));
    app.get(coll + "objects/{object}/versions/", r.handle(r::versions));
    app.after("/taxii2/*", TaxiiRoutes::keepTaxiiErrors);
    app.after("/taxii2", TaxiiRoutes::keepTaxiiErrors);
  }

  // ---- plumbing ----

  private interface Endpoint {
    void handle(Context ctx, Directory.User user) throws IOException;
  }

  private Handler handle(Endpoint e) {
    return ctx -> {
      try {
        acceptable(ctx);
        e.handle(ctx, auth.user(ctx));
      } catch (TaxiiError t) {
        error(ctx, t);
      } catch (RuntimeException | IOException x) {
        boolean store = x instanceof org.lovcen.store.StoreException || x instanceof org.jdbi.v3.core.JdbiException;
        LOG.log(System.Logger.Level.WARNING, ctx.method() + " " + ctx.path() + " failed: " + x, x);
        error(ctx, store ? new TaxiiError(503, "Service unavailable", "the store is unavailable; retry later")
            : new TaxiiError(500, "Internal error", "internal error"));
      }
    };
  }

  private static void error(Context ctx, TaxiiError e) {
    if (e.status == 401) {
      ctx.header("WWW-Authenticate", "Basic realm=\"TAXII\", charset=\"UTF-8\"");
    }
    String body = write(e.body());
    ctx.attribute(ERROR_BODY, body);
    ctx.status(e.status).contentType(MEDIA).result(body);
  }

  /**
   * After the API's error pages have run: a TAXII error stays a TAXII error, and the API's
   * problem documents for unknown paths or methods under /taxii2/ become TAXII errors.
   */
  private static void keepTaxiiErrors(Context ctx) {
    String mine = ctx.attribute(ERROR_BODY);
    if (mine != null) {
      ctx.contentType(MEDIA).result(mine);
      return;
    }
    String ct = ctx.res().getContentType();
    if (ctx.statusCode() >= 400 && (ct == null || !ct.startsWith("application/taxii+json"))) {
      String title = ctx.statusCode() == 404 ? "Not found" : ctx.statusCode() == 405 ? "Method not allowed" : "Error";
      String detail = ctx.statusCode() == 404 ? "no such TAXII resource: " + ctx.path()
          : ctx.method() + " " + ctx.path() + " answered " + ctx.statusCode();
      ctx.contentType(MEDIA).result(write(new TaxiiError(ctx.statusCode(), title, detail).body()));
    }
  }

  private static void ok(Context ctx, int status, Object body) {
    ctx.status(status).contentType(MEDIA).result(write(body));
  }

  static String write(Object body) {
    try {
      return TaxiiCollections.JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** 406 unless Accept names the TAXII media type (without a version, or version 2.1). */
  static void acceptable(Context ctx) {
    String accept = ctx.header("Accept");
    if (accept != null) {
      for (String item : accept.split(",")) {
        if (isTaxii(item)) {
          return;
        }
      }
    }
    throw new TaxiiError(406, "Not acceptable", "the Accept header must name " + MEDIA + ", not '"
        + (accept == null ? "" : accept) + "'");
  }

  /** Whether a media type (with parameters) is application/taxii+json, unversioned or version 2.1. */
  static boolean isTaxii(String mediaType) {
    return TaxiiRequest.isTaxii(mediaType);
  }

  private void root(Context ctx) {
    if (!ctx.pathParam("root").equals(config.root())) {
      throw TaxiiError.notFound("no API root '" + ctx.pathParam("root") + "'");
    }
  }

  /** The collection as the caller sees it: 404 when absent or invisible to them. */
  private TaxiiStore.Collection visible(Context ctx, Directory.User user) {
    root(ctx);
    String id = ctx.pathParam("collection");
    return store.collection(user.scope(), id).orElseThrow(() -> TaxiiError.notFound("no collection '" + id + "'"));
  }

  private TaxiiStore.Collection readable(Context ctx, Directory.User user) {
    TaxiiStore.Collection c = visible(ctx, user);
    if (!c.canRead()) {
      throw TaxiiError.forbidden("no read access to collection '" + c.id() + "'");
    }
    return c;
  }

  /** The server's TAXII base URL as the client reached it (scheme, Host and port of the request). */
  private static String base(Context ctx) {
    String url = ctx.url();
    int at = url.indexOf("/taxii2");
    return (at < 0 ? url : url.substring(0, at)) + "/taxii2/";
  }

  // ---- server information ----

  private void discovery(Context ctx, Directory.User user) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", config.title());
    putText(m, "description", config.description());
    putText(m, "contact", config.contact());
    m.put("default", base(ctx) + config.root() + "/");
    m.put("api_roots", List.of(base(ctx) + config.root() + "/"));
    ok(ctx, 200, m);
  }

  private void apiRoot(Context ctx, Directory.User user) {
    root(ctx);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", config.title() + " (" + config.root() + ")");
    putText(m, "description", "Indicators shared by " + identity);
    m.put("versions", List.of(MEDIA));
    m.put("max_content_length", maxContent());
    ok(ctx, 200, m);
  }

  private long maxContent() {
    return (long) Math.max(1, config.maxContentMb()) << 20;
  }

  private void status(Context ctx, Directory.User user) {
    root(ctx);
    TaxiiStore.Status s = store.status(user.scope(), user.name(), ctx.pathParam("status"))
        .orElseThrow(() -> TaxiiError.notFound("no status '" + ctx.pathParam("status") + "'"));
    ok(ctx, 200, TaxiiCollections.status(s));
  }

  // ---- collections ----

  private void collectionList(Context ctx, Directory.User user) {
    root(ctx);
    List<Map<String, Object>> list = store.collections(user.scope()).stream().map(TaxiiRoutes::collectionJson).toList();
    ok(ctx, 200, list.isEmpty() ? Map.of() : Map.of("collections", list));
  }

  private void collection(Context ctx, Directory.User user) {
    ok(ctx, 200, collectionJson(visible(ctx, user)));
  }

  static Map<String, Object> collectionJson(TaxiiStore.Collection c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("title", c.title());
    putText(m, "description", c.description());
    putText(m, "alias", c.alias());
    m.put("can_read", c.canRead());
    m.put("can_write", c.canWrite());
    m.put("media_types", List.of(TaxiiCollections.STIX_MEDIA));
    return m;
  }

  private static void putText(Map<String, Object> m, String key, String v) {
    if (v != null && !v.isEmpty()) {
      m.put(key, v);
    }
  }

  // ---- objects ----

  private void objects(Context ctx, Directory.User user) throws IOException {
    TaxiiStore.Collection c = readable(ctx, user);
    TaxiiStore.ObjectPage page = store.objects(user.scope(), c.id(), query(ctx, null, true, "last"));
    envelope(ctx, page);
  }

  private void object(Context ctx, Directory.User user) throws IOException {
    TaxiiStore.Collection c = readable(ctx, user);
    TaxiiStore.ObjectPage page = store.objects(user.scope(), c.id(), query(ctx, ctx.pathParam("object"), true,
        "last"));
    if (page.items().isEmpty()) {
      throw TaxiiError.notFound("no object '" + ctx.pathParam("object") + "' in collection '" + c.id() + "'");
    }
    envelope(ctx, page);
  }

  private void envelope(Context ctx, TaxiiStore.ObjectPage page) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("more", page.more());
    if (page.more()) {
      m.put("next", Long.toString(last(page)));
    }
    if (!page.items().isEmpty()) {
      List<JsonNode> objects = new ArrayList<>(page.items().size());
      for (TaxiiStore.StoredObject o : page.items()) {
        objects.add(TaxiiCollections.JSON.readTree(o.json()));
      }
      m.put("objects", objects);
    }
    dateHeaders(ctx, page);
    ok(ctx, 200, m);
  }

  private void manifest(Context ctx, Directory.User user) {
    TaxiiStore.Collection c = readable(ctx, user);
    TaxiiStore.ObjectPage page = store.objects(user.scope(), c.id(), query(ctx, null, false, "last"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("more", page.more());
    if (!page.items().isEmpty()) {
      List<Map<String, Object>> records = new ArrayList<>();
      for (TaxiiStore.StoredObject o : page.items()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", o.objectId());
        r.put("date_added", Timestamps.format(o.dateAdded()));
        r.put("version", version(o));
        r.put("media_type", TaxiiCollections.STIX_MEDIA);
        records.add(r);
      }
      m.put("objects", records);
    }
    dateHeaders(ctx, page);
    ok(ctx, 200, m);
  }

  private void versions(Context ctx, Directory.User user) {
    TaxiiStore.Collection c = readable(ctx, user);
    TaxiiStore.ObjectQuery q = query(ctx, ctx.pathParam("object"), false, "all");
    q = new TaxiiStore.ObjectQuery(q.addedAfter(), q.ids(), List.of(), List.of("all"), q.specVersions(), q.limit(),
        false);
    TaxiiStore.ObjectPage page = store.objects(user.scope(), c.id(), q);
    if (page.items().isEmpty()) {
      throw TaxiiError.notFound("no object '" + ctx.pathParam("object") + "' in collection '" + c.id() + "'");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("more", page.more());
    m.put("versions", page.items().stream().map(TaxiiRoutes::version).toList());
    dateHeaders(ctx, page);
    ok(ctx, 200, m);
  }

  private static String version(TaxiiStore.StoredObject o) {
    return o.versionText().isEmpty() ? Timestamps.format(o.dateAdded()) : o.versionText();
  }

  private static long last(TaxiiStore.ObjectPage page) {
    return page.items().get(page.items().size() - 1).dateAdded();
  }

  private static void dateHeaders(Context ctx, TaxiiStore.ObjectPage page) {
    if (!page.items().isEmpty()) {
      ctx.header("X-TAXII-Date-Added-First", Timestamps.format(page.items().get(0).dateAdded()));
      ctx.header("X-TAXII-Date-Added-Last", Timestamps.format(last(page)));
    }
  }

  /** The TAXII filter parameters as a store query; 400 for malformed ones. */
  private TaxiiStore.ObjectQuery query(Context ctx, String objectId, boolean withObject, String defaultVersion) {
    return TaxiiRequest.query(ctx::queryParams, objectId, withObject, defaultVersion, config.pageSize());
  }

  // ---- adding objects ----

  private void addObjects(Context ctx, Directory.User user) throws IOException {
    TaxiiStore.Collection c = visible(ctx, user);
    if (!c.canWrite()) {
      throw TaxiiError.forbidden("no write access to collection '" + c.id() + "'");
    }
    String ct = ctx.header("Content-Type");
    if (ct == null || !isTaxii(ct)) {
      throw new TaxiiError(415, "Unsupported media type", "send the envelope as " + MEDIA + ", not '"
          + (ct == null ? "" : ct) + "'");
    }
    JsonNode envelope = envelope(ctx);
    ok(ctx, 202, collections.add(c, envelope.get("objects"), user.name(), sourceName(user)));
  }

  private JsonNode envelope(Context ctx) throws IOException {
    long max = maxContent();
    if (ctx.contentLength() > max) {
      throw tooLarge(max);
    }
    byte[] body;
    try (InputStream in = ctx.bodyInputStream()) {
      body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
    }
    if (body.length > max) {
      throw tooLarge(max);
    }
    return TaxiiRequest.envelope(body);
  }

  private static TaxiiError tooLarge(long max) {
    return new TaxiiError(413, "Content too large", "the envelope is larger than max_content_length (" + max
        + " bytes)");
  }

  /** The source name of indicators a user pushes: the partner's name, or the CERT's. */
  private String sourceName(Directory.User user) {
    if (user.partner() == null) {
      return identity;
    }
    return directory.partners().stream().filter(p -> p.id().equals(user.partner())).map(Directory.Partner::name)
        .findFirst().orElse(user.partner());
  }
}
