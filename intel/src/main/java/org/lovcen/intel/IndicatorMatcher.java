package org.lovcen.intel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.Level;

/*
 * How and why: one pass over the event's fields; each field name is looked up once in the role
 * table (FieldRoles), and a field with a role is parsed in place (addresses into a long, IPv6 into
 * two longs of scratch, URLs into a reused StringBuilder) and probed in the set's flat tables. A
 * domain is probed at every label boundary (a.b.example.com, b.example.com, example.com), so a
 * parent-domain indicator matches its subdomains; a Sysmon Hashes list is probed digest by digest.
 * Nothing is allocated unless an indicator matches; a match builds one Alert per indicator and
 * event (several fields hitting the same indicator give one alert).
 */
/**
 * Matches events against one {@link IndicatorSet}. Not thread-safe: create one per thread with
 * {@link IndicatorSet#matcher()}; it owns all scratch state.
 *
 * <p>An alert has kind {@code indicator}, the indicator's id as rule id, level high (medium when
 * every source gave a confidence below 70, low below 30), the sources' names as author, the
 * indicator's labels as tags, the event's header and the matching field in {@code fields}. Its
 * {@code group} carries the indicator: {@code indicator_id}, {@code type} (STIX object type),
 * {@code value}, {@code field}, {@code pattern}, {@code marking} (TLP label or empty),
 * {@code confidence} (-1 when unknown) and {@code sources} ({@code name|confidence|marking}
 * entries separated by {@code ;}).
 */
public final class IndicatorMatcher {
  private static final List<String> CONTEXT = List.of("Image", "CommandLine", "User", "TargetFilename",
      "QueryName", "DestinationIp", "DestinationHostname", "SourceIp", "url.full", "url.original");

  private final IndicatorSet set;
  private final long[] v6 = new long[2];
  private final long[] v6masked = new long[2];
  private final StringBuilder url = new StringBuilder(256);
  private int[] emitted = new int[8];
  private int emittedCount;
  private Event event;
  private Consumer<Alert> out;
  private int hits;

  IndicatorMatcher(IndicatorSet set) {
    this.set = set;
  }

  /** The set this matcher reads. */
  public IndicatorSet set() {
    return set;
  }

  /**
   * Matches one event, passing an alert per matching live indicator to {@code sink}.
   *
   * @return the number of alerts emitted
   */
  public int match(Event e, Consumer<Alert> sink) {
    if (set.indicators.length == 0) {
      return 0;
    }
    event = e;
    out = sink;
    hits = 0;
    emittedCount = 0;
    for (int i = 0, n = e.size(); i < n; i++) {
      byte role = FieldRoles.of(e.name(i));
      String v = role == FieldRoles.NONE ? null : e.value(i);
      if (v != null && !v.isEmpty()) {
        field(role, i, v);
      }
    }
    event = null;
    out = null;
    return hits;
  }

  private void field(byte role, int field, String v) {
    switch (role) {
      case FieldRoles.ADDRESS -> address(v, 0, v.length(), field);
      case FieldRoles.DOMAIN -> domain(v, 0, v.length(), field);
      case FieldRoles.URL -> url(v, field);
      case FieldRoles.HASH_LIST -> hashList(v, field);
      case FieldRoles.HASH -> hits(set.hashes.get(v, 0, v.length()), field);
      case FieldRoles.PATH -> hits(set.names.get(v, baseName(v), v.length()), field);
      case FieldRoles.FILE_NAME -> hits(set.names.get(v, 0, v.length()), field);
      default -> {}
    }
  }

  private void address(CharSequence s, int from, int to, int field) {
    long a = Observables.parseIpv4(s, from, to);
    if (a >= 0) {
      ipv4((int) a, field);
    } else if (Observables.parseIpv6(s, from, to, v6)) {
      if (v6[0] == 0 && (v6[1] >>> 32) == 0xFFFFL) {
        ipv4((int) v6[1], field);
      } else {
        ipv6(field);
      }
    }
  }

  private void ipv4(int a, int field) {
    hits(set.ipv4.get(a), field);
    for (int len : set.cidr4Lengths) {
      int masked = len == 0 ? 0 : a & (-1 << (32 - len));
      hits(set.cidr4[len].get(masked), field);
    }
  }

  private void ipv6(int field) {
    hits(set.ipv6.get(v6[0], v6[1]), field);
    for (int len : set.cidr6Lengths) {
      v6masked[0] = v6[0];
      v6masked[1] = v6[1];
      Observables.mask(v6masked, len);
      hits(set.cidr6[len].get(v6masked[0], v6masked[1]), field);
    }
  }

  /** Probes the name and each parent domain (at label boundaries). */
  private void domain(CharSequence s, int from, int to, int field) {
    while (to > from && s.charAt(to - 1) == '.') {
      to--;
    }
    for (int i = from; i < to; i++) {
      if (i == from || s.charAt(i - 1) == '.') {
        hits(set.domains.get(s, i, to), field);
      }
    }
  }

