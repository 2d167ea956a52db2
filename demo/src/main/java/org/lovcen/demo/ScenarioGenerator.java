package org.lovcen.demo;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.lovcen.core.Timestamps;
import org.lovcen.demo.AttackPlan.Planned;
import org.lovcen.demo.Org.Host;

/*
 * How and why: each institution is generated on its own, one after the other, so at most four
 * output files are open and memory stays flat whatever the event count. Ordinary events are
 * drawn minute by minute: the minute's share of the total follows a working-day curve
 * (Montenegro local time, UTC+2 in summer; quiet nights and weekends), its events get sorted
 * random offsets within the minute, and each goes to a workstation or a server with the
 * minute's odds (servers dominate at night). The attack plan of the institution, a few hundred
 * events built up front and sorted, is merged in by time. Because every event of an institution
 * is written in time order, each channel file is sorted and each host's EventRecordIDs grow.
 * All randomness comes from SplittableRandom instances split off the seed, so one seed gives
 * the same bytes on every run.
 */
/**
 * Generates demo Windows event logs: ordinary activity of government institutions with the
 * August 2022 ransomware intrusion (SCENARIO.md, wave A) woven in, as evtx_dump-style JSON
 * lines plus a ground-truth file naming every attack event.
 *
 * <p>Files written under the output folder:
 *
 * <ul>
 *   <li>{@code <institution>/sysmon.jsonl}, {@code security.jsonl}, {@code system.jsonl},
 *       {@code powershell.jsonl}: one event per line, sorted by time;
 *   <li>{@code ground-truth.jsonl}: one line per attack event with its file, line (1-based),
 *       institution, host, time, channel, EventID, EventRecordID, attack step, ATT&CK technique and
 *       the project rules (file names under {@code rules/lovcen}) that must match it;
 *   <li>{@code institutions.json}: the institutions generated, their titles and whether the
 *       actor hit them.
 * </ul>
 *
 * <p>Stateless; the static methods are thread-safe (each call owns its state).
 */
public final class ScenarioGenerator {
  private static final long MIN = 60_000_000L;
  /** Local time offset of the institutions (CEST) in micros. */
  private static final long LOCAL_OFFSET = 2 * 60 * MIN;
  /** Relative workstation activity per local hour of a working day. */
  private static final double[] WORKDAY = {0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.15, 0.7, 1.0, 1.0, 0.95, 0.9,
      0.75, 0.9, 0.85, 0.45, 0.2, 0.1, 0.06, 0.05, 0.04, 0.03, 0.02, 0.02};
  /** Activity of one server relative to one busy workstation. */
  private static final double SERVER_WEIGHT = 6.0;

  private ScenarioGenerator() {}

  /**
   * What to generate.
   *
   * @param seed         all randomness derives from it: the same options give the same bytes
   * @param hosts        hosts per institution, servers included (at least 12)
   * @param events       ordinary events in total, shared evenly by the institutions (attack
   *                     events come on top)
   * @param institutions number of institutions (1 to many; names repeat with a suffix after 12)
   * @param start        first instant of the time span
   * @param span         length of the time span (at least one hour)
   * @param actorTargets -1: the actor hits the first institution and then three in four (the
   *                     default); otherwise it hits exactly the first {@code actorTargets}
   *                     institutions, and each other institution shows unrelated activity that
   *                     the same rules flag (an administrator's domain discovery, an installer
   *                     running as a service from a temporary folder), which must join no campaign
   */
  public record Options(long seed, int hosts, long events, int institutions, Instant start, Duration span,
      int actorTargets) {
    /** 2022-08-22 06:00 local time (04:00 UTC): a Monday of the August 2022 attacks. */
    public static final Instant DEFAULT_START = Instant.parse("2022-08-22T04:00:00Z");

    public Options {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(span, "span");
      if (hosts < 12) {
        throw new IllegalArgumentException("hosts must be at least 12, got " + hosts);
      }
      if (events < 0) {
        throw new IllegalArgumentException("events must not be negative, got " + events);
      }
      if (institutions < 1) {
        throw new IllegalArgumentException("institutions must be at least 1, got " + institutions);
      }
      if (span.compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException("span must be at least 1h, got " + span);
      }
      if (actorTargets < -1 || actorTargets > institutions) {
        throw new IllegalArgumentException("actorTargets must be -1 or 0 to " + institutions + ", got "
            + actorTargets);
      }
    }

    /** The options with the default choice of institutions the actor hits. */
    public Options(long seed, int hosts, long events, int institutions, Instant start, Duration span) {
      this(seed, hosts, events, institutions, start, span, -1);
    }

    /** The small demo: one institution, 300 hosts, 50,000 ordinary events over a working day. */
    public static Options defaults() {
      return new Options(20220822L, 300, 50_000, 1, DEFAULT_START, Duration.ofHours(12));
    }

    public Options withSeed(long seed) {
      return new Options(seed, hosts, events, institutions, start, span, actorTargets);
    }

    public Options withHosts(int hosts) {
      return new Options(seed, hosts, events, institutions, start, span, actorTargets);
    }

    public Options withEvents(long events) {
      return new Options(seed, hosts, events, institutions, start, span, actorTargets);
    }

    public Options withInstitutions(int institutions) {
      return new Options(seed, hosts, events, institutions, start, span, actorTargets);
    }

    public Options withSpan(Instant start, Duration span) {
      return new Options(seed, hosts, events, institutions, start, span, actorTargets);
    }

    /** The actor hits exactly the first {@code n} institutions; the others get unrelated noise. */
    public Options withActorTargets(int n) {
      return new Options(seed, hosts, events, institutions, start, span, n);
    }

    /** Whether the actor hits institution {@code i} (0-based). */
    public boolean hits(int i) {
      return actorTargets < 0 ? hit(i) : i < actorTargets;
    }
  }

