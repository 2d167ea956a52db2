package org.lovcen.analysis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/*
 * How and why: evidence must be equal across institutions when the actor is the same, and
 * different when only the tool is. So values are normalised: command lines lose case, runs of
 * spaces, user profile names (the folder under C:/Users), remote host names (\\HOST), the account
 * given after -u and long numbers (process ids, ports); file paths lose case and user names. Hashes of
 * binaries under the Windows folder or Program Files are kept apart as "system-hash": the same
 * rundll32.exe runs everywhere and says nothing about who runs it. Addresses are kept only when
 * public (not private, loopback or link-local): internal addresses repeat across institutions
 * by accident.
 */
/** Takes the evidence out of an alert's fields. Stateless and thread-safe. */
public final class EvidenceExtractor {
  private static final List<String> COMMANDS = List.of("CommandLine", "ScriptBlockText", "ImagePath");
  private static final List<String> DOMAINS = List.of("QueryName", "DestinationHostname", "cs-host", "url.domain",
      "dns.question.name");
  private static final List<String> ADDRESSES = List.of("DestinationIp", "SourceIp", "IpAddress", "c-ip",
      "source.ip", "destination.ip", "client.ip", "src_ip", "dst_ip", "ip");
  private static final Pattern HASH_PART = Pattern.compile("(?i)(SHA256|MD5|SHA1|IMPHASH)=([0-9a-f]{32,64})");
  private static final Pattern BARE_HASH = Pattern.compile("(?i)[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}");
  private static final Pattern USERS = Pattern.compile("(?i)([a-z]:\\\\users\\\\)[^\\\\\"\\s]+");
  private static final Pattern UNC = Pattern.compile("\\\\\\\\[^\\\\\\s\"]+");
  private static final Pattern ACCOUNT = Pattern.compile("(?i)(-u\\s+)\\S+");
  private static final Pattern NUMBER = Pattern.compile("\\d{3,}");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final int MAX_VALUE = 512;

  private EvidenceExtractor() {}

  /**
   * The evidence of one alert.
   *
   * @param kind   the alert's kind ({@code sigma}, {@code correlation}, {@code indicator}, {@code web})
   * @param rule   the rule or indicator id
   * @param fields the alert's fields, with those of its event when it has one (may be empty)
   */
  public static List<Evidence> of(String kind, String rule, Map<String, String> fields) {
    Set<Evidence> out = new LinkedHashSet<>();
    out.add(new Evidence(kind.equals("indicator") ? "indicator" : "rule", rule));
    String image = fields.get("Image");
    boolean system = image != null && systemPath(image);
    hashes(fields.get("Hashes"), system, out);
    hashes(fields.get("Hash"), system, out);
    for (String f : COMMANDS) {
      String v = fields.get(f);
      if (v != null && v.length() >= 8) {
        out.add(new Evidence("command", command(v)));
      }
    }
    if (image != null && !system && image.contains("\\")) {
      out.add(new Evidence("file", path(image)));
    }
    for (String f : DOMAINS) {
      String v = fields.get(f);
      if (v != null && v.contains(".") && !v.endsWith(".local")) {
        out.add(new Evidence("domain", cut(v.toLowerCase(Locale.ROOT))));
      }
    }
    for (String f : ADDRESSES) {
      String v = fields.get(f);
      if (v != null && publicAddress(v)) {
        out.add(new Evidence("address", v.trim()));
      }
    }
    String sources = fields.get("sources"); // web detectors: the attacking addresses, comma-separated
    if (sources != null) {
      for (String a : sources.split(",")) {
        if (publicAddress(a)) {
          out.add(new Evidence("address", a.trim()));
        }
      }
    }
    return new ArrayList<>(out);
  }

  private static void hashes(String v, boolean system, Set<Evidence> out) {
    if (v == null) {
      return;
    }
    String k = system ? "system-hash" : "hash";
    var m = HASH_PART.matcher(v);
    String best = null;
    while (m.find()) {
      String type = m.group(1).toUpperCase(Locale.ROOT);
      if (type.equals("SHA256") || (best == null && type.equals("MD5"))) {
        best = m.group(2).toLowerCase(Locale.ROOT);
      }
    }
    if (best == null && BARE_HASH.matcher(v.trim()).matches()) {
      best = v.trim().toLowerCase(Locale.ROOT);
    }
    if (best != null) {
      out.add(new Evidence(k, best));
    }
  }

  /** A command line as the same actor writes it anywhere (see the opening comment). */
  public static String command(String s) {
    String c = s.toLowerCase(Locale.ROOT);
    c = USERS.matcher(c).replaceAll("$1*");
    c = UNC.matcher(c).replaceAll("\\\\\\\\*");
    c = ACCOUNT.matcher(c).replaceAll("$1*");
    c = NUMBER.matcher(c).replaceAll("#");
    c = SPACES.matcher(c).replaceAll(" ").trim();
    return cut(c);
  }

  static String path(String s) {
    return cut(USERS.matcher(s.toLowerCase(Locale.ROOT)).replaceAll("$1*"));
  }

  static boolean systemPath(String image) {
    String l = image.toLowerCase(Locale.ROOT);
    return l.startsWith("c:\\windows\\system32\\") || l.startsWith("c:\\windows\\syswow64\\")
        || l.startsWith("c:\\program files") || l.startsWith("%systemroot%");
  }

  /** Whether {@code v} is an IPv4 or IPv6 address outside private, loopback and link-local ranges. */
  static boolean publicAddress(String v) {
    String s = v.trim();
    if (s.indexOf(':') >= 0) {
      String l = s.toLowerCase(Locale.ROOT);
      return !l.equals("::1") && !l.startsWith("fe80:") && !l.startsWith("fc") && !l.startsWith("fd")
          && l.matches("[0-9a-f:]+") && !l.equals("::");
    }
    String[] p = s.split("\\.");
    if (p.length != 4) {
      return false;
    }
    int[] o = new int[4];
    for (int i = 0; i < 4; i++) {
      try {
        o[i] = Integer.parseInt(p[i]);
      } catch (NumberFormatException e) {
        return false;
      }
      if (o[i] < 0 || o[i] > 255) {
        return false;
      }
    }
    return !(o[0] == 10 || o[0] == 127 || o[0] == 0 || (o[0] == 172 && o[1] >= 16 && o[1] <= 31)
        || (o[0] == 192 && o[1] == 168) || (o[0] == 169 && o[1] == 254) || o[0] >= 224);
  }

  private static String cut(String s) {
    return s.length() > MAX_VALUE ? s.substring(0, MAX_VALUE) : s;
  }
}
