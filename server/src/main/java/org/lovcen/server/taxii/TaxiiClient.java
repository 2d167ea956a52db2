package org.lovcen.server.taxii;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Timestamps;
import org.lovcen.server.ServeConfig;

/**
 * Reads the objects of one partner's TAXII 2.1 collection, a page at a time (Get Objects with
 * added_after, limit and next), over plain java.net.http. Thread-safe.
 */
final class TaxiiClient {
  /**
   * One page of objects.
   *
   * @param next the server's next token when it gave one, else null
   * @param lastAdded X-TAXII-Date-Added-Last in micros, or -1 when the server sent none
   */
  record Page(List<JsonNode> objects, boolean more, String next, long lastAdded) {}

  private final ServeConfig.Feed feed;
  private final HttpClient http;
  private final URI objects;

  TaxiiClient(ServeConfig.Feed feed, HttpClient http) {
    this.feed = feed;
    this.http = http;
    this.objects = URI.create(collectionUrl(feed) + "objects/");
  }

  /** The collection's URL from the feed: its url when that names a collection, else root + collections/id/. */
  static String collectionUrl(ServeConfig.Feed f) {
    if (f.url() == null || f.url().isBlank()) {
      throw new LovcenException("taxii.feeds: feed '" + f.name() + "' has no url");
    }
    String u = f.url().endsWith("/") ? f.url() : f.url() + "/";
    if (u.matches(".*/collections/[^/]+/$")) {
      return u;
    }
    if (f.collection() == null || f.collection().isBlank()) {
      throw new LovcenException("taxii.feeds: feed '" + f.name() + "' names an API root but no collection");
    }
    return u + "collections/" + f.collection() + "/";
  }

  /** Reads one page of objects added after {@code addedAfter} (micros, or null), continuing {@code next}. */
  Page objects(Long addedAfter, String next, int limit) throws IOException, InterruptedException {
    StringBuilder q = new StringBuilder("?limit=").append(limit);
    if (addedAfter != null) {
      q.append("&added_after=").append(encode(Timestamps.format(addedAfter)));
    }
    if (next != null) {
      q.append("&next=").append(encode(next));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(objects + q.toString())).timeout(Duration.ofMinutes(2))
        .header("Accept", TaxiiRoutes.MEDIA).GET();
    authenticate(b);
    HttpResponse<byte[]> res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (res.statusCode() != 200) {
      throw new IOException("GET " + objects + " answered " + res.statusCode() + ": " + describe(res.body()));
    }
    JsonNode env = TaxiiCollections.JSON.readTree(res.body());
    if (env == null || !env.isObject()) {
      throw new IOException("GET " + objects + " did not answer a TAXII envelope");
    }
    List<JsonNode> out = new ArrayList<>();
    env.path("objects").forEach(out::add);
    String token = env.path("next").isTextual() ? env.get("next").asText() : null;
    long last = res.headers().firstValue("X-TAXII-Date-Added-Last").map(Timestamps::parse).orElse(Event.NO_TIME);
    return new Page(out, env.path("more").asBoolean(false), token, last == Event.NO_TIME ? -1 : last);
  }

  private void authenticate(HttpRequest.Builder b) {
    if (feed.apiKeyHeader() != null && !feed.apiKeyHeader().isBlank()) {
      b.header(feed.apiKeyHeader(), feed.apiKey() == null ? "" : feed.apiKey());
    } else if (feed.user() != null && !feed.user().isBlank()) {
      String pair = feed.user() + ":" + (feed.password() == null ? "" : feed.password());
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
  }

  private static String describe(byte[] body) {
    try {
      JsonNode e = TaxiiCollections.JSON.readTree(body);
      if (e != null && e.has("title")) {
        return e.path("title").asText() + (e.has("description") ? ": " + e.path("description").asText() : "");
      }
    } catch (IOException ignored) {
      // not JSON: fall through to the text
    }
    String s = new String(body, StandardCharsets.UTF_8);
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
