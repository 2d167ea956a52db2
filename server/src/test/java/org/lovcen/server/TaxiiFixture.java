package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test helpers for the TAXII endpoints: requests with exact TAXII headers and Basic or bearer
 * credentials, partners and their users, collections, and STIX objects.
 */
final class TaxiiFixture {
  static final String TAXII = "application/taxii+json;version=2.1";
  static final String ROOT = "/taxii2/lovcen/";
  static final String CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
  static final String GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
  static final String AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
  static final String AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
  static final String RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

  private final TestServer s;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final String admin;

  TaxiiFixture(TestServer s) {
    this.s = s;
    this.admin = s.admin();
  }

  /** HTTP Basic credentials of a user created with {@link TestServer#user}. */
  static String basic(String name) {
    return "Basic " + Base64.getEncoder().encodeToString((name + ":" + name + "-long-password")
        .getBytes(StandardCharsets.UTF_8));
  }

  static String bearer(String token) {
    return "Bearer " + token;
  }

  /** GET with Accept: TAXII and {@code auth} as the Authorization header (null for none). */
  TestServer.Response get(String path, String auth) {
    return get(path, auth, TAXII);
  }

  TestServer.Response get(String path, String auth, String accept) {
    HttpRequest.Builder b = request(path, auth);
    if (accept != null) {
      b.header("Accept", accept);
    }
    return send(b.GET().build());
  }

  /** POST of a body with a Content-Type (null for none) and Accept: TAXII. */
  TestServer.Response post(String path, String auth, String contentType, String body) {
    HttpRequest.Builder b = request(path, auth).header("Accept", TAXII)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.build());
  }

  /** POSTs an envelope of {@code objects} to a collection. */
  TestServer.Response add(String collection, String auth, List<String> objects) {
    return post(ROOT + "collections/" + collection + "/objects/", auth, TAXII,
        "{\"objects\": [" + String.join(",", objects) + "]}");
  }

  private HttpRequest.Builder request(String path, String auth) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url + path)).timeout(Duration.ofSeconds(60));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return b;
  }

  private TestServer.Response send(HttpRequest r) {
    try {
      HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
      return new TestServer.Response(res.statusCode(), res.headers().map(), res.body());
    } catch (IOException e) {
      throw new AssertionError(r.method() + " " + r.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- set-up ----

  void partner(String id) {
    TestServer.Response r = s.postJson("/api/v1/partners", admin, Map.of("id", id, "name", "Partner " + id));
    if (r.status() != 201) {
      throw new AssertionError("partner: " + r.status() + " " + r.body());
    }
  }

  /** A partner user (named {@code name}) of partner {@code partner}; returns their session token. */
  String partnerUser(String name, String partner) {
    return s.user(admin, name, "partner", null, partner);
  }

  /** Creates a collection as admin; returns its id. */
  String collection(String title, String maxTlp, String defaultTlp, List<String> read, List<String> write) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", title);
    m.put("description", "test collection " + title);
    m.put("max_tlp", maxTlp);
    m.put("default_tlp", defaultTlp);
    m.put("read", read);
    m.put("write", write);
    TestServer.Response r = s.postJson("/api/v1/taxii/collections", admin, m);
    if (r.status() != 201) {
      throw new AssertionError("collection: " + r.status() + " " + r.body());
    }
    return r.json().get("id").asText();
  }

  // ---- STIX objects ----

  /** An indicator for an IPv4 address, with a marking (null for none) and a modified time. */
  static String indicator(String uuid, String ip, String marking, String modified) {
    return "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--" + uuid + "\", "
        + "\"created\": \"2026-01-01T00:00:00.000Z\", \"modified\": \"" + modified + "\", "
        + "\"name\": \"C2 " + ip + "\", \"pattern\": \"[ipv4-addr:value = '" + ip + "']\", "
        + "\"pattern_type\": \"stix\", \"valid_from\": \"2020-01-01T00:00:00Z\""
        + (marking == null ? "" : ", \"object_marking_refs\": [\"" + marking + "\"]") + "}";
  }

  static String indicator(String ip, String marking) {
    return indicator(UUID.nameUUIDFromBytes(ip.getBytes(StandardCharsets.UTF_8)).toString(), ip, marking,
        "2026-01-01T00:00:00.000Z");
  }

  /** {@code n} indicators 203.0.113.{first}… with the given marking. */
  static List<String> indicators(int first, int n, String marking) {
    List<String> out = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      out.add(indicator("203.0.113." + i, marking));
    }
    return out;
  }

  static String id(String object) {
    try {
      return TestServer.JSON.readTree(object).get("id").asText();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The ids of an envelope's objects, in order. */
  static List<String> ids(JsonNode envelope) {
    List<String> out = new ArrayList<>();
    envelope.path("objects").forEach(o -> out.add(o.get("id").asText()));
    return out;
  }
}
