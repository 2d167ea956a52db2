package org.lovcen.sigma;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.lovcen.core.Alert;
import org.lovcen.core.EventRef;

/*
 * How and why: the one streaming correlation detector, for every runner. Hits (matches of
 * referenced rules) arrive roughly in event time; a priority queue holds them until the
 * watermark (the latest event time seen minus the allowed lateness) passes them, and releases
 * them in a total order (time, source, record, input) so the result does not depend on arrival
 * order within the lateness, nor on how the input was split into files. A hit older than the
 * released watermark is late: counted and dropped.
 *
 * Released hits are evaluated as pySigma's correlation matcher does: per (correlation,
 * institution, group-by values) a sliding window of the hits of the last timespan, inclusive,
 * ending at the current hit; the condition is checked at every hit ("a firing"). A firing feeds
 * the correlations that reference this one at once, at the same time. For output, firings of
 * one group that follow each other within the timespan are merged into one episode, emitted as
 * one alert once no later firing can join it (or at flush): first and last event time, and the
 * contributing events (capped, see MAX_EVENTS).
 *
 * State is per group: the window's entries and incremental counts. Groups are kept in access
 * order, so those not touched for a timespan are found at the head and expired in O(1) each. The
 * total number of window entries is capped; a hit that would exceed the cap is dropped and
 * counted.
 *
 * A runner that must hand its state to another process (the Kafka runner's state stores) takes a
 * snapshot of everything above (buffered hits, windows in access order, open episodes, counters)
 * and restores it into a detector of the same correlation set: the restored detector then behaves
 * exactly as the original would have. A snapshot names the correlation set it was taken with; one
 * taken under other correlations is refused (windows restart, as on a rule reload).
 */
/**
 * Evaluates correlation rules over a stream of {@link CorrelationHit}s and emits correlation
 * {@link Alert}s. Not thread-safe: one per runner, fed from one thread.
 */
public final class CorrelationDetector {
  /** Contributing events kept per alert; further ones are counted in the alert's fields only. */
  public static final int MAX_EVENTS = 100;

  /**
   * Detector settings.
   *
   * @param lateness how far (micros) a hit may arrive behind the latest event time seen
   * @param maxEntries cap on window entries held over all groups
   */
  public record Options(long lateness, int maxEntries) {
    /** One minute of lateness, a million entries. */
    public static Options defaults() {
      return new Options(60_000_000L, 1_000_000);
    }

    /** The same with no lateness, for input already sorted by event time. */
    public Options withoutLateness() {
      return new Options(0, maxEntries);
    }

    /** The same with another lateness (micros). */
    public Options withLateness(long micros) {
      return new Options(micros, maxEntries);
    }

    /** The same with another cap on window entries. */
    public Options withMaxEntries(int cap) {
      return new Options(lateness, cap);
    }
  }

  /** Counters, for the summary and tests. */
  public record Stats(long hits, long late, long dropped, long groups, long entries, long alerts) {}

