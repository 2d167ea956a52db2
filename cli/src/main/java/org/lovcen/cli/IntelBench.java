package org.lovcen.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.lovcen.core.Event;
import org.lovcen.intel.IndicatorMatcher;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.intel.Intel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/*
 * How and why: generates a seeded list of mixed indicators (addresses, CIDR blocks, IPv6,
 * domains, URLs, MD5/SHA-1/SHA-256 hashes, file names) as CSV and as a STIX bundle, then measures
 * what an operator waits for: load plus compile time and the heap the compiled set keeps (after a
 * full collection), and the matcher alone over synthetic events whose fields the matcher reads,
 * a few of them hits. Hunt throughput with and without the indicators is measured by
 * 'lovcen bench --indicators'.
 */
/** {@code lovcen intel bench}: load time, memory and matching throughput of many indicators. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Generates N mixed indicators, measures load time, memory and matching throughput.")
final class IntelBench implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "Folder for the generated files (kept).")
  Path dir;

  @Option(names = "--count", defaultValue = "1000000", description = "Indicators (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--format", defaultValue = "stix", description = "stix or csv (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--events", defaultValue = "2000000", description = "Events to match (default: ${DEFAULT-VALUE}).")
  int events;

  @Override
  public Integer call() throws IOException {
    Files.createDirectories(dir);
    Path f = dir.resolve(format.equals("csv") ? "indicators.csv" : "indicators.json");
    if (!Files.exists(f)) {
      generate(f, count, format.equals("csv"));
    }
    System.gc();
    long heap0 = used();
    Phase read = new Phase();
    Intel.Loaded l = Intel.load(List.of(f));
    read.stop();
    Phase compile = new Phase();
    IndicatorSet set = l.compile();
    compile.stop();
    l = null;
    System.gc();
    long heap = used() - heap0;
    out("load: %,d indicators from %s (%,.0f MB) in %.2f s; compiled set retains %,d MB of heap", set.size(),
        f.getFileName(), Files.size(f) / 1e6, read.wall + compile.wall, heap >> 20);
    out("  read:    %s", read);
    out("  compile: %s", compile);
    match(set);
    return 0;
  }

  /** Wall time, this thread's CPU time and the collectors' time of one phase. */
  private static final class Phase {
    private final long wall0 = System.nanoTime();
    private final long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    private final long gc0 = gcMillis();
    private final long proc0 = processCpu();
    double wall;
    double cpu;
    double gc;
    double proc;

    void stop() {
      wall = (System.nanoTime() - wall0) / 1e9;
      cpu = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1e9;
      gc = (gcMillis() - gc0) / 1e3;
      proc = (processCpu() - proc0) / 1e9;
    }

    private static long processCpu() {
      return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
          ? os.getProcessCpuTime() : 0;
    }

    private static long gcMillis() {
      long ms = 0;
      for (var b : ManagementFactory.getGarbageCollectorMXBeans()) {
        ms += Math.max(0, b.getCollectionTime());
      }
      return ms;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2f s wall, %.2f s CPU of this thread, %.2f s CPU of the process, %.2f s in GC "
          + "pauses", wall, cpu, proc, gc);
    }
  }

  private void match(IndicatorSet set) {
    Random r = new Random(1);
    Event[] pool = new Event[4096];
    for (int i = 0; i < pool.length; i++) {
      Event e = new Event();
      e.add("Image", "C:\\\\Windows\\\\System32\\\\svchost" + r.nextInt(50) + ".exe");
      e.add("Hashes", "MD5=" + hex(r, 32) + ",SHA256=" + hex(r, 64) + ",IMPHASH=" + hex(r, 32));
      e.add("DestinationIp", i % 512 == 0 ? "10.0." + (i & 255) + ".7" : ip(r));
      e.add("QueryName", "host" + r.nextInt(100000) + ".example" + r.nextInt(1000) + ".com");
      e.add("url.full", "http://site" + r.nextInt(100000) + ".example.org/path/" + r.nextInt(1000));
      pool[i] = e;
    }
    IndicatorMatcher m = set.matcher();
    long[] hits = {0};
    var mx = ManagementFactory.getThreadMXBean();
    for (int pass = 0; pass < 2; pass++) {
      hits[0] = 0;
      long c0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < events; i++) {
        m.match(pool[i & (pool.length - 1)], a -> hits[0]++);
      }
      double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
      out("match pass %d: %,d events (5 matched fields each), %,d alerts, %,.0f events/s per core", pass + 1, events,
          hits[0], events / cpu);
    }
  }

  static void generate(Path f, int n, boolean csv) throws IOException {
    Random r = new Random(20220822);
    try (Writer w = new BufferedWriter(Files.newBufferedWriter(f, StandardCharsets.UTF_8), 1 << 20)) {
      w.write(csv ? "type,value,confidence,tlp\n" : "{\"type\": \"bundle\", \"id\": \"bundle--5d0092c5-5f74-4287-9642-"
          + "33f4c354e56d\", \"objects\": [\n");
      for (int i = 0; i < n; i++) {
        String[] tv = indicator(r, i);
        if (csv) {
          w.write(tv[0] + "," + tv[1] + "," + (50 + i % 50) + ",amber\n");
        } else {
          w.write((i > 0 ? ",\n" : "") + "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--"
              + new java.util.UUID(r.nextLong(), r.nextLong()) + "\", \"created\": \"2022-08-01T00:00:00Z\", "
              + "\"modified\": \"2022-08-01T00:00:00Z\", \"pattern\": \"[" + tv[2] + " = '" + tv[1]
              + "']\", \"pattern_type\": \"stix\", \"valid_from\": \"2022-08-01T00:00:00Z\", \"confidence\": "
              + (50 + i % 50) + ", \"object_marking_refs\": [\"marking-definition--55d920b0-5e8b-4f79-9ee9-"
              + "91f868d9b421\"]}");
        }
      }
      w.write(csv ? "" : "\n]}\n");
    }
  }

  private static String[] indicator(Random r, int i) {
    return switch (i % 10) {
      case 0, 1 -> new String[] {"ip-dst", ip(r), "ipv4-addr:value"};
      case 2 -> new String[] {"ip-dst", "10." + r.nextInt(256) + "." + r.nextInt(256) + ".0/24", "ipv4-addr:value"};
      case 3 -> new String[] {"ip-dst", "2001:db8:" + Integer.toHexString(r.nextInt(65536)) + "::"
          + Integer.toHexString(r.nextInt(65536)), "ipv6-addr:value"};
      case 4, 5 -> new String[] {"domain", "d" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36) + ".example.net",
          "domain-name:value"};
      case 6 -> new String[] {"url", "http://u" + Integer.toString(r.nextInt(Integer.MAX_VALUE), 36)
          + ".example.biz/p/" + r.nextInt(100000), "url:value"};
      case 7 -> new String[] {"md5", hex(r, 32), "file:hashes.MD5"};
      case 8 -> new String[] {"sha256", hex(r, 64), "file:hashes.'SHA-256'"};
      default -> i % 20 == 9 ? new String[] {"sha1", hex(r, 40), "file:hashes.'SHA-1'"}
          : new String[] {"filename", "f" + Integer.toString(r.nextInt(Integer.MAX_VALUE), 36) + ".exe", "file:name"};
    };
  }

  private static String ip(Random r) {
    return (1 + r.nextInt(223)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
  }

  private static String hex(Random r, int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append(Character.forDigit(r.nextInt(16), 16));
    }
    return b.toString();
  }

  private static long used() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static void out(String fmt, Object... args) {
    System.out.println(String.format(Locale.ROOT, fmt, args));
  }
}
