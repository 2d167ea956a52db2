package org.lovcen.server.taxii;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.store.Database;
import org.lovcen.store.Scope;
import org.lovcen.store.TaxiiStore;

/**
 * Fuzz target for the TAXII server's request parsing: the Accept media types, and the filter and
 * paging parameters ({@code added_after}, {@code next}, {@code limit},
 * {@code match[id|type|version|spec_version]}). The first byte picks the endpoint (objects,
 * manifest, one object, its versions); the rest is an optional Accept header line, then a query
 * string, decoded as the HTTP server does and parsed by {@link TaxiiRequest#query}; the query then
 * runs against a real SQLite store holding a few objects. A plain test run replays the seeds in
 * {@code TaxiiQueryFuzzTestInputs/fuzzQuery}; the {@code fuzz} profile mutates from them
 * (docs/FUZZING.md). A refusal must be a 400 TaxiiError; anything else escaping, a page longer
 * than its limit, or a hang is a finding.
 */
class TaxiiQueryFuzzTest {
  private static final int PAGE_SIZE = 3;
  private static TaxiiStore store;

  @FuzzTest(maxDuration = "60s")
  void fuzzQuery(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int endpoint = input[0] & 3;
    String text = new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
    int eol = text.indexOf('\n');
    if (eol >= 0) {
      for (String mediaType : text.substring(0, eol).split(",")) {
        TaxiiRequest.isTaxii(mediaType); // the Accept header's check
      }
      text = text.substring(eol + 1);
    }
    Map<String, List<String>> params = params(text);
    String object = endpoint >= 2 ? "indicator--6b1a4b5e-3c2d-4e5f-8a9b-0c1d2e3f4a5b" : null;
    TaxiiStore.ObjectQuery q;
    try {
      q = TaxiiRequest.query(name -> params.getOrDefault(name, List.of()), object, endpoint != 1,
          endpoint == 3 ? "all" : "last", PAGE_SIZE);
    } catch (TaxiiError e) {
      if (e.status != 400) {
        throw new IllegalStateException("a malformed query answered " + e.status, e);
      }
      return;
    }
    if (q.limit() < 1 || q.limit() > PAGE_SIZE) {
      throw new IllegalStateException("limit " + q.limit() + " outside 1.." + PAGE_SIZE);
    }
    TaxiiStore.ObjectPage page = store().objects(Scope.NATIONAL, "c1", q);
    if (page.items().size() > q.limit()) {
      throw new IllegalStateException(page.items().size() + " objects on a page of " + q.limit());
    }
  }

  /** The query string's parameters, decoded leniently like the HTTP server (a stray % stays). */
  static Map<String, List<String>> params(String query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  private static String decode(String s) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int hex = i + 2 < s.length() && c == '%' ? hex(s.charAt(i + 1), s.charAt(i + 2)) : -1;
      if (hex >= 0) {
        b.write(hex);
        i += 2;
      } else if (c == '+') {
        b.write(' ');
      } else {
        byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        b.write(raw, 0, raw.length);
      }
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char a, char b) {
    int hi = Character.digit(a, 16);
    int lo = Character.digit(b, 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  /** One SQLite store for the whole run, with a collection of three versions of two objects. */
  private static synchronized TaxiiStore store() {
    if (store == null) {
      try {
        Path dir = Files.createTempDirectory("taxii-fuzz");
        dir.toFile().deleteOnExit();
        Database db = Database.open(dir.resolve("lovcen.db").toString(), 2);
        store = new TaxiiStore(db);
        store.createCollection(new TaxiiStore.Collection("c1", "Fuzz", "", "fuzz", 4, 2, true, true, 0), List.of());
        String id = "indicator--6b1a4b5e-3c2d-4e5f-8a9b-0c1d2e3f4a5b";
        store.addObjects("c1", List.of(
            new TaxiiStore.NewObject(id, "indicator", "2.1", 1_700_000_000_000_000L, "2023-11-14T22:13:20Z", 0, "{}"),
            new TaxiiStore.NewObject(id, "indicator", "2.1", 1_700_000_100_000_000L, "2023-11-14T22:15:00Z", 2, "{}"),
            new TaxiiStore.NewObject("malware--0c1d2e3f-4a5b-4e5f-8a9b-6b1a4b5e3c2d", "malware", "2.1", 0, "", 0,
                "{}")), 1_750_000_000_000_000L);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return store;
  }
}