  private static final Comparator<CorrelationHit> ORDER = Comparator.comparingLong(CorrelationHit::timestamp)
      .thenComparing(CorrelationHit::source, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparingLong(CorrelationHit::record).thenComparingInt(CorrelationHit::input);

  private final Correlations set;
  private final Options options;
  private final PriorityQueue<CorrelationHit> pending = new PriorityQueue<>(ORDER);
  private final List<Map<Key, Group>> states = new ArrayList<>();
  private final int[][] targets;
  private final int[][] targetPositions;
  private Consumer<Alert> out = a -> {};
  private Consumer<Alert> firing;
  private long maxSeen = Long.MIN_VALUE;
  private long released = Long.MIN_VALUE;
  private long hits;
  private long late;
  private long dropped;
  private long entries;
  private long alerts;

  CorrelationDetector(Correlations set, Options options) {
    this.set = set;
    this.options = options;
    for (int i = 0; i < set.nodes.size(); i++) {
      states.add(new LinkedHashMap<>(16, 0.75f, true));
    }
    List<List<int[]>> byInput = new ArrayList<>();
    set.inputs.forEach(x -> byInput.add(new ArrayList<>()));
    for (Correlations.Node n : set.nodes) {
      for (int p = 0; p < n.sources().length; p++) {
        if (n.sources()[p] >= 0) {
          byInput.get(n.sources()[p]).add(new int[] {n.index(), p});
        }
      }
    }
    targets = new int[byInput.size()][];
    targetPositions = new int[byInput.size()][];
    for (int i = 0; i < byInput.size(); i++) {
      targets[i] = byInput.get(i).stream().mapToInt(x -> x[0]).toArray();
      targetPositions[i] = byInput.get(i).stream().mapToInt(x -> x[1]).toArray();
    }
  }

  /** Where alerts go (called on the feeding thread). */
  public CorrelationDetector onAlert(Consumer<Alert> sink) {
    this.out = sink;
    return this;
  }

  /**
   * Where an episode's first firing goes, as an early alert (called on the feeding thread). The
   * alert emitted when the episode closes has the same rule, group and first time, with the
   * final last time and events: a live runner stores the early one at once and completes it then.
   * Off by default (hunt reports closed episodes only).
   */
  public CorrelationDetector onFiring(Consumer<Alert> sink) {
    this.firing = sink;
    return this;
  }

  /** Takes one hit; processes every buffered hit the watermark has passed. */
  public void accept(CorrelationHit h) {
    hits++;
    if (h.timestamp() < released) {
      late++;
      return;
    }
    pending.add(h);
    if (h.timestamp() > maxSeen) {
      maxSeen = h.timestamp();
      long watermark = maxSeen - options.lateness();
      if (watermark > maxSeen) {
        watermark = Long.MIN_VALUE;
      }
      release(watermark);
    }
  }

  /** Processes everything buffered and emits every open episode: the end of the stream. */
  public void flush() {
    release(Long.MAX_VALUE);
    for (int c = 0; c < states.size(); c++) {
      for (Group g : states.get(c).values()) {
        close(c, g);
      }
      states.get(c).clear();
    }
    entries = 0;
  }

  /**
   * Moves event time forward without a hit: processes buffered hits older than
   * {@code watermark} and closes (emits) every episode whose window ended before it. For a live
   * runner whose input has gone quiet, so that alerts do not wait for the next hit.
   */
  public void advance(long watermark) {
    release(watermark);
    for (int c = 0; c < states.size(); c++) {
      long span = set.nodes.get(c).rule().timespan();
      for (Group g : states.get(c).values()) {
        if (g.episode != null && g.episode.lastFiring + span < watermark) {
          close(c, g);
        }
      }
      expire(c, watermark - span);
    }
  }

  /**
   * Emits every open episode now (processing the buffered hits older than the newest one first)
   * while keeping the windows, so that counting goes on with later hits. For a live runner that
   * has been idle: hits older than the newest one seen so far count as late afterwards; hits at
   * the same time as the newest are still taken.
   */
  public void closeEpisodes() {
    if (maxSeen != Long.MIN_VALUE) {
      release(maxSeen);
    }
    for (int c = 0; c < states.size(); c++) {
      for (Group g : states.get(c).values()) {
        close(c, g);
      }
    }
  }

  /**
   * Processes every buffered hit (those at the newest time too) and emits every open episode,
   * keeping the windows: for a live runner whose input has ended or gone quiet, so that nothing
   * waits for a later hit. Afterwards a hit older than the newest one seen counts as late.
   */
  public void drain() {
    if (maxSeen != Long.MIN_VALUE) {
      release(maxSeen + 1);
    }
    for (int c = 0; c < states.size(); c++) {
      for (Group g : states.get(c).values()) {
        close(c, g);
      }
    }
  }

  /** True when no hit is buffered and no episode is open (a drain would emit nothing). */
  public boolean settled() {
    if (!pending.isEmpty()) {
      return false;
    }
    for (Map<Key, Group> s : states) {
      for (Group g : s.values()) {
        if (g.episode != null) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The whole state of this detector (buffered hits, windows, open episodes, counters) as bytes,
   * for {@link #restore}. Options and the alert sinks are not part of it.
   */
  public byte[] snapshot() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      DetectorState.write(this, out);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Replaces this detector's state by a {@link #snapshot} of a detector of the same correlation
   * set. Returns false, leaving the state empty, when the snapshot was taken under other
   * correlations (the rules changed: windows restart).
   *
   * @throws SigmaException when the bytes are not a snapshot
   */
  public boolean restore(byte[] snapshot) {
    try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(snapshot))) {
      return DetectorState.read(this, in);
    } catch (java.io.IOException | RuntimeException e) {
      reset();
      throw new SigmaException("not a correlation detector snapshot: " + e);
    }
  }

  private void reset() {
    pending.clear();
    states.forEach(Map::clear);
    maxSeen = Long.MIN_VALUE;
    released = Long.MIN_VALUE;
    hits = late = dropped = entries = alerts = 0;
  }

  /*
   * The snapshot format: a version, the correlation set's signature, the counters, the buffered
   * hits, then per correlation its groups in access order, each with its window and open
   * episode. Strings are length-prefixed UTF-8 (-1 for null), so that no value is limited in size.
   */
  private static final class DetectorState {
    private static final int VERSION = 1;

    static String signature(Correlations set) {
      StringBuilder b = new StringBuilder();
      for (Correlations.Node n : set.nodes) {
        b.append(n.rule().id()).append('/').append(n.rule().timespan()).append('/')
            .append(Arrays.toString(n.sources())).append(';');
      }
      for (Correlations.Input i : set.inputs) {
        b.append(i.rule().id()).append(Arrays.toString(i.fields())).append(';');
      }
      return b.toString();
    }

    static void write(CorrelationDetector d, java.io.DataOutputStream out) throws java.io.IOException {
      out.writeInt(VERSION);
      str(out, signature(d.set));
      for (long v : new long[] {d.maxSeen, d.released, d.hits, d.late, d.dropped, d.entries, d.alerts}) {
        out.writeLong(v);
      }
      out.writeInt(d.pending.size());
      for (CorrelationHit h : d.pending) {
        out.writeInt(h.input());
        out.writeLong(h.timestamp());
        str(out, h.institution());
        str(out, h.host());
        strs(out, h.values());
        str(out, h.source());
        out.writeLong(h.record());
      }
      for (Map<Key, Group> state : d.states) {
        out.writeInt(state.size());
        for (Group g : state.values()) {
          str(out, g.key.institution);
          strs(out, g.key.values);
          out.writeLong(g.last);
          out.writeInt(g.window.size());
          for (Entry e : g.window) {
            entry(out, e);
          }
          Episode e = g.episode;
          out.writeBoolean(e != null);
          if (e != null) {
            refs(out, e.events.toArray(new EventRef[0]));
            out.writeInt(e.pending.size());
            for (Entry p : e.pending) {
              entry(out, p);
            }
            out.writeLong(e.first);
            out.writeLong(e.lastFiring);
            out.writeLong(e.seen);
            out.writeInt(e.firings);
            str(out, e.host);
            out.writeBoolean(e.mixedHosts);
          }
        }
      }
    }

    static boolean read(CorrelationDetector d, java.io.DataInputStream in) throws java.io.IOException {
      d.reset();
      if (in.readInt() != VERSION) {
        throw new java.io.IOException("unknown version");
      }
      if (!signature(d.set).equals(str(in))) {
        return false;
      }
      d.maxSeen = in.readLong();
      d.released = in.readLong();
      d.hits = in.readLong();
      d.late = in.readLong();
      d.dropped = in.readLong();
      d.entries = in.readLong();
      d.alerts = in.readLong();
      for (int n = in.readInt(); n > 0; n--) {
        d.pending.add(new CorrelationHit(in.readInt(), in.readLong(), str(in), str(in), strs(in), str(in),
            in.readLong()));
      }
      for (int c = 0; c < d.states.size(); c++) {
        Correlation rule = d.set.nodes.get(c).rule();
        for (int n = in.readInt(); n > 0; n--) {
          Key key = new Key(str(in), strs(in));
          Group g = new Group(key, rule);
          long last = in.readLong();
          for (int w = in.readInt(); w > 0; w--) {
            g.add(entry(in));
          }
          g.last = last;
          if (in.readBoolean()) {
            Episode e = new Episode();
            e.events.addAll(Arrays.asList(refs(in)));
            for (int p = in.readInt(); p > 0; p--) {
              e.pending.add(entry(in));
            }
            e.first = in.readLong();
            e.lastFiring = in.readLong();
            e.seen = in.readLong();
            e.firings = in.readInt();
            e.host = str(in);
            e.mixedHosts = in.readBoolean();
            g.episode = e;
          }
          d.states.get(c).put(key, g);
        }
      }
      if (in.read() != -1) {
        throw new java.io.IOException("trailing bytes");
      }
      return true;
    }

    private static void entry(java.io.DataOutputStream out, Entry e) throws java.io.IOException {
      out.writeLong(e.time());
      out.writeInt(e.position());
      str(out, e.value());
      str(out, e.host());
      refs(out, e.refs());
    }

    private static Entry entry(java.io.DataInputStream in) throws java.io.IOException {
      return new Entry(in.readLong(), in.readInt(), str(in), str(in), refs(in));
    }

    private static void refs(java.io.DataOutputStream out, EventRef[] refs) throws java.io.IOException {
      out.writeInt(refs.length);
      for (EventRef r : refs) {
        str(out, r.source());
        out.writeLong(r.record());
        out.writeLong(r.timestamp());
      }
    }

    private static EventRef[] refs(java.io.DataInputStream in) throws java.io.IOException {
      EventRef[] r = new EventRef[in.readInt()];
      for (int i = 0; i < r.length; i++) {
        r[i] = new EventRef(str(in), in.readLong(), in.readLong());
      }
      return r;
    }

    private static void strs(java.io.DataOutputStream out, String[] values) throws java.io.IOException {
      out.writeInt(values.length);
      for (String v : values) {
        str(out, v);
      }
    }

    private static String[] strs(java.io.DataInputStream in) throws java.io.IOException {
      String[] v = new String[in.readInt()];
      for (int i = 0; i < v.length; i++) {
        v[i] = str(in);
      }
      return v;
    }

    private static void str(java.io.DataOutputStream out, String s) throws java.io.IOException {
      if (s == null) {
        out.writeInt(-1);
        return;
      }
      byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    }

    private static String str(java.io.DataInputStream in) throws java.io.IOException {
      int n = in.readInt();
      return n < 0 ? null : new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** The newest hit time seen, or {@code Long.MIN_VALUE}. */
  public long maxSeen() {
    return maxSeen;
  }

  /** Current counters. */
  public Stats stats() {
    long groups = states.stream().mapToLong(Map::size).sum();
    return new Stats(hits, late, dropped, groups, entries, alerts);
  }

  private void release(long watermark) {
    while (!pending.isEmpty() && pending.peek().timestamp() < watermark) {
      CorrelationHit h = pending.poll();
      process(h);
    }
    if (watermark > released) {
      released = watermark;
    }
  }

  private void process(CorrelationHit h) {
    int in = h.input();
    EventRef[] refs = {new EventRef(h.source(), h.record(), h.timestamp())};
    for (int i = 0; i < targets[in].length; i++) {
      int c = targets[in][i];
      int p = targetPositions[in][i];
      Correlations.Node n = set.nodes.get(c);
      String[] group = pick(h.values(), n.groupFields()[p]);
      int vf = n.valueField()[p];
      feed(c, p, h.timestamp(), h.institution(), h.host(), group, vf < 0 ? null : h.values()[vf], refs);
    }
  }

  private static String[] pick(String[] values, int[] at) {
    String[] g = new String[at.length];
    for (int i = 0; i < at.length; i++) {
      g[i] = at[i] < 0 ? null : values[at[i]];
    }
    return g;
  }

  /** One hit of input position {@code p} of correlation {@code c}. */
  private void feed(int c, int p, long now, String institution, String host, String[] group, String value,
      EventRef[] refs) {
    Correlations.Node n = set.nodes.get(c);
    long span = n.rule().timespan();
    expire(c, now - span);
    Map<Key, Group> state = states.get(c);
    Key key = new Key(institution, group);
    Group g = state.get(key);
    if (g == null && entries >= options.maxEntries()) {
      dropped++;
      return;
    }
    if (g == null) {
      g = new Group(key, n.rule());
      state.put(key, g);
    }
    entries -= g.evict(now - span);
    if (entries >= options.maxEntries()) {
      dropped++;
      return;
    }
    g.add(new Entry(now, p, value, host, refs));
    entries++;
    boolean fired = g.fires();
    episode(c, g, now, fired);
    if (fired && n.parents().length > 0) {
      EventRef[] window = g.refs(MAX_EVENTS);
      for (int i = 0; i < n.parents().length; i++) {
        int parent = n.parents()[i];
        int pp = n.parentPositions()[i];
        Correlations.Node pn = set.nodes.get(parent);
        String[] pg = pick(group, pn.groupFields()[pp]);
        int vf = pn.valueField()[pp];
        feed(parent, pp, now, institution, g.host(), pg, vf < 0 ? null : group[vf], window);
      }
    }
  }

  private void episode(int c, Group g, long now, boolean fired) {
    long span = set.nodes.get(c).rule().timespan();
    if (g.episode != null && now - g.episode.lastFiring > span) {
      close(c, g);
    }
    if (fired) {
      if (g.episode == null) {
        g.episode = new Episode();
        for (Entry e : g.window) {
          g.episode.add(e);
        }
      } else {
        g.episode.pending.forEach(g.episode::add);
        g.episode.add(g.window.peekLast());
      }
      g.episode.pending.clear();
      g.episode.lastFiring = now;
      g.episode.firings++;
      if (firing != null && g.episode.firings == 1) {
        firing.accept(g.episode.alert(set.nodes.get(c).rule(), g.key));
      }
    } else if (g.episode != null && g.episode.events.size() + g.episode.pending.size() < MAX_EVENTS) {
      g.episode.pending.add(g.window.peekLast());
    }
  }

  private void expire(int c, long cutoff) {
    Iterator<Group> it = states.get(c).values().iterator();
    while (it.hasNext()) {
      Group g = it.next();
      if (g.last >= cutoff) {
        break;
      }
      close(c, g);
      entries -= g.window.size();
      it.remove();
    }
  }

  private void close(int c, Group g) {
    Episode e = g.episode;
    if (e == null) {
      return;
    }
    g.episode = null;
    alerts++;
    out.accept(e.alert(set.nodes.get(c).rule(), g.key));
  }

  /** Institution plus group-by values (nulls allowed). */
  private static final class Key {
    final String institution;
    final String[] values;
    final int hash;

    Key(String institution, String[] values) {
      this.institution = institution;
      this.values = values;
      this.hash = 31 * java.util.Objects.hashCode(institution) + Arrays.hashCode(values);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && hash == k.hash && java.util.Objects.equals(institution, k.institution)
          && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** One hit in a window: time, which referenced rule, the condition field's value, its events. */
  private record Entry(long time, int position, String value, String host, EventRef[] refs) {}

  /** Window and counts of one group. Mutable; owned by the detector. */
  private static final class Group {
    final Key key;
    final Correlation rule;
    final ArrayDeque<Entry> window = new ArrayDeque<>();
    final int[] perRule;
    final HashMap<String, Integer> distinct = new HashMap<>();
    long last;
    Episode episode;

    Group(Key key, Correlation rule) {
      this.key = key;
      this.rule = rule;
      this.perRule = new int[rule.rules().size()];
    }

    void add(Entry e) {
      window.addLast(e);
      last = e.time();
      perRule[e.position()]++;
      if (e.value() != null) {
        distinct.merge(e.value(), 1, Integer::sum);
      }
    }

    /** Drops entries before the cutoff; returns how many. */
    int evict(long cutoff) {
      int n = 0;
      while (!window.isEmpty() && window.peekFirst().time() < cutoff) {
        Entry e = window.pollFirst();
        perRule[e.position()]--;
        if (e.value() != null && distinct.merge(e.value(), -1, Integer::sum) == 0) {
          distinct.remove(e.value());
        }
        n++;
      }
      return n;
    }

    boolean fires() {
      Correlation.Bounds b = rule.condition();
      return switch (rule.type()) {
        case EVENT_COUNT -> b.test(window.size());
        case VALUE_COUNT -> b.test(distinct.size());
        case TEMPORAL -> b.test(Arrays.stream(perRule).filter(x -> x > 0).count());
        case TEMPORAL_ORDERED -> ordered();
        case VALUE_SUM, VALUE_AVG, VALUE_MEDIAN, VALUE_PERCENTILE -> metric(b);
      };
    }

    private boolean ordered() {
      int next = 0;
      for (Entry e : window) {
        if (e.position() == next && ++next == perRule.length) {
          return true;
        }
      }
      return false;
    }

    private boolean metric(Correlation.Bounds b) {
      double[] v = new double[window.size()];
      int n = 0;
      for (Entry e : window) {
        double d = Metrics.number(e.value());
        if (!Double.isNaN(d)) {
          v[n++] = d;
        }
      }
      return n > 0 && b.test(Metrics.aggregate(rule.type(), b.percentile(), Arrays.copyOf(v, n)));
    }

    EventRef[] refs(int max) {
      LinkedHashSet<EventRef> s = new LinkedHashSet<>();
      for (Entry e : window) {
        for (EventRef r : e.refs()) {
          if (s.size() >= max) {
            return s.toArray(new EventRef[0]);
          }
          s.add(r);
        }
      }
      return s.toArray(new EventRef[0]);
    }

    String host() {
      String h = null;
      for (Entry e : window) {
        if (h == null) {
          h = e.host();
        } else if (e.host() != null && !h.equals(e.host())) {
          return null;
        }
      }
      return h;
    }
  }

  /** Merged firings of one group, not yet emitted. */
  private static final class Episode {
    final LinkedHashSet<EventRef> events = new LinkedHashSet<>();
    final List<Entry> pending = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long lastFiring;
    long seen;
    int firings;
    String host;
    boolean mixedHosts;

    void add(Entry e) {
      if (e.host() != null) {
        mixedHosts |= host != null && !host.equals(e.host());
        host = host == null ? e.host() : host;
      }
      for (EventRef r : e.refs()) {
        first = Math.min(first, r.timestamp());
        if (events.size() < MAX_EVENTS && events.add(r)) {
          seen++;
        } else if (!events.contains(r)) {
          seen++;
        }
      }
    }

    Alert alert(Correlation c, Key key) {
      Map<String, String> group = new LinkedHashMap<>();
      for (int i = 0; i < c.groupBy().size(); i++) {
        group.put(c.groupBy().get(i), key.values[i]);
      }
      List<EventRef> refs = new ArrayList<>(events);
      refs.sort(Comparator.comparingLong(EventRef::timestamp).thenComparing(EventRef::source,
          Comparator.nullsFirst(Comparator.naturalOrder())).thenComparingLong(EventRef::record));
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("correlation", c.type().spec());
      group.forEach((k, v) -> fields.put(k, v == null ? "null" : v));
      fields.put("events", seen > MAX_EVENTS ? seen + " (first " + MAX_EVENTS + " listed)" : Long.toString(seen));
      EventRef head = refs.isEmpty() ? new EventRef(null, 0, first) : refs.get(0);
      return new Alert("correlation", c.id(), c.title(), c.level(), c.author(), c.tags(), first, key.institution,
          mixedHosts ? null : host, null, -1, head.source(), head.record(), java.util.Collections.unmodifiableMap(fields),
          java.util.Collections.unmodifiableMap(group),
          Math.max(lastFiring, refs.isEmpty() ? first : refs.get(refs.size() - 1).timestamp()), List.copyOf(refs));
    }
  }
}
