package org.lovcen.server;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/*
 * How and why: the analyst's web UI is one page of Lovcen's own HTML, CSS and JavaScript (in
 * resources ui/) that talks to the public REST API with the session cookie (UiSession); pages are
 * drawn in the browser from the API's JSON, and the hash part of the address names the page
 * (/ui#/incidents/12), so every view has a link. The third-party files, uPlot (time-series
 * charts) and Apache ECharts (the campaign graph), come from their WebJars on the class path:
 * nothing is fetched from elsewhere, at build or at run time, and only a fixed list of files can
 * be reached. The Content-Security-Policy
 * allows scripts and styles from this server only.
 */
/** The web UI at {@code /ui} (and {@code /} leads there). Thread-safe (stateless). */
final class Ui {
  static final String PATH = "/ui";
  private static final String OWN = "ui/";
  private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  /** Lovcen's own files, with their content types. */
  private static final Map<String, String> FILES = Map.of(
      "app.js", "text/javascript; charset=utf-8",
      "app.css", "text/css; charset=utf-8",
      "favicon.svg", "image/svg+xml");
  /** The WebJars' files that the page uses, each with its content type and dist folder. */
  private record Library(String type, String folder) {}

  private static final Map<String, Library> LIBRARY = Map.of(
      "uPlot.iife.min.js", new Library("text/javascript; charset=utf-8", webjarFolder("uplot")),
      "uPlot.min.css", new Library("text/css; charset=utf-8", webjarFolder("uplot")),
      "echarts.min.js", new Library("text/javascript; charset=utf-8", webjarFolder("echarts")));

  private Ui() {}

  static void register(Javalin app) {
    app.get("/", ctx -> ctx.status(302).header("Location", PATH + "/"));
    app.get(PATH, Ui::page);
    app.get(PATH + "/{file}", Ui::asset);
  }

  /** GET /ui (and /ui/): the page. */
  static void page(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.contentType("text/html; charset=utf-8").result(Ui.class.getResourceAsStream(OWN + "index.html"));
  }

  /** GET /ui/{file}: one of the page's own files or of a chart library's. */
  static void asset(Context ctx) {
    String file = ctx.pathParam("file");
    InputStream in = null;
    String type = FILES.get(file);
    Library lib = LIBRARY.get(file);
    if (type != null) {
      in = Ui.class.getResourceAsStream(OWN + file);
    } else if (lib != null && lib.folder() != null) {
      type = lib.type();
      in = Ui.class.getClassLoader().getResourceAsStream(lib.folder() + file);
    }
    if (in == null) {
      throw ApiError.notFound("'" + file + "'");
    }
    ctx.contentType(type).result(in);
  }

  /** The dist folder of the npm WebJar {@code name} on the class path, or null when the jar is missing. */
  private static String webjarFolder(String name) {
    try (InputStream in = Ui.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/" + name
        + "/pom.properties")) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      return "META-INF/resources/webjars/" + name + "/" + p.getProperty("version") + "/dist/";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
