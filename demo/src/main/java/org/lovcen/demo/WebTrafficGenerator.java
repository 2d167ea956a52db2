package org.lovcen.demo;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/*
 * How and why: wave B of the reference scenario — election day, 16 October 2016 — as the access
 * logs of five sites (a government portal, a parliament, two news outlets, a citizens' portal),
 * each in a different log format. Normal traffic is reader sessions (a page, its cached assets,
 * a few more pages, referers from search and social media) at a diurnal rate, plus a search
 * engine crawler and an internal monitor, both on allowlisted networks. A news surge (many new
 * readers of one article) hits one outlet. Injected attacks, each written to the ground truth:
 * a single-source flood, a scan, a login brute force, exploit attempts, a distributed low-rate
 * flood from thousands of addresses (each under any per-address limit) against two sites at
 * once, and an outage (errors, then silence). Everything derives from the seed.
 */
/** Writes labelled access logs for tests and demos. Stateless; each call uses its own Random. */
public final class WebTrafficGenerator {
  /** Day of the scenario (UTC midnight), in seconds. */
  public static final long DAY = Instant.parse("2016-10-16T00:00:00Z").getEpochSecond();

  /** Generator parameters. */
  public record Options(long seed, double scale, int botnet) {
    /** Seed 20161016, full scale, 2,000 flooding addresses. */
    public static Options defaults() {
      return new Options(20161016L, 1.0, 2000);
    }

    public Options withSeed(long s) {
      return new Options(s, scale, botnet);
    }

    public Options withScale(double s) {
      return new Options(seed, s, botnet);
    }
  }

  /** What was written. */
  public record Summary(long lines, long attackLines, List<String> sites, Path groundTruth) {}

  /** One injected attack, as the ground truth names it. */
  public record Attack(String type, List<String> sites, long start, long end, List<String> sources) {}

