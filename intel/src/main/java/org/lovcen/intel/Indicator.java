package org.lovcen.intel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One indicator of compromise: what to look for (a disjunction of conjunctions of {@link
 * Observable}s, as a STIX pattern's comparison expression reduces to), how long it is valid, and
 * who said so. Immutable; the lists are unmodifiable.
 *
 * <p>An indicator matches an event when all observables of any one clause occur in the event's
 * typed fields and the event's time lies in {@code [validFrom, validUntil)}.
 *
 * @param id the STIX id ({@code indicator--<uuid>}); derived from the pattern for formats without ids
 * @param name a short human name, or empty
 * @param description longer text, or empty
 * @param clauses OR of AND clauses; never empty, no clause empty
 * @param validFrom micros since the epoch, or {@link Long#MIN_VALUE} when open
 * @param validUntil micros since the epoch (exclusive), or {@link Long#MAX_VALUE} when open
 * @param revoked whether the creator revoked it (revoked indicators never match)
 * @param labels STIX labels, MISP tags and galaxy clusters
 * @param indicatorTypes STIX indicator_types (e.g. {@code malicious-activity})
 * @param killChainPhases kill chain phases as {@code chain:phase}
 * @param createdByRef the STIX identity that created it, or empty
 * @param markingRefs the object_marking_refs as given (TLP and other marking definitions)
 * @param modified the STIX modified timestamp as given, or empty (the newest version wins)
 * @param sources every source that gave it, in the order they were read
 */
public record Indicator(
    String id,
    String name,
    String description,
    List<List<Observable>> clauses,
    long validFrom,
    long validUntil,
    boolean revoked,
    List<String> labels,
    List<String> indicatorTypes,
    List<String> killChainPhases,
    String createdByRef,
    List<String> markingRefs,
    String modified,
    List<Source> sources) {
  public Indicator {
    clauses = immutable(clauses);
    id = id == null || id.isEmpty() ? derivedId(clauses) : id;
    name = name == null ? "" : name;
    description = description == null ? "" : description;
    labels = List.copyOf(labels);
    indicatorTypes = List.copyOf(indicatorTypes);
    killChainPhases = List.copyOf(killChainPhases);
    createdByRef = createdByRef == null ? "" : createdByRef;
    markingRefs = List.copyOf(markingRefs);
    modified = modified == null ? "" : modified;
    sources = List.copyOf(sources);
  }

  /** An indicator for one observable from one source, with nothing else known. */
  public static Indicator of(Observable o, Source source) {
    return new Indicator(null, "", "", List.of(List.of(o)), Long.MIN_VALUE, Long.MAX_VALUE, false, List.of(),
        List.of(), List.of(), "", List.of(), "", List.of(source));
  }

  /** The most restrictive marking of its sources. */
  public Marking marking() {
    Marking m = Marking.NONE;
    for (Source s : sources) {
      m = m.max(s.marking());
    }
    return m;
  }

  /** The highest confidence any source gave, or -1. */
  public int confidence() {
    int c = -1;
    for (Source s : sources) {
      c = Math.max(c, s.confidence());
    }
    return c;
  }

  /** The STIX pattern equivalent to the clauses, e.g. {@code [ipv4-addr:value = '198.51.100.77']}. */
  public String pattern() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < clauses.size(); i++) {
      if (i > 0) {
        b.append(" OR ");
      }
      List<Observable> c = clauses.get(i);
      boolean paren = c.size() > 1 && clauses.size() > 1;
      b.append(paren ? "(" : "");
      for (int j = 0; j < c.size(); j++) {
        b.append(j > 0 ? " AND " : "").append(c.get(j).stix());
      }
      b.append(paren ? ")" : "");
    }
    return b.append(']').toString();
  }

  /** Every observable of every clause. */
  public List<Observable> observables() {
    List<Observable> out = new ArrayList<>();
    clauses.forEach(out::addAll);
    return out;
  }

  /** A copy with these sources. */
  public Indicator withSources(List<Source> s) {
    return new Indicator(id, name, description, clauses, validFrom, validUntil, revoked, labels, indicatorTypes,
        killChainPhases, createdByRef, markingRefs, modified, s);
  }

  /** A copy with this validity window. */
  public Indicator withValidity(long from, long until) {
    return new Indicator(id, name, description, clauses, from, until, revoked, labels, indicatorTypes,
        killChainPhases, createdByRef, markingRefs, modified, sources);
  }

  /** Whether it is live for an event at {@code micros} (unknown time counts as live). */
  public boolean validAt(long micros) {
    return !revoked && (micros == Long.MIN_VALUE || (micros >= validFrom && micros < validUntil));
  }

  /**
   * The clauses as an unmodifiable list of unmodifiable lists; the given lists themselves when they
   * already are (a million indicators are built while loading, so no copy is made that is not
   * needed).
   */
  private static List<List<Observable>> immutable(List<List<Observable>> clauses) {
    if (clauses.isEmpty()) {
      throw new IllegalArgumentException("an indicator needs at least one observable");
    }
    List<List<Observable>> copies = null;
    for (int i = 0; i < clauses.size(); i++) {
      List<Observable> c = clauses.get(i);
      if (c.isEmpty()) {
        throw new IllegalArgumentException("an indicator needs at least one observable");
      }
      List<Observable> copy = List.copyOf(c);
      if (copy != c && copies == null) {
        copies = new ArrayList<>(clauses.subList(0, i));
      }
      if (copies != null) {
        copies.add(copy);
      }
    }
    return List.copyOf(copies == null ? clauses : copies);
  }

  /**
   * {@code indicator--} and the name-based (version 3) UUID of the clauses, as {@link
   * UUID#nameUUIDFromBytes} makes it from their text; written without the intermediate strings
   * and with one digest per thread, since a list of a million values derives a million ids.
   */
  private static String derivedId(List<List<Observable>> clauses) {
    Scratch s = SCRATCH.get();
    StringBuilder b = s.text;
    b.setLength(0);
    for (List<Observable> c : clauses) {
      for (Observable o : c) {
        b.append(o.type().name()).append('=').append(o.value()).append(';');
      }
      b.append('|');
    }
    byte[] md5 = s.digest(b);
    md5[6] = (byte) ((md5[6] & 0x0f) | 0x30);
    md5[8] = (byte) ((md5[8] & 0x3f) | 0x80);
    byte[] id = new byte[47];
    System.arraycopy(ID_PREFIX, 0, id, 0, ID_PREFIX.length);
    int at = ID_PREFIX.length;
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        id[at++] = '-';
      }
      id[at++] = (byte) Character.forDigit((md5[i] >> 4) & 0xF, 16);
      id[at++] = (byte) Character.forDigit(md5[i] & 0xF, 16);
    }
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  private static final byte[] ID_PREFIX = "indicator--".getBytes(StandardCharsets.ISO_8859_1);
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Per-thread state of {@link #derivedId}. */
  private static final class Scratch {
    final StringBuilder text = new StringBuilder(128);
    final MessageDigest md5 = md5();
    byte[] bytes = new byte[128];

    /** The MD5 digest of the UTF-8 bytes of {@code t}. */
    byte[] digest(CharSequence t) {
      int n = t.length();
      if (bytes.length < n) {
        bytes = new byte[Math.max(n, bytes.length * 2)];
      }
      for (int i = 0; i < n; i++) {
        char c = t.charAt(i);
        if (c >= 0x80) {
          return md5.digest(t.toString().getBytes(StandardCharsets.UTF_8));
        }
        bytes[i] = (byte) c;
      }
      md5.update(bytes, 0, n);
      return md5.digest();
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new InternalError("MD5 not supported", e);
    }
  }
}