  /**
   * What was generated.
   *
   * @param events       events written, ordinary and attack
   * @param attackEvents attack events written (lines of the ground truth)
   * @param bytes        bytes of event data written
   * @param institutions institution ids, in order; those hit by the actor are in {@code hit}
   * @param hit          institution ids where the intrusion was injected
   * @param elapsed      wall time taken
   */
  public record Summary(long events, long attackEvents, long bytes, List<String> institutions, List<String> hit,
      Duration elapsed) {
    /** Events per second over the whole run. */
    public double eventsPerSecond() {
      return events / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }
  }

  /**
   * Writes the scenario into {@code outDir} (created if missing; existing files are replaced).
   *
   * @throws UncheckedIOException when writing fails
   */
  public static Summary generate(Path outDir, Options options) {
    try {
      Files.createDirectories(outDir);
      try (OutputStream gt = new BufferedOutputStream(Files.newOutputStream(outDir.resolve("ground-truth.jsonl")),
          1 << 16)) {
        Summary s = run(options, new FileSinks(outDir), gt);
        Files.writeString(outDir.resolve("institutions.json"), institutionsJson(options, s));
        return s;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The command-line entry: {@code lovcen demo generate OUT [--seed N] [--hosts N] [--events N]
   * [--institutions N]} maps onto this.
   */
  public static Summary generate(Path outDir, long seed, int hosts, long events, int institutions) {
    return generate(outDir, Options.defaults().withSeed(seed).withHosts(hosts).withEvents(events)
        .withInstitutions(institutions));
  }

  /**
   * Writes the same events as {@link #generate(Path, Options)}, in the same order per
   * institution, all into one stream (channels interleaved by time), without ground truth. For
   * benchmarks and piping. The stream is flushed, not closed.
   */
  public static Summary writeTo(OutputStream out, Options options) {
    try {
      StreamSinks sinks = new StreamSinks(out);
      Summary s = run(options, sinks, null);
      sinks.out.flush();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Which institutions the actor hits: the first always, then three in four. */
  static boolean hit(int institution) {
    return institution == 0 || institution % 4 != 3;
  }

  // ------------------------------------------------------------------ the run

  private static Summary run(Options o, Sinks sinks, OutputStream groundTruth) throws IOException {
    long began = System.nanoTime();
    long start = o.start().getEpochSecond() * 1_000_000L + o.start().getNano() / 1000;
    long spanMicros = o.span().toNanos() / 1000;
    long[] counts = new long[3];
    List<String> ids = new ArrayList<>();
    List<String> hitIds = new ArrayList<>();
    int hits = 0;
    for (int i = 0; i < o.institutions(); i++) {
      hits += o.hits(i) ? 1 : 0;
    }
    double scale = Math.min(1.0, spanMicros / (12.0 * 60 * MIN));
    long chainStart = start + (long) (spanMicros * 0.625);
    long stagger = hits <= 1 ? 0 : Math.min(25 * MIN, (long) (spanMicros * 0.12) / (hits - 1));
    int nth = 0;
    for (int i = 0; i < o.institutions(); i++) {
      SplittableRandom root = new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + 31L * i + 7);
      Org org = new Org(i, o.hosts(), root.split());
      SplittableRandom attackRandom = root.split();
      SplittableRandom ordinaryRandom = root.split();
      ids.add(org.id);
      List<Planned> plan = List.of();
      if (o.hits(i)) {
        hitIds.add(org.id);
        plan = AttackPlan.build(org, attackRandom, chainStart + nth++ * stagger, scale, start, start + spanMicros);
      } else if (o.actorTargets() >= 0) {
        plan = AttackPlan.noise(org, attackRandom, start, start + spanMicros);
      }
      long events = o.events() / o.institutions() + (i == 0 ? o.events() % o.institutions() : 0);
      new InstitutionRun(org, plan, ordinaryRandom, sinks, groundTruth, counts).run(start, spanMicros, events);
    }
    return new Summary(counts[0], counts[1], counts[2], List.copyOf(ids), List.copyOf(hitIds),
        Duration.ofNanos(System.nanoTime() - began));
  }

  /** Generates one institution's events. */
  private static final class InstitutionRun {
    private final Org org;
    private final List<Planned> plan;
    private final SplittableRandom r;
    private final Sinks sinks;
    private final OutputStream groundTruth;
    private final long[] counts;
    private final Events ev = new Events();
    private final OrdinaryActivity ordinary;
    private final StringBuilder gt = new StringBuilder(512);
    private int next;

    InstitutionRun(Org org, List<Planned> plan, SplittableRandom r, Sinks sinks, OutputStream groundTruth,
        long[] counts) {
      this.org = org;
      this.plan = plan;
      this.r = r;
      this.sinks = sinks;
      this.groundTruth = groundTruth;
      this.counts = counts;
      ev.org(org);
      this.ordinary = new OrdinaryActivity(org, ev, r);
    }

    void run(long start, long span, long events) throws IOException {
      sinks.open(org.id);
      try {
        int minutes = (int) Math.max(1, (span + MIN - 1) / MIN);
        double[] weight = new double[minutes];
        double[] serverShare = new double[minutes];
        double total = 0;
        double servers = org.servers.size() * SERVER_WEIGHT;
        for (int m = 0; m < minutes; m++) {
          double ws = org.workstations.size() * activity(start + m * MIN);
          weight[m] = ws + servers;
          serverShare[m] = servers / weight[m];
          total += weight[m];
        }
        long[] offsets = new long[64];
        double cumulative = 0;
        long done = 0;
        for (int m = 0; m < minutes; m++) {
          cumulative += weight[m];
          long upTo = m == minutes - 1 ? events : Math.min(events, (long) (cumulative / total * events));
          int k = (int) (upTo - done);
          done = upTo;
          long minuteStart = start + m * MIN;
          long width = Math.min(MIN, start + span - minuteStart);
          if (offsets.length < k) {
            offsets = new long[Math.max(k, offsets.length * 2)];
          }
          for (int j = 0; j < k; j++) {
            offsets[j] = r.nextLong(width);
          }
          Arrays.sort(offsets, 0, k);
          for (int j = 0; j < k; j++) {
            long t = minuteStart + offsets[j];
            flushPlan(t);
            Channel ch = ordinary.next(t, r.nextDouble() < serverShare[m]);
            emit(ch);
          }
        }
        flushPlan(Long.MAX_VALUE);
      } finally {
        sinks.close();
      }
    }

    private void flushPlan(long upTo) throws IOException {
      while (next < plan.size() && plan.get(next).time() <= upTo) {
        Planned p = plan.get(next++);
        Channel ch = p.body().write(ev);
        long line = emit(ch);
        counts[1]++;
        if (groundTruth != null) {
          groundTruth(p, ch, line);
        }
      }
    }

    private long emit(Channel ch) throws IOException {
      counts[0]++;
      counts[2] += ev.w.length();
      return sinks.write(ch, ev.w);
    }

    private void groundTruth(Planned p, Channel ch, long line) throws IOException {
      Host h = p.host();
      gt.setLength(0);
      gt.append("{\"institution\":\"").append(org.id).append("\",\"file\":\"").append(org.id).append('/')
          .append(ch.file).append("\",\"line\":").append(line).append(",\"host\":\"").append(h.fqdn)
          .append("\",\"time\":\"").append(Timestamps.format(p.time())).append("\",\"channel\":\"")
          .append(ch.channelName).append("\",\"event_id\":").append(ev.w.eventId()).append(",\"record\":")
          .append(ev.w.record()).append(",\"step\":\"").append(p.step()).append("\",\"technique\":\"")
          .append(p.technique()).append("\",\"rules\":[");
      for (int i = 0; i < p.rules().size(); i++) {
        gt.append(i == 0 ? "\"" : ",\"").append(p.rules().get(i)).append('"');
      }
      gt.append("]}\n");
      groundTruth.write(gt.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Workstation activity (0..1) at a UTC instant, from the local working-day curve. */
  static double activity(long micros) {
    long local = micros + LOCAL_OFFSET;
    long day = Math.floorDiv(local, 24 * 60 * MIN);
    int dow = Math.floorMod(day + 3, 7); // 1970-01-01 was a Thursday; 0 = Monday
    double minuteOfDay = Math.floorMod(local, 24 * 60 * MIN) / (double) MIN;
    double h = minuteOfDay / 60.0 - 0.5;
    int h0 = (int) Math.floor(h);
    double f = h - h0;
    double v = WORKDAY[Math.floorMod(h0, 24)] * (1 - f) + WORKDAY[Math.floorMod(h0 + 1, 24)] * f;
    return dow >= 5 ? v * 0.05 : v;
  }

  private static String institutionsJson(Options o, Summary s) {
    StringBuilder b = new StringBuilder("[\n");
    for (int i = 0; i < o.institutions(); i++) {
      String[] inst = Org.INSTITUTIONS[i % Org.INSTITUTIONS.length];
      String id = s.institutions().get(i);
      String title = i < Org.INSTITUTIONS.length ? inst[1] : inst[1] + " " + (i / Org.INSTITUTIONS.length + 1);
      b.append(String.format(Locale.ROOT, "  {\"id\":\"%s\",\"title\":\"%s\",\"domain\":\"%s.gov.local\",\"hit\":%s}%s%n",
          id, title, id, s.hit().contains(id), i == o.institutions() - 1 ? "" : ","));
    }
    return b.append("]\n").toString();
  }

  // ------------------------------------------------------------------ outputs

  /** Where events go: per institution and channel. */
  private interface Sinks {
    void open(String institution) throws IOException;

    /** Writes the event and returns its line number (1-based) in its file. */
    long write(Channel ch, JsonLineWriter w) throws IOException;

    void close() throws IOException;
  }

  /** One file per institution and channel. */
  private static final class FileSinks implements Sinks {
    private final Path root;
    private final OutputStream[] out = new OutputStream[Channel.values().length];
    private final long[] lines = new long[Channel.values().length];

    FileSinks(Path root) {
      this.root = root;
    }

    @Override
    public void open(String institution) throws IOException {
      Path dir = root.resolve(institution);
      Files.createDirectories(dir);
      for (Channel ch : Channel.values()) {
        out[ch.ordinal()] = new BufferedOutputStream(Files.newOutputStream(dir.resolve(ch.file)), 1 << 18);
        lines[ch.ordinal()] = 0;
      }
    }

    @Override
    public long write(Channel ch, JsonLineWriter w) throws IOException {
      w.writeTo(out[ch.ordinal()]);
      return ++lines[ch.ordinal()];
    }

    @Override
    public void close() throws IOException {
      IOException first = null;
      for (int i = 0; i < out.length; i++) {
        try {
          if (out[i] != null) {
            out[i].close();
          }
        } catch (IOException e) {
          first = first == null ? e : first;
        }
        out[i] = null;
      }
      if (first != null) {
        throw first;
      }
    }
  }

  /** Everything into one stream. */
  private static final class StreamSinks implements Sinks {
    final OutputStream out;
    private long lines;

    StreamSinks(OutputStream out) {
      this.out = new BufferedOutputStream(out, 1 << 18);
    }

    @Override
    public void open(String institution) {}

    @Override
    public long write(Channel ch, JsonLineWriter w) throws IOException {
      w.writeTo(out);
      return ++lines;
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
