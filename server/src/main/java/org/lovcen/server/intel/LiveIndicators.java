package org.lovcen.server.intel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.lovcen.intel.Indicator;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.intel.Intel;
import org.lovcen.intel.IntelException;
import org.lovcen.intel.Marking;
import org.lovcen.intel.Observable;
import org.lovcen.intel.Source;
import org.lovcen.server.live.AlertSink;
import org.lovcen.server.live.RetroHunt;
import org.lovcen.store.Database;
import org.lovcen.store.IntelStore;

/*
 * How and why: the server's indicators live in the store, one row per indicator and source (so a
 * value two partners give keeps each one's confidence and marking). Every change (an import, a
 * TAXII push, a feed poll, a revocation) writes the rows, then recompiles the live IndicatorSet
 * from every live row plus the configured intel.files, and swaps it into the engine. Rows are
 * parsed once and cached by id and update time, so a recompile costs the compile, not the JSON.
 * Of the rows of one STIX id, the newest version (modified) gives the content and all of them
 * their sources. After the swap, the indicators that changed are looked up in the new set (by
 * their clauses, so that a retro-hunt alert carries the id live detection would give it) and
 * handed to the retro-hunt.
 */
/** The indicators the server matches: stored, compiled, published, retro-hunted. Thread-safe. */
public final class LiveIndicators implements AutoCloseable {
  /**
   * What adding indicators did.
   *
   * @param received indicators given
   * @param changed (indicator, source) rows inserted or changed
   * @param live indicators in the live set afterwards
   */
  public record Added(int received, int changed, int live) {}

  private record Cached(long updated, Indicator indicator) {}

  private final Database db;
  private final IntelStore store;
  private final List<Indicator> files;
  private final Consumer<IndicatorSet> publish;
  private final Map<Long, Cached> parsed = new HashMap<>();
  private volatile IndicatorSet current = IndicatorSet.EMPTY;
  private RetroHunt retro;

  /**
   * @param files the configured indicator files (read once, at start)
   * @param publish swaps a compiled set into the engine
   */
  public LiveIndicators(Database db, List<String> files, Consumer<IndicatorSet> publish) {
    this.db = db;
    this.store = new IntelStore(db);
    this.files = files.isEmpty() ? List.of() : Intel.load(files.stream().map(Path::of).toList()).indicators();
    this.publish = publish;
  }

  /** Starts the retro-hunt over the last {@code days} days of events, storing alerts through {@code sink}. */
  public synchronized void startRetroHunt(AlertSink sink, int days) {
    retro = new RetroHunt(db, sink, days);
  }

  /** The retro-hunt, or null before {@link #startRetroHunt}. */
  public synchronized RetroHunt retroHunt() {
    return retro;
  }

  /** The live set compiled from the store and the files (without publishing it). */
  public synchronized IndicatorSet compile() {
    current = IndicatorSet.compile(all());
    return current;
  }

  /** The live set last compiled. */
  public IndicatorSet current() {
    return current;
  }

  /**
   * Stores indicators, republishes the live set and retro-hunts those that changed.
   *
   * @param origin how they arrived ({@code import}, {@code taxii:<collection>}, {@code feed:<name>})
   * @param source when not null, the one source name every indicator is kept under (a feed, a
   *     partner); otherwise each keeps the sources it was read with
   * @param defaultMarking the marking of sources that gave none ({@link Marking#NONE}: leave it)
   */
  public synchronized Added add(List<Indicator> indicators, String origin, String source, Marking defaultMarking) {
    long now = System.currentTimeMillis() * 1000;
    List<IntelStore.Row> rows = new ArrayList<>();
    for (Indicator i : indicators) {
      for (Source s : sources(i, source, defaultMarking)) {
        rows.add(row(i.withSources(List.of(s)), s, origin, now));
      }
    }
    List<IntelStore.Row> changed = rows.isEmpty() ? List.of() : store.upsert(rows, now);
    if (!changed.isEmpty()) {
      refresh();
      hunt(changed);
    }
    return new Added(indicators.size(), changed.size(), current.size());
  }

