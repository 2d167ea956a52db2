package org.lovcen.intel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/**
 * The optimised loader (streaming STIX reader, list reader, flat-table merging) against the
 * plain reference loader it replaced ({@link ReferenceLoader}) on a seeded feed of several
 * partners: STIX bundles with versions, equal timestamps, revocations, markings, identities and
 * malformed objects, a CSV file, a plain list and a MISP event, all sharing values. Both must read
 * the same indicators and reports, merge them into the same live set, find the same ids and raise
 * the same alerts on events that hit, miss and fall outside validity.
 */
class LoaderDifferentialTest {
  private static final String[] TIMES = {"2022-08-01T00:00:00Z", "2022-08-01T00:00:00.000Z", "2022-09-01T12:00:00Z",
      "2023-01-01T00:00:00Z"};
  private static final String[] LABELS = {"c2", "phishing", "ransomware", "apt-x", "tlp-none"};
  private static final String[] TLP = {Marking.CLEAR.stixId(), Marking.GREEN.stixId(), Marking.AMBER.stixId(),
      Marking.RED.stixId(), "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
      "marking-definition--0a2e1b5f-0000-4000-8000-000000000001"};

  @Test
  void seededFeed_loadsMergesAndMatchesLikeTheReference(@TempDir Path dir) throws IOException {
    for (long seed : new long[] {20220822, 7, 42}) {
      Path d = Files.createDirectories(dir.resolve("seed" + seed));
      Feed feed = new Feed(new Random(seed));
      List<Path> files = feed.write(d);
      compare(files, feed);
    }
  }