  private void url(String v, int field) {
    url.setLength(0);
    Observables.urlKey(v, 0, v.length(), url);
    if (url.isEmpty()) {
      return;
    }
    hits(set.urls.get(url, 0, url.length()), field);
    int end = 0;
    while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?') {
      end++;
    }
    int port = end;
    for (int i = 0; i < end; i++) {
      if (url.charAt(i) == ':' && url.charAt(0) != '[') {
        port = i;
        break;
      }
    }
    if (port > 0 && url.charAt(0) == '[') {
      int close = url.indexOf("]");
      address(url, 0, close < 0 ? port : close + 1, field);
    } else {
      address(url, 0, port, field);
      domain(url, 0, port, field);
    }
  }

  /** {@code MD5=...,SHA256=...,IMPHASH=...}: each digest after '=' up to ','. */
  private void hashList(String v, int field) {
    int i = 0;
    int n = v.length();
    while (i < n) {
      int comma = v.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int eq = v.indexOf('=', i);
      int start = eq >= 0 && eq < end ? eq + 1 : i;
      if (!(end - start == 32 && eq - i == 7 && v.regionMatches(true, i, "IMPHASH", 0, 7))) {
        hits(set.hashes.get(v, start, end), field);
      }
      i = end + 1;
    }
  }

  private static int baseName(String v) {
    int i = v.length();
    while (i > 0 && v.charAt(i - 1) != '\\' && v.charAt(i - 1) != '/') {
      i--;
    }
    return i;
  }

  // ------------------------------------------------------------------ hits (rare path)

  private void hits(int clause, int field) {
    for (int c = clause; c >= 0; c = set.next[c]) {
      int ind = set.clauseIndicator[c];
      long t = event.timestamp();
      if (t != Event.NO_TIME && (t < set.validFrom[ind] || t >= set.validUntil[ind])) {
        continue;
      }
      if (alreadyEmitted(ind) || set.termCount(c) > 1
          && !Verifier.all(set.terms, set.termStart[c], set.termStart[c + 1], event)) {
        continue;
      }
      emit(ind, set.terms[set.anchorTerm[c]], field);
    }
  }

  private boolean alreadyEmitted(int ind) {
    for (int i = 0; i < emittedCount; i++) {
      if (emitted[i] == ind) {
        return true;
      }
    }
    return false;
  }

  private void emit(int ind, Observable o, int field) {
    if (emittedCount == emitted.length) {
      emitted = java.util.Arrays.copyOf(emitted, emittedCount * 2);
    }
    emitted[emittedCount++] = ind;
    hits++;
    out.accept(alert(set.indicators[ind], o, event, field));
  }

  static Alert alert(Indicator ind, Observable o, Event e, int field) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(e.name(field), e.value(field));
    for (String f : CONTEXT) {
      String v = e.get(f);
      if (v != null && !v.isEmpty() && fields.size() < 8) {
        fields.putIfAbsent(f, v);
      }
    }
    Map<String, String> group = new LinkedHashMap<>();
    group.put("indicator_id", ind.id());
    group.put("type", o.type().stixObject());
    group.put("value", o.value());
    group.put("field", e.name(field));
    group.put("pattern", ind.pattern());
    group.put("marking", ind.marking().label());
    group.put("confidence", Integer.toString(ind.confidence()));
    group.put("sources", sources(ind));
    String title = "Indicator: " + o.type().stixObject() + " " + o.value()
        + (ind.name().isEmpty() ? "" : " (" + ind.name() + ")");
    return new Alert("indicator", ind.id(), title, level(ind), authors(ind), ind.labels(), e.timestamp(),
        e.institution(), e.host(), e.channel(), e.eventId(), e.source(), e.record(), fields, group, e.timestamp(),
        List.of());
  }

  private static Level level(Indicator ind) {
    int c = ind.confidence();
    return c < 0 || c >= 70 ? Level.HIGH : c >= 30 ? Level.MEDIUM : Level.LOW;
  }

  private static String authors(Indicator ind) {
    List<String> names = new ArrayList<>();
    for (Source s : ind.sources()) {
      if (!names.contains(s.name())) {
        names.add(s.name());
      }
    }
    return String.join(", ", names);
  }

  /** {@code name|confidence|marking;...}, the encoding of sources in an alert's group. */
  static String sources(Indicator ind) {
    StringBuilder b = new StringBuilder();
    for (Source s : ind.sources()) {
      if (!b.isEmpty()) {
        b.append(';');
      }
      b.append(s.name().replace(";", ",").replace("|", "/")).append('|').append(s.confidence()).append('|')
          .append(s.marking().label().toLowerCase(Locale.ROOT));
    }
    return b.toString();
  }
}
