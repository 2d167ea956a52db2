package org.lovcen.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/*
 * How and why: Swagger UI for the OpenAPI document, served from the org.webjars:swagger-ui jar
 * on the class path, so the docs work on a server without internet access and load nothing from a
 * CDN. The page and its initializer are Lovcen's own (the WebJar's initializer points at a demo
 * API on the internet); only a fixed list of the WebJar's assets is served, so nothing else in it
 * can be reached. The validator badge is off: it would send the document to an outside service.
 */
/** Swagger UI at {@code /api/docs}, reading {@code /api/v1/openapi.json}. Thread-safe (stateless). */
final class ApiDocs {
  static final String PATH = "/api/docs";
  private static final String OWN = "docs/";
  private static final String POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  /** The WebJar's assets that the page uses, with their content types. */
  private static final Map<String, String> ASSETS = Map.of(
      "swagger-ui.css", "text/css; charset=utf-8",
      "index.css", "text/css; charset=utf-8",
      "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
      "favicon-32x32.png", "image/png",
      "favicon-16x16.png", "image/png");
  private static final String INITIALIZER = "lovcen-docs.js";
  /** The WebJar's folder on the class path, or null when the jar is missing. */
  private static final String WEBJAR = webjarFolder();

  private ApiDocs() {}

  /** GET /api/docs (and /api/docs/): the page; its links are absolute, so either path works. */
  static void page(Context ctx) {
    InputStream in = ApiDocs.class.getResourceAsStream(OWN + "index.html");
    ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        + "frame-ancestors 'none'");
    ctx.contentType("text/html; charset=utf-8").result(in);
  }

  /** GET /api/docs/{file}: the initializer or one of the WebJar's assets. */
  static void asset(Context ctx) {
    String file = ctx.pathParam("file");
    if (file.equals(INITIALIZER)) {
      ctx.contentType("text/javascript; charset=utf-8").result(ApiDocs.class.getResourceAsStream(OWN + INITIALIZER));
      return;
    }
    String type = ASSETS.get(file);
    InputStream in = type == null || WEBJAR == null ? null
        : ApiDocs.class.getClassLoader().getResourceAsStream(WEBJAR + file);
    if (in == null) {
      throw ApiError.notFound("'" + file + "'");
    }
    ctx.contentType(type).result(in);
  }

  private static String webjarFolder() {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(POM)) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      return "META-INF/resources/webjars/swagger-ui/" + p.getProperty("version") + "/";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
