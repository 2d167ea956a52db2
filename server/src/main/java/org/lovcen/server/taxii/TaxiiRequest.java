package org.lovcen.server.taxii;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;
import org.lovcen.store.TaxiiStore;

/*
 * How and why: what a TAXII client sends, parsed apart from HTTP so that the parsing is a pure
 * function a fuzz target can drive (TaxiiQueryFuzzTest, TaxiiEnvelopeFuzzTest). A malformed
 * request is a TaxiiError with a 4xx status; anything else escaping would be a 500.
 */
/** Parses TAXII request parts: the filter and paging parameters, the add-objects envelope. Stateless. */
final class TaxiiRequest {
  private TaxiiRequest() {}

  /**
   * The filter parameters ({@code added_after}, {@code next}, {@code match[…]}, {@code limit}) as a
   * store query; TaxiiError 400 for malformed ones.
   *
   * @param params every value of a query parameter by name (an empty list when absent)
   * @param objectId the object of an object or versions endpoint, or null
   * @param defaultVersion the version filter when {@code match[version]} is absent
   * @param pageSize the most objects one answer holds
   */
  static TaxiiStore.ObjectQuery query(Function<String, List<String>> params, String objectId, boolean withObject,
      String defaultVersion, int pageSize) {
    Long after = timestamp(first(params, "added_after"), "added_after");
    String next = first(params, "next");
    if (next != null && !next.isEmpty()) {
      try {
        long n = Long.parseLong(next);
        after = after == null ? n : Math.max(after, n);
      } catch (NumberFormatException e) {
        throw TaxiiError.badRequest("next '" + next + "' is not a value this server gave");
      }
    }
    List<String> ids = objectId != null ? List.of(objectId) : list(params, "match[id]");
    List<String> versions = new ArrayList<>();
    for (String v : list(params, "match[version]")) {
      versions.add(v.equals("first") || v.equals("last") || v.equals("all") ? v
          : Long.toString(timestamp(v, "match[version]")));
    }
    if (versions.isEmpty()) {
      versions.add(defaultVersion);
    }
    return new TaxiiStore.ObjectQuery(after, ids, list(params, "match[type]"), versions,
        list(params, "match[spec_version]"), limit(first(params, "limit"), pageSize), withObject);
  }

  /**
   * The envelope of an add-objects request: TaxiiError 400 for malformed JSON, 422 unless it is an
   * object with a non-empty {@code objects} list.
   */
  static JsonNode envelope(byte[] body) {
    JsonNode n;
    try {
      n = TaxiiCollections.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw TaxiiError.badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw TaxiiError.badRequest("unreadable body: " + e.getMessage());
    }
    if (n == null || !n.isObject() || !n.path("objects").isArray()) {
      throw new TaxiiError(422, "Unprocessable content", "the body must be a TAXII envelope: an object with an "
          + "'objects' list");
    }
    if (n.get("objects").isEmpty()) {
      throw new TaxiiError(422, "Unprocessable content", "the envelope's 'objects' list is empty");
    }
    return n;
  }

  /** Whether a media type (with parameters) is application/taxii+json, unversioned or version 2.1. */
  static boolean isTaxii(String mediaType) {
    String[] parts = mediaType.split(";");
    if (parts.length == 0 || !parts[0].trim().equalsIgnoreCase("application/taxii+json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
      if (p.startsWith("version=") && !p.equals("version=2.1")) {
        return false;
      }
    }
    return true;
  }

  private static String first(Function<String, List<String>> params, String name) {
    List<String> v = params.apply(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static Long timestamp(String v, String name) {
    if (v == null || v.isEmpty()) {
      return null;
    }
    long t = Timestamps.parse(v);
    if (t == Event.NO_TIME || !v.endsWith("Z")) {
      throw TaxiiError.badRequest(name + " '" + v + "' is not an RFC 3339 UTC timestamp");
    }
    return t;
  }

  private static List<String> list(Function<String, List<String>> params, String name) {
    List<String> out = new ArrayList<>();
    List<String> values = params.apply(name);
    for (String v : values == null ? List.<String>of() : values) {
      for (String s : v.split(",")) {
        if (!s.trim().isEmpty()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  private static int limit(String v, int pageSize) {
    int max = Math.max(1, pageSize);
    if (v == null || v.isEmpty()) {
      return max;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return Math.min(n, max);
    } catch (NumberFormatException e) {
      throw TaxiiError.badRequest("limit '" + v + "' is not a positive whole number");
    }
  }
}