  @Test
  void patternShortcut_givesWhatTheParserGives_orTheSameError() {
    Random r = new Random(3);
    String[] paths = {"ipv4-addr:value", "ipv6-addr:value", "domain-name:value", "url:value", "file:hashes.MD5",
        "file:hashes.'SHA-1'", "file:hashes.'SHA-256'", "file:hashes.'SHA-512'", "file:name", "url:values",
        "file:hashes.md5", "file:hashes.'SHA-256'.x", "file:name[0]", "network-traffic:dst_ref.value", "file :name"};
    String[] values = {"198.51.100.7", "198.051.100.7", "10.1.2.3/24", "2001:DB8::1", "Example.COM.", "http://a.b:80/x",
        "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "mk64.exe", "it\\'s", "",
        "a b", "300.1.1.1"};
    String[] fitting = {"198.51.100.7", "2001:DB8::1", "Example.COM.", "http://a.b:80/x",
        "d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "0".repeat(128), "mk64.exe"};
    String[] glue = {"", " ", "  ", "\t"};
    String[] tails = {"", "", "", " ", " AND file:name = 'x'", " OR url:value = 'http://x/'",
        "] OR [file:name = 'y'", "] WITHIN 5 SECONDS", "]x", "NOT"};
    int n = 0;
    for (int i = 0; i < 4000; i++) {
      String g = glue[r.nextInt(glue.length)];
      String tail = tails[r.nextInt(tails.length)];
      int p = r.nextInt(paths.length);
      String value = p < fitting.length && r.nextBoolean() ? fitting[p] : values[r.nextInt(values.length)];
      String text = g + "[" + g + paths[p] + g + (r.nextInt(10) == 0 ? "!=" : "=") + g + "'" + value + "'" + g
          + (tail.startsWith("]") ? tail : tail + "]" + g);
      Object fast;
      Object full;
      try {
        fast = Pattern.clausesOf(text);
      } catch (IntelException e) {
        fast = e.getMessage() + e.unsupported();
      }
      try {
        full = Pattern.parse(text).clauses();
      } catch (IntelException e) {
        full = e.getMessage() + e.unsupported();
      }
      assertThat(fast).as(text).isEqualTo(full);
      n += fast instanceof List ? 1 : 0;
    }
    assertThat(n).as("patterns that parse").isGreaterThan(400);
  }

  @Test
  void addressShortcuts_normaliseAsTheFormatters() {
    Random r = new Random(11);
    for (int i = 0; i < 20000; i++) {
      int a = r.nextInt();
      String dotted = ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
      String padded = dotted.replace(".", r.nextBoolean() ? ".0" : ".");
      for (String v : new String[] {dotted, padded}) {
        long parsed = Observables.parseIpv4(v, 0, v.length());
        String want = parsed < 0 ? null : Observables.formatIpv4((int) parsed);
        String got;
        try {
          got = Observables.normalise(ObservableType.IPV4, v);
        } catch (IntelException e) {
          got = null;
        }
        assertThat(got).as(v).isEqualTo(want);
      }
      long hi = r.nextInt(3) == 0 ? 0 : r.nextLong() & (r.nextBoolean() ? 0xFFFF00000000FFFFL : -1L);
      long lo = r.nextInt(3) == 0 ? 0 : r.nextLong() & (r.nextBoolean() ? 0x0000FFFF00FF0000L : -1L);
      assertThat(Observables.formatIpv6(hi, lo)).isEqualTo(referenceIpv6(hi, lo));
    }
  }

  @Test
  void derivedIds_areTheNameBasedUuidsOfTheClauses() {
    Random r = new Random(5);
    Source src = new Source("s", "", -1, Marking.NONE, -1);
    String[] names = {"a.exe", "ünïcode.exe", "日本.exe", "x"};
    for (int i = 0; i < 3000; i++) {
      List<List<Observable>> clauses = new ArrayList<>();
      for (int c = 0; c <= r.nextInt(3); c++) {
        List<Observable> clause = new ArrayList<>();
        for (int t = 0; t <= r.nextInt(2); t++) {
          clause.add(r.nextBoolean() ? new Observable(ObservableType.FILE_NAME, names[r.nextInt(names.length)] + i)
              : new Observable(ObservableType.IPV4, "10.0." + r.nextInt(256) + "." + r.nextInt(256)));
        }
        clauses.add(clause);
      }
      StringBuilder b = new StringBuilder();
      for (List<Observable> c : clauses) {
        for (Observable o : c) {
          b.append(o.type()).append('=').append(o.value()).append(';');
        }
        b.append('|');
      }
      String want = "indicator--" + UUID.nameUUIDFromBytes(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Indicator ind = new Indicator(null, "", "", clauses, Long.MIN_VALUE, Long.MAX_VALUE, false, List.of(), List.of(),
          List.of(), "", List.of(), "", List.of(src));
      assertThat(ind.id()).isEqualTo(want);
    }
  }

  /** RFC 5952 text as the formatter wrote it before: groups through {@link Integer#toHexString}. */
  private static String referenceIpv6(long hi, long lo) {
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
      g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
    }
    int best = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == best) {
        b.append("::");
        i += bestLen - 1;
        continue;
      }
      if (!b.isEmpty() && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(g[i]));
    }
    return b.toString();
  }

  private static void compare(List<Path> files, Feed feed) throws IOException {
    ReferenceLoader.Result ref = ReferenceLoader.load(files);
    Intel.Loaded fast = Intel.load(files);
    assertThat(fast.reports()).isEqualTo(ref.reports());
    assertThat(fast.indicators()).isEqualTo(ref.indicators());
    List<Indicator> live = ReferenceLoader.merge(ref.indicators());
    IndicatorSet set = fast.compile();
    assertThat(set.indicators()).isEqualTo(live);
    assertThat(live.size()).as("merging must have work to do").isLessThan(ref.indicators().size() * 9 / 10);
    Map<String, Indicator> byId = new HashMap<>();
    live.forEach(i -> byId.put(i.id(), i));
    for (Indicator i : ref.indicators()) {
      assertThat(set.find(i.id())).as(i.id()).isEqualTo(byId.get(i.id()));
    }
    IndicatorMatcher m = set.matcher();
    IndicatorMatcher reference = IndicatorSet.compile(live).matcher();
    int hits = 0;
    for (Event e : feed.events()) {
      List<Alert> got = new ArrayList<>();
      m.match(e, got::add);
      List<Alert> want = new ArrayList<>();
      reference.match(e, want::add);
      assertThat(got).isEqualTo(want);
      Set<String> ids = new TreeSet<>();
      got.forEach(a -> ids.add(a.ruleId()));
      assertThat(ids).as("%s", e).isEqualTo(linear(live, e));
      hits += got.size();
    }
    assertThat(hits).as("the events must hit").isGreaterThan(feed.events().size() / 4);
  }

  /** Ids of live indicators of which some clause holds entirely in the event: one at a time, no tables. */
  private static Set<String> linear(List<Indicator> live, Event e) {
    Set<String> out = new TreeSet<>();
    for (Indicator i : live) {
      long t = e.timestamp();
      if (t != Event.NO_TIME && (t < i.validFrom() || t >= i.validUntil())) {
        continue;
      }
      for (List<Observable> c : i.clauses()) {
        if (Verifier.all(c.toArray(new Observable[0]), e)) {
          out.add(i.id());
        }
      }
    }
    return out;
  }

  /** A seeded feed: values shared between the files of several partners, and events built from them. */
  private static final class Feed {
    private final Random r;
    private final List<String[]> values = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    Feed(Random r) {
      this.r = r;
      for (int i = 0; i < 300; i++) {
        values.add(value(i));
      }
    }

    /** {type, raw value as a partner spells it, STIX path, MISP type}. */
    private String[] value(int i) {
      return switch (i % 9) {
        case 0 -> new String[] {"ipv4", (1 + r.nextInt(223)) + "." + r.nextInt(4) + ".0." + r.nextInt(256),
            "ipv4-addr:value", "ip-dst"};
        case 1 -> new String[] {"ipv4", "10." + r.nextInt(8) + "." + r.nextInt(4) + "." + r.nextInt(9) + "/"
            + (16 + r.nextInt(17)), "ipv4-addr:value", "ip-dst"};
        case 2 -> new String[] {"ipv6", "2001:DB8:" + Integer.toHexString(r.nextInt(16)) + "::"
            + Integer.toHexString(r.nextInt(300)), "ipv6-addr:value", "ip-dst"};
        case 3 -> new String[] {"domain", (r.nextBoolean() ? "" : "api.") + "d" + r.nextInt(60)
            + (r.nextBoolean() ? ".Example.NET" : ".example.net."), "domain-name:value", "domain"};
        case 4 -> new String[] {"url", (r.nextBoolean() ? "HTTP" : "http") + "://u" + r.nextInt(40) + ".example.biz"
            + (r.nextBoolean() ? ":80" : "") + "/p/" + r.nextInt(5), "url:value", "url"};
        case 5 -> new String[] {"md5", hex(32), "file:hashes.MD5", "md5"};
        case 6 -> new String[] {"sha256", hex(64), "file:hashes.'SHA-256'", "sha256"};
        case 7 -> new String[] {"sha1", hex(40), "file:hashes.'SHA-1'", "sha1"};
        default -> new String[] {"filename", "f" + r.nextInt(50) + ".exe", "file:name", "filename"};
      };
    }

    private String hex(int n) {
      StringBuilder b = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        b.append(Character.forDigit(r.nextInt(16), 16));
      }
      return r.nextInt(4) == 0 ? b.toString().toUpperCase(Locale.ROOT) : b.toString();
    }

    private String[] any() {
      return values.get(r.nextInt(values.size()));
    }

    List<Path> write(Path dir) throws IOException {
      List<Path> files = new ArrayList<>();
      String csv = csv();
      for (String partner : new String[] {"partner-a", "partner-b", "taxii-c"}) {
        files.add(Files.writeString(dir.resolve(partner + ".json"), bundle(partner, csv)));
      }
      String broken = bundle("partner-d", csv);
      int cut = broken.indexOf("{\"type\": \"indicator\"", broken.length() * 7 / 10);
      files.add(Files.writeString(dir.resolve("broken.json"), broken.substring(0, cut) + "{\"type\": ,, "
          + broken.substring(cut)));
      files.add(Files.writeString(dir.resolve("iocs.csv"), csv));
      files.add(Files.writeString(dir.resolve("plain.txt"), list()));
      files.add(Files.writeString(dir.resolve("event.json"), misp()));
      for (int i = 0; i < 600; i++) {
        events.add(event(any()));
      }
      return files;
    }

    List<Event> events() {
      return events;
    }

    private String bundle(String partner, String csv) {
      String identity = "identity--" + new UUID(r.nextLong(), r.nextLong());
      StringBuilder b = new StringBuilder("{\"type\": \"bundle\", \"id\": \"bundle--" + new UUID(r.nextLong(),
          r.nextLong()) + "\", \"objects\": [\n");
      String identityObject = "{\"type\": \"identity\", \"id\": \"" + identity + "\", \"name\": \"" + partner
          + " CERT\"}";
      boolean identityFirst = r.nextBoolean();
      if (identityFirst) {
        b.append(identityObject).append(",\n");
      }
      for (int i = 0; i < 400; i++) {
        b.append(object(identity, csv)).append(",\n");
      }
      b.append("\"not an object\",\n{\"type\": \"malware\", \"id\": \"malware--1\", \"name\": \"x\", \"is_family\": true}");
      if (!identityFirst) {
        b.append(",\n").append(identityObject);
      }
      return b.append("\n]}\n").toString();
    }

    private String object(String identity, String csv) {
      int kind = r.nextInt(40);
      String id = kind < 8 && !ids.isEmpty() ? ids.get(r.nextInt(ids.size()))
          : "indicator--" + new UUID(r.nextLong(), r.nextLong());
      if (kind == 8) {
        String[] v = csvValue(csv);
        ObservableType t = v[1].indexOf(':') >= 0 && v[0].equals("ip-dst") ? ObservableType.IPV6 : type(v[0]);
        id = Indicator.of(Observable.of(t, v[1]), new Source("x", "", -1, Marking.NONE, -1)).id();
      }
      ids.add(id);
      StringBuilder o = new StringBuilder("{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"" + id
          + "\"");
      if (r.nextInt(5) > 0) {
        o.append(", \"modified\": \"").append(TIMES[r.nextInt(TIMES.length)]).append('"');
      }
      o.append(", \"pattern\": \"").append(kind == 9 ? "[file:name = " : kind == 10 ? "[ipv4-addr:value = '300.1.1.1']"
          : pattern()).append('"');
      o.append(", \"pattern_type\": \"").append(kind == 11 ? "sigma" : "stix").append('"');
      if (kind != 12) {
        o.append(", \"valid_from\": \"").append(TIMES[r.nextInt(2) * 2]).append('"');
      }
      if (r.nextInt(4) == 0) {
        o.append(", \"valid_until\": \"").append(r.nextBoolean() ? "2022-10-01T00:00:00Z" : "2024-01-01T00:00:00Z")
            .append('"');
      }
      if (r.nextInt(3) > 0) {
        o.append(", \"confidence\": ").append(kind == 13 ? "101" : r.nextInt(101));
      }
      if (r.nextInt(4) > 0) {
        o.append(", \"object_marking_refs\": [").append(quoted(TLP, 1 + r.nextInt(2))).append(']');
      }
      if (r.nextInt(3) == 0) {
        o.append(", \"labels\": [").append(quoted(LABELS, r.nextInt(4))).append(']');
      }
      if (r.nextInt(6) == 0) {
        o.append(", \"indicator_types\": [\"malicious-activity\"]");
      }
      if (r.nextInt(6) == 0) {
        o.append(", \"kill_chain_phases\": [{\"kill_chain_name\": \"lockheed-martin-cyber-kill-chain\", "
            + "\"phase_name\": \"").append(r.nextBoolean() ? "delivery" : "installation").append("\"}]");
      }
      if (r.nextInt(8) == 0) {
        o.append(", \"revoked\": ").append(r.nextInt(4) > 0);
      }
      if (r.nextInt(3) == 0) {
        o.append(", \"created_by_ref\": \"").append(identity).append('"');
      }
      if (r.nextInt(4) == 0) {
        o.append(", \"name\": \"N").append(r.nextInt(5)).append("\", \"description\": \"text ").append(r.nextInt(3))
            .append('"');
      }
      if (r.nextInt(15) == 0) {
        o.append(", \"x_lovcen_sources\": [{\"name\": \"CERT-").append(r.nextInt(3)).append("\", \"confidence\": ")
            .append(r.nextInt(100)).append(", \"marking\": \"TLP:GREEN\"}, {\"name\": \"CERT-9\", \"marking\": "
                + "\"amber\", \"distribution\": 2}]");
      }
      if (r.nextInt(10) == 0) {
        o.append(", \"extensions\": {\"x\": {\"nested\": [1, {\"a\": null}]}}, \"x_flag\": null");
      }
      if (r.nextInt(60) == 0) {
        o.append(switch (r.nextInt(6)) {
          case 0 -> ", \"labels\": [\"c2\", 5]";
          case 1 -> ", \"object_marking_refs\": \"" + TLP[0] + "\"";
          case 2 -> ", \"confidence\": \"50\"";
          case 3 -> ", \"revoked\": \"true\"";
          case 4 -> ", \"confidence\": 12345678901";
          default -> ", \"valid_until\": null";
        });
      }
      return o.append('}').toString();
    }

    private String quoted(String[] from, int n) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        b.append(i > 0 ? ", " : "").append('"').append(from[r.nextInt(from.length)]).append('"');
      }
      return b.toString();
    }

    private String pattern() {
      String[] a = any();
      return switch (r.nextInt(8)) {
        case 0 -> "[" + comparison(a) + " OR " + comparison(any()) + "]";
        case 1 -> {
          String[] h = values.get(5 + 9 * r.nextInt(values.size() / 9));
          String[] n = values.get(8 + 9 * r.nextInt(values.size() / 9 - 1));
          yield "[" + comparison(n) + " AND " + comparison(h) + "]";
        }
        case 2 -> "[" + comparison(a) + "] OR [" + comparison(any()) + "]";
        default -> "[" + comparison(a) + "]";
      };
    }

    private static String comparison(String[] v) {
      return v[2] + " = '" + v[1] + "'";
    }

    private String csv() {
      StringBuilder b = new StringBuilder("type,value,confidence,tlp,description\n");
      for (int i = 0; i < 250; i++) {
        String[] v = any();
        b.append(v[3]).append(',').append(v[1]).append(',').append(r.nextInt(12) == 0 ? "" : r.nextInt(101))
            .append(',').append(r.nextInt(5) == 0 ? "" : r.nextBoolean() ? "amber" : "TLP:GREEN").append(',')
            .append(r.nextInt(4) == 0 ? "\"a, b\"" : "").append('\n');
      }
      return b.append("md5,not-a-hash,50,amber,\nip-dst,198.51.100.1,101,,\n").toString();
    }

    private String[] csvValue(String csv) {
      String[] lines = csv.split("\n");
      String[] cells = lines[1 + r.nextInt(lines.length - 4)].split(",");
      return new String[] {cells[0], cells[1]};
    }

    private static ObservableType type(String mispType) {
      return switch (mispType) {
        case "ip-dst" -> ObservableType.IPV4;
        case "domain" -> ObservableType.DOMAIN;
        case "url" -> ObservableType.URL;
        case "md5" -> ObservableType.MD5;
        case "sha1" -> ObservableType.SHA1;
        case "sha256" -> ObservableType.SHA256;
        default -> ObservableType.FILE_NAME;
      };
    }

    private String list() {
      StringBuilder b = new StringBuilder("# partner list\n");
      for (int i = 0; i < 150; i++) {
        String[] v = any();
        if (!v[0].equals("filename")) {
          b.append(v[1]).append('\n');
        }
      }
      return b.append("what is this\n").toString();
    }

    private String misp() {
      StringBuilder b = new StringBuilder("{\"Event\": {\"uuid\": \"" + new UUID(r.nextLong(), r.nextLong())
          + "\", \"info\": \"campaign\", \"distribution\": \"1\", \"Orgc\": {\"name\": \"CERT-X\"}, \"Tag\": "
          + "[{\"name\": \"tlp:amber\"}], \"Attribute\": [\n");
      for (int i = 0; i < 150; i++) {
        String[] v = any();
        b.append(i > 0 ? ",\n" : "").append("{\"uuid\": \"").append(new UUID(r.nextLong(), r.nextLong()))
            .append("\", \"type\": \"").append(v[3]).append("\", \"value\": \"").append(v[1])
            .append("\", \"to_ids\": ").append(r.nextInt(8) > 0).append('}');
      }
      return b.append("]}}\n").toString();
    }

    private Event event(String[] v) {
      Event e = new Event();
      String value = v[1];
      switch (v[0]) {
        case "ipv4" -> {
          int slash = value.indexOf('/');
          e.add("DestinationIp", slash < 0 ? value : value.substring(0, value.lastIndexOf('.')) + "."
              + r.nextInt(256));
        }
        case "ipv6" -> e.add("SourceIp", value.toLowerCase(Locale.ROOT));
        case "domain" -> e.add("QueryName", (r.nextBoolean() ? "www." : "") + value.toUpperCase(Locale.ROOT));
        case "url" -> e.add("url.full", value);
        case "filename" -> e.add("Image", "C:\\Windows\\" + value);
        default -> e.add("Hashes", "MD5=" + (v[0].equals("md5") ? value : hex(32)) + ",SHA256="
            + (v[0].equals("sha256") ? value : hex(64)) + ",IMPHASH=" + hex(32));
      }
      if (r.nextInt(3) == 0) {
        String[] n = any();
        e.add("Image", "C:\\x\\" + (n[0].equals("filename") ? n[1] : "f1.exe"));
        e.add("Hashes", "SHA1=" + (n[0].equals("sha1") ? n[1] : hex(40)));
      }
      int t = r.nextInt(4);
      if (t > 0) {
        e.timestamp(Timestamps.parse(new String[] {"2022-07-01T00:00:00Z", "2022-08-15T00:00:00Z",
            "2023-06-01T00:00:00Z"}[t - 1]));
      }
      return e;
    }
  }
}