  private static final String[] AGENTS = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2785.143 Safari/537.36",
      "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:49.0) Gecko/20100101 Firefox/49.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 10_0_2 like Mac OS X) AppleWebKit/602.1.50 (KHTML, like Gecko) Version/10.0 Mobile/14A456 Safari/602.1",
      "Mozilla/5.0 (Linux; Android 6.0.1; SM-G920F Build/MMB29K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2785.124 Mobile Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12) AppleWebKit/602.1.50 (KHTML, like Gecko) Version/10.0 Safari/602.1.50",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.59 Safari/537.36 Edge/14.14393",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2785.116 Safari/537.36",
      "Mozilla/5.0 (Linux; Android 5.1.1; SM-J500FN) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.98 Mobile Safari/537.36"};
  private static final String[] REFERERS = {"https://www.google.me/", "https://www.facebook.com/", "https://t.co/x",
      "https://www.google.com/"};
  private static final String[] ASSETS = {"/static/site.css", "/static/app.js", "/static/logo.png", "/static/fonts/r.woff2"};
  private static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

  /** The sites, their log format and peak requests per second of normal traffic. */
  private record Site(String name, String format, double peak, String[] pages) {}

  private static final List<Site> SITES = List.of(
      new Site("gov", "vhost", 6, pages("/vijesti/", "/ministarstva/", "/dokumenta/", "/izbori/")),
      new Site("vijesti", "extras", 9, pages("/politika/", "/drustvo/", "/svijet/", "/sport/")),
      new Site("cdm", "json", 7, pages("/politika/", "/hronika/", "/kultura/", "/sport/")),
      new Site("skupstina", "combined", 3, pages("/sjednice/", "/zakoni/", "/poslanici/", "/vijesti/")),
      new Site("euprava", "caddy", 4, pages("/usluge/", "/obrasci/", "/vijesti/", "/kontakt/")));

  private static String[] pages(String... sections) {
    return sections;
  }

  private WebTrafficGenerator() {}

  /** One line before formatting. */
  private record Line(long micros, String ip, String method, String target, int status, long bytes, String referer,
      String agent, int millis, String cache, boolean attack) {}

  /**
   * Writes {@code <site>.access.log} (or {@code .json}) per site and {@code web-ground-truth.jsonl}
   * into {@code dir}: 06:00 to 12:00 UTC of election day.
   */
  public static Summary generate(Path dir, Options o) {
    List<Attack> truth = new ArrayList<>();
    List<List<Line>> perSite = play(o, truth);
    try {
      Files.createDirectories(dir);
      long lines = 0;
      long attack = 0;
      for (int i = 0; i < SITES.size(); i++) {
        Site s = SITES.get(i);
        List<Line> ls = perSite.get(i);
        ls.sort((a, b) -> Long.compare(a.micros, b.micros));
        String ext = s.format.equals("json") || s.format.equals("caddy") ? ".access.json" : ".access.log";
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(s.name + ext), StandardCharsets.UTF_8)) {
          for (Line l : ls) {
            w.write(render(s, l));
            w.write('\n');
            lines++;
            attack += l.attack ? 1 : 0;
          }
        }
      }
      Path gt = dir.resolve("web-ground-truth.jsonl");
      try (BufferedWriter w = Files.newBufferedWriter(gt, StandardCharsets.UTF_8)) {
        for (Attack a : truth) {
          w.write(json(a));
          w.write('\n');
        }
      }
      return new Summary(lines, attack, SITES.stream().map(Site::name).toList(), gt);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The attacks the generator injects (same seed, same answer), without writing anything. */
  public static List<Attack> attacks(Options o) {
    List<Attack> truth = new ArrayList<>();
    play(o, truth);
    return truth;
  }

  /** The day's lines per site, ordinary traffic and attacks, with the attacks added to {@code truth}. */
  private static List<List<Line>> play(Options o, List<Attack> truth) {
    Random rnd = new Random(o.seed());
    List<List<Line>> perSite = new ArrayList<>();
    for (int i = 0; i < SITES.size(); i++) {
      perSite.add(new ArrayList<>());
    }
    long start = (DAY + 6 * 3600) * 1_000_000L;
    long end = (DAY + 12 * 3600) * 1_000_000L;
    for (int i = 0; i < SITES.size(); i++) {
      normal(rnd, SITES.get(i), perSite.get(i), start, end, o.scale(), i == 3 ? at(10, 0) : -1, i == 3 ? at(10, 25) : -1);
    }
    newsSurge(rnd, perSite.get(2), truth, o.scale());
    sourceFlood(rnd, perSite.get(0), truth);
    scan(rnd, perSite.get(3), truth);
    bruteForce(rnd, perSite.get(4), truth);
    exploits(rnd, perSite.get(4), truth);
    distributedFlood(rnd, perSite.get(1), perSite.get(0), truth, o.botnet());
    outage(rnd, perSite.get(3), truth);
    return perSite;
  }

  static long at(int h, int m) {
    return (DAY + h * 3600L + m * 60L) * 1_000_000L;
  }

  private static double diurnal(long micros) {
    double h = ((micros / 1_000_000L) - DAY) / 3600.0;
    return 0.2 + 0.8 * Math.exp(-Math.pow(h - 11.5, 2) / 12);
  }

  private static void normal(Random rnd, Site s, List<Line> out, long start, long end, double scale, long gapFrom,
      long gapTo) {
    for (long t = start; t < end; ) {
      double sessionsPerSec = s.peak * scale * diurnal(t) / 6.0;
      t += (long) (-Math.log(1 - rnd.nextDouble()) / sessionsPerSec * 1e6);
      if (gapFrom >= 0 && t >= gapFrom && t < gapTo) {
        continue;
      }
      session(rnd, s, out, t, reader(rnd), rnd.nextDouble() < 0.5 ? REFERERS[rnd.nextInt(REFERERS.length)] : null,
          1 + rnd.nextInt(3), false);
    }
    for (long t = start; t < end; t += 2_000_000L + rnd.nextInt(2_000_000)) {
      out.add(new Line(t, "66.249.66." + (1 + rnd.nextInt(200)), "GET", page(rnd, s), 200, 20_000, null, GOOGLEBOT,
          40, "MISS", false));
    }
    for (long t = start; t < end; t += 10_000_000L) {
      out.add(new Line(t, "10.20.0.5", "GET", "/health", 200, 2, null, "Zabbix", 3, "MISS", false));
    }
  }

  private static void session(Random rnd, Site s, List<Line> out, long t, String ip, String referer, int pages,
      boolean attack) {
    String agent = AGENTS[Math.floorMod(ip.hashCode(), AGENTS.length)];
    String ref = referer;
    for (int p = 0; p < pages; p++) {
      String page = p == 0 && referer != null && rnd.nextBoolean() ? s.pages[0] + "izbori-2016-uzivo" : page(rnd, s);
      out.add(new Line(t, ip, "GET", page, 200, 30_000 + rnd.nextInt(40_000), ref, agent, 30 + rnd.nextInt(120),
          "MISS", attack));
      for (String a : ASSETS) {
        if (p == 0 || rnd.nextInt(4) == 0) {
          out.add(new Line(t + 50_000 + rnd.nextInt(400_000), ip, "GET", a, 200, 5_000, "https://" + s.name + ".me"
              + page, agent, 1, "HIT", attack));
        }
      }
      ref = "https://" + s.name + ".me" + page;
      t += 10_000_000L + rnd.nextInt(50_000_000);
    }
  }

  private static String page(Random rnd, Site s) {
    return s.pages[rnd.nextInt(s.pages.length)] + "clanak-" + (1000 + rnd.nextInt(400));
  }

  private static String reader(Random rnd) {
    String[] prefixes = {"77.222.", "89.188.", "95.155.", "31.223.", "178.175.", "37.0.", "213.149."};
    return prefixes[rnd.nextInt(prefixes.length)] + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254));
  }

  /** Many new readers of one article: pages with assets, referers from social media, cache hits. */
  private static void newsSurge(Random rnd, List<Line> cdm, List<Attack> truth, double scale) {
    long from = at(8, 0);
    long to = at(8, 20);
    Site s = SITES.get(2);
    for (long t = from; t < to; ) {
      t += (long) (-Math.log(1 - rnd.nextDouble()) / (12 * scale) * 1e6);
      session(rnd, s, cdm, t, reader(rnd), REFERERS[1 + rnd.nextInt(2)], 1 + rnd.nextInt(2), false);
    }
    truth.add(new Attack("news_surge", List.of("cdm"), from, to, List.of()));
  }

  private static void sourceFlood(Random rnd, List<Line> gov, List<Attack> truth) {
    String ip = "185.100.87.66";
    long from = at(7, 30);
    long to = from + 120_000_000L;
    for (long t = from; t < to; t += 20_000 + rnd.nextInt(10_000)) {
      gov.add(new Line(t, ip, "GET", "/?" + rnd.nextInt(1_000_000), 200, 40_000, null, AGENTS[0], 300, "MISS", true));
    }
    truth.add(new Attack("source_flood", List.of("gov"), from, to, List.of(ip)));
  }

  private static void scan(Random rnd, List<Line> site, List<Attack> truth) {
    String ip = "45.155.205.19";
    long from = at(7, 0);
    long t = from;
    String[] words = {"admin", "backup", "wp-admin", ".git/config", ".env", "phpmyadmin", "old", "test", "db", "config",
        "server-status", "cgi-bin", "shell", "upload", "api", "console", "manager/html", "vendor", "debug", "install"};
    for (int i = 0; i < 300; i++, t += 300_000 + rnd.nextInt(300_000)) {
      String p = "/" + words[i % words.length] + (i < words.length ? "" : "/" + i + ".php");
      site.add(new Line(t, ip, "GET", p, 404, 150, null, "Mozilla/5.0 zgrab/0.x", 5, "MISS", true));
    }
    truth.add(new Attack("scan", List.of("skupstina"), from, t, List.of(ip)));
  }

  private static void bruteForce(Random rnd, List<Line> site, List<Attack> truth) {
    String ip = "193.106.191.44";
    long from = at(8, 15);
    long t = from;
    for (int i = 0; i < 200; i++, t += 2_000_000 + rnd.nextInt(2_000_000)) {
      site.add(new Line(t, ip, "POST", "/prijava", 200, 4_000, "https://euprava.me/prijava", AGENTS[1], 80, "MISS",
          true));
    }
    truth.add(new Attack("brute_force", List.of("euprava"), from, t, List.of(ip)));
  }

  private static void exploits(Random rnd, List<Line> site, List<Attack> truth) {
    String ip = "5.188.62.140";
    long from = at(9, 40);
    String[] targets = {"/usluge/pretraga?q=1%27%20UNION%20SELECT%20username,password%20FROM%20users--",
        "/obrasci/download?file=../../../etc/passwd", "/api/status?x=1&id=2%20UNION%20ALL%20SELECT%20NULL,NULL",
        "/obrasci/download?file=..%252f..%252f..%252fetc%252fpasswd"};
    long t = from;
    for (int i = 0; i < 12; i++, t += 1_000_000 + rnd.nextInt(3_000_000)) {
      site.add(new Line(t, ip, "GET", targets[i % targets.length], 500, 300, null, "sqlmap/1.0.9#stable", 20, "MISS",
          true));
    }
    truth.add(new Attack("exploit", List.of("euprava"), from, t, List.of(ip)));
  }

  /** Thousands of addresses, each well under any per-address limit, against two sites at once. */
  private static void distributedFlood(Random rnd, List<Line> media, List<Line> gov, List<Attack> truth, int bots) {
    long from = at(9, 0);
    long to = at(9, 8);
    List<String> ips = new ArrayList<>();
    for (int i = 0; i < bots; i++) {
      ips.add(i % 3 == 0 ? "103.41." + (i / 200) + "." + (i % 200 + 1)
          : (100 + rnd.nextInt(100)) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254)));
    }
    for (String ip : ips) {
      String agent = AGENTS[rnd.nextInt(3)];
      for (long t = from + rnd.nextInt(20_000_000); t < to; t += 6_000_000 + rnd.nextInt(8_000_000)) {
        boolean toGov = rnd.nextInt(3) == 0;
        long tt = toGov ? t + 60_000_000L : t;
        if (tt >= to + 60_000_000L) {
          continue;
        }
        (toGov ? gov : media).add(new Line(tt, ip, "GET", "/?s=" + Long.toHexString(rnd.nextLong()), 200, 35_000, null,
            agent, 900, "MISS", true));
      }
    }
    truth.add(new Attack("distributed_flood", List.of("vijesti"), from, to, ips));
    truth.add(new Attack("distributed_flood", List.of("gov"), from + 60_000_000L, to + 60_000_000L, ips));
    truth.add(new Attack("campaign", List.of("gov", "vijesti"), from, to + 60_000_000L, List.of()));
  }

  /** The parliament's site fails: 503 with slow upstream, then nothing is logged at all. */
  private static void outage(Random rnd, List<Line> site, List<Attack> truth) {
    long from = at(10, 0);
    long silentFrom = at(10, 10);
    for (long t = from; t < silentFrom; t += 200_000 + rnd.nextInt(300_000)) {
      site.add(new Line(t, reader(rnd), "GET", page(rnd, SITES.get(3)), 503, 200, null, AGENTS[rnd.nextInt(4)],
          30_000, "MISS", false));
    }
    truth.add(new Attack("outage", List.of("skupstina"), from, at(10, 25), List.of()));
  }

  private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
      .withZone(ZoneOffset.ofHours(2));

  private static String render(Site s, Line l) {
    String time = CLF.format(Instant.ofEpochSecond(l.micros / 1_000_000L, (l.micros % 1_000_000L) * 1000));
    String ref = l.referer == null ? "-" : l.referer;
    String req = l.method + " " + l.target + " HTTP/1.1";
    String secs = String.format(Locale.ROOT, "%.3f", l.millis / 1000.0);
    return switch (s.format) {
      case "vhost" -> s.name + ":443 " + l.ip + " - - [" + time + "] \"" + req + "\" " + l.status + " " + l.bytes + " \""
          + ref + "\" \"" + l.agent + "\" " + secs + " " + secs + " " + l.cache;
      case "extras" -> l.ip + " - - [" + time + "] \"" + req + "\" " + l.status + " " + l.bytes + " \"" + ref + "\" \""
          + l.agent + "\" " + secs + " " + secs + " " + l.cache;
      case "json" -> "{\"time_iso8601\":\"" + Instant.ofEpochSecond(l.micros / 1_000_000L) + "\",\"remote_addr\":\""
          + l.ip + "\",\"request\":\"" + req + "\",\"status\":\"" + l.status + "\",\"body_bytes_sent\":\"" + l.bytes
          + "\",\"http_referer\":\"" + (l.referer == null ? "" : l.referer) + "\",\"http_user_agent\":\"" + l.agent
          + "\",\"request_time\":\"" + secs + "\",\"upstream_cache_status\":\"" + l.cache + "\",\"host\":\"cdm\"}";
      case "caddy" -> "{\"level\":\"info\",\"ts\":" + String.format(Locale.ROOT, "%.6f", l.micros / 1e6)
          + ",\"logger\":\"http.log.access\",\"msg\":\"handled request\",\"request\":{\"remote_ip\":\"" + l.ip
          + "\",\"proto\":\"HTTP/1.1\",\"method\":\"" + l.method + "\",\"host\":\"euprava\",\"uri\":\""
          + l.target.replace("\"", "\\\"") + "\",\"headers\":{\"User-Agent\":[\"" + l.agent + "\"]"
          + (l.referer == null ? "" : ",\"Referer\":[\"" + l.referer + "\"]") + "}},\"duration\":" + secs
          + ",\"size\":" + l.bytes + ",\"status\":" + l.status + "}";
      default -> l.ip + " - - [" + time + "] \"" + req + "\" " + l.status + " " + l.bytes + " \"" + ref + "\" \""
          + l.agent + "\"";
    };
  }

  private static String json(Attack a) {
    StringBuilder b = new StringBuilder("{\"attack\":\"").append(a.type()).append("\",\"sites\":[");
    for (int i = 0; i < a.sites().size(); i++) {
      b.append(i > 0 ? "," : "").append('"').append(a.sites().get(i)).append('"');
    }
    b.append("],\"start\":\"").append(Instant.ofEpochSecond(a.start() / 1_000_000L)).append("\",\"end\":\"")
        .append(Instant.ofEpochSecond(a.end() / 1_000_000L)).append("\",\"source_count\":").append(a.sources().size())
        .append(",\"sources\":[");
    List<String> shown = a.sources().size() > 50 ? a.sources().subList(0, 50) : a.sources();
    for (int i = 0; i < shown.size(); i++) {
      b.append(i > 0 ? "," : "").append('"').append(shown.get(i)).append('"');
    }
    return b.append("]}").toString();
  }
}
