package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Swagger UI at /api/docs: the page, its assets from the WebJar, and nothing from other sites. */
class OpenApiSwaggerUiTest {
  private static final Pattern LINK = Pattern.compile("(?:src|href)=\"([^\"]+)\"");
  @TempDir static Path dir;
  private static TestServer s;

  @BeforeAll
  static void start() {
    s = TestServer.start("sqlite", dir);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @Test
  void page_loadsEveryAssetFromThisServer() {
    TestServer.Response page = s.get("/api/docs/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("<div id=\"swagger-ui\"></div>");
    assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'");
    List<String> links = new ArrayList<>();
    Matcher m = LINK.matcher(page.body());
    while (m.find()) {
      links.add(m.group(1));
    }
    assertThat(links).contains("/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-ui.css", "/api/docs/lovcen-docs.js")
        .allSatisfy(l -> assertThat(l).startsWith("/api/docs/"));
    for (String link : links) {
      TestServer.Response r = s.get(link, null);
      assertThat(r.status()).as(link).isEqualTo(200);
      assertThat(r.body()).as(link).isNotEmpty();
      String type = link.endsWith(".js") ? "text/javascript" : link.endsWith(".css") ? "text/css" : "image/png";
      assertThat(r.header("Content-Type")).as(link).startsWith(type);
    }
    assertThat(s.get("/api/docs/swagger-ui-bundle.js", null).body()).contains("SwaggerUIBundle");
  }

  @Test
  void initializer_readsThisServersDocument_withoutTheOutsideValidator() {
    String js = s.get("/api/docs/lovcen-docs.js", null).body();
    assertThat(js).contains("url: \"/api/v1/openapi.json\"").contains("validatorUrl: null").doesNotContain("http");
    TestServer.Response doc = s.get("/api/v1/openapi.json", null);
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.json().get("openapi").asText()).isEqualTo("3.1.0");
  }

  @Test
  void docsWithoutSlash_servesThePage() {
    TestServer.Response page = s.get("/api/docs", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui-bundle.js");
  }

  @Test
  void otherFilesOfTheWebJar_areNotServed() {
    // the WebJar's own index.html and initializer point at a demo API on the internet
    for (String file : List.of("index.html", "swagger-initializer.js", "oauth2-redirect.html", "..",
        "%2e%2e%2fpom.xml")) {
      TestServer.Response r = s.get("/api/docs/" + file, null);
      assertThat(r.status()).as(file).isEqualTo(404);
    }
  }
}