  /** Revokes every source's row of one STIX id and republishes; returns the rows revoked. */
  public synchronized int revoke(String indicatorId) {
    int n = store.revoke(org.lovcen.store.Scope.NATIONAL, indicatorId, System.currentTimeMillis() * 1000);
    if (n > 0) {
      refresh();
    }
    return n;
  }

  private static List<Source> sources(Indicator i, String source, Marking defaultMarking) {
    List<Source> out = new ArrayList<>();
    for (Source s : i.sources()) {
      Source named = source == null ? s : s.withName(source);
      Source t = named.marking() == Marking.NONE && defaultMarking != Marking.NONE
          ? new Source(named.name(), named.file(), named.confidence(), defaultMarking, named.distribution()) : named;
      if (out.stream().noneMatch(o -> o.name().equals(t.name()))) {
        out.add(t);
      }
    }
    return out;
  }

  private static IntelStore.Row row(Indicator one, Source s, String origin, long now) {
    return new IntelStore.Row(0, one.id(), s.name().isEmpty() ? "unnamed" : s.name(), origin, one.name(),
        one.pattern(), s.confidence(), s.marking().ordinal(),
        one.validFrom() == Long.MIN_VALUE ? null : one.validFrom(),
        one.validUntil() == Long.MAX_VALUE ? null : one.validUntil(), one.revoked(), one.modified(),
        sha256(Intel.stixObject(one, 0)), Intel.stixObject(one, now), now, now);
  }

  /** Recompiles from the store and the files, and publishes. */
  private void refresh() {
    current = IndicatorSet.compile(all());
    publish.accept(current);
  }

  private List<Indicator> all() {
    Map<String, List<Indicator>> byId = new LinkedHashMap<>();
    Set<Long> seen = new HashSet<>();
    store.live(r -> {
      seen.add(r.id());
      Indicator i = parse(r);
      if (i != null) {
        byId.computeIfAbsent(i.id(), k -> new ArrayList<>(1)).add(i);
      }
    });
    parsed.keySet().retainAll(seen);
    List<Indicator> out = new ArrayList<>(files);
    for (List<Indicator> versions : byId.values()) {
      out.add(versions.size() == 1 ? versions.get(0) : newestWithAllSources(versions));
    }
    return out;
  }

  private Indicator parse(IntelStore.Row r) {
    Cached c = parsed.get(r.id());
    if (c != null && c.updated() == r.updated()) {
      return c.indicator();
    }
    try {
      Indicator i = Intel.indicator(r.object(), r.source());
      parsed.put(r.id(), new Cached(r.updated(), i));
      return i;
    } catch (IntelException e) {
      return null; // written by this class, so only a hand-edited row can fail; it is left out
    }
  }

  private static Indicator newestWithAllSources(List<Indicator> versions) {
    Indicator newest = versions.get(0);
    LinkedHashSet<Source> sources = new LinkedHashSet<>();
    for (Indicator v : versions) {
      if (v.modified().compareTo(newest.modified()) > 0) {
        newest = v;
      }
      sources.addAll(v.sources());
    }
    return newest.withSources(List.copyOf(sources));
  }

  /** Hands the live indicators with the clauses of the changed rows to the retro-hunt. */
  private void hunt(List<IntelStore.Row> changed) {
    if (retro == null) {
      return;
    }
    Set<List<List<Observable>>> clauses = new HashSet<>();
    for (IntelStore.Row r : changed) {
      Indicator i = parse(r);
      if (i != null && !i.revoked()) {
        clauses.add(i.clauses());
      }
    }
    List<Indicator> fresh = new ArrayList<>();
    for (Indicator i : current.indicators()) {
      if (clauses.contains(i.clauses())) {
        fresh.add(i);
      }
    }
    retro.submit(fresh);
  }

  static String sha256(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    if (retro != null) {
      retro.close();
    }
  }
}
