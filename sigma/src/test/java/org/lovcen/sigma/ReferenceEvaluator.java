package org.lovcen.sigma;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;
import org.lovcen.sigma.SigmaRule.DetectionItem;
import org.lovcen.sigma.SigmaRule.SearchIdentifier;

/**
 * A deliberately plain Sigma evaluator for differential tests: it interprets the parsed rules
 * directly, looks fields up by name with a linear scan, matches wildcards through
 * java.util.regex, and checks every rule against every event. No prefilter, no index, no
 * compiled tree: whatever the optimised engine decides must agree with this.
 */
final class ReferenceEvaluator {
  private final List<SigmaRule> rules;
  private final LogsourceMapping mapping;

  private final Map<SigmaRule, List<LogsourceMapping.Variant>> variants = new java.util.HashMap<>();

  ReferenceEvaluator(List<SigmaRule> rules) {
    this.rules = rules;
    this.mapping = LogsourceMapping.load(List.of());
    rules.forEach(r -> variants.put(r, mapping.variants(r.logsource())));
  }

  /** Ids of the rules matching the event, in rule order (once per matching logsource variant). */
  List<String> matches(Event e) {
    List<String> out = new ArrayList<>();
    for (SigmaRule r : rules) {
      for (LogsourceMapping.Variant v : variants.get(r)) {
        if (admits(v, e) && extra(v, e) && detection(r, v, e)) {
          out.add(r.id());
        }
      }
    }
    return out;
  }

  private static boolean admits(LogsourceMapping.Variant v, Event e) {
    String ch = e.channel() == null ? null : e.channel().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    if (ch == null) {
      return !v.route().windows();
    }
    if (!v.route().windows()) {
      return false;
    }
    boolean channelOk = v.route().channels() == null || v.route().channels().stream()
        .anyMatch(c -> c.equalsIgnoreCase(e.channel()));
    return channelOk && (v.route().eventIds() == null || v.route().eventIds().contains(e.eventId()));
  }

  private boolean extra(LogsourceMapping.Variant v, Event e) {
    for (Map.Entry<String, List<String>> c : v.conditions().entrySet()) {
      boolean any = false;
      for (String value : c.getValue()) {
        any |= values(e, c.getKey()).stream().anyMatch(x -> x != null && glob(Modifiers.wildcards(value), false, x));
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private boolean detection(SigmaRule r, LogsourceMapping.Variant v, Event e) {
    for (Condition c : r.detection().conditions()) {
      if (condition(c, r.detection().identifiers(), v, e)) {
        return true;
      }
    }
    return false;
  }

  private boolean condition(Condition c, Map<String, SearchIdentifier> ids, LogsourceMapping.Variant v, Event e) {
    return switch (c) {
      case Condition.And a -> a.operands().stream().allMatch(x -> condition(x, ids, v, e));
      case Condition.Or o -> o.operands().stream().anyMatch(x -> condition(x, ids, v, e));
      case Condition.Not n -> !condition(n.operand(), ids, v, e);
      case Condition.Ref ref -> identifier(ids.get(ref.name()), v, e);
      case Condition.Of of -> {
        int hits = 0;
        List<String> names = Identifiers.matching(of.pattern(), ids.keySet());
        for (String name : names) {
          hits += identifier(ids.get(name), v, e) ? 1 : 0;
        }
        yield of.count() < 0 ? hits == names.size() : hits >= of.count();
      }
    };
  }

  private boolean identifier(SearchIdentifier si, LogsourceMapping.Variant v, Event e) {
    for (List<DetectionItem> group : si.groups()) {
      boolean all = true;
      for (DetectionItem item : group) {
        all &= item(item, v, e);
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private boolean item(DetectionItem item, LogsourceMapping.Variant v, Event e) {
    String field = item.field() == null ? null : v.renames().getOrDefault(item.field(), item.field());
    boolean result = item.all();
    for (SigmaValue value : item.values()) {
      boolean m = value(field, value, v, e);
      result = item.all() ? result && m : result || m;
    }
    return item.negated() != result;
  }

  private boolean value(String field, SigmaValue value, LogsourceMapping.Variant v, Event e) {
    if (field == null) {
      for (int i = 0; i < e.size(); i++) {
        String x = e.value(i);
        if (x != null && value instanceof SigmaValue.Str s && glob("\uE000" + s.pattern() + "\uE000", s.cased(), x)) {
          return true;
        }
        if (x != null && !(value instanceof SigmaValue.Str) && single(value, x, e.type(i))) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof SigmaValue.Exists ex) {
      return e.indexOf(field) >= 0 == ex.exists();
    }
    if (value instanceof SigmaValue.FieldRef f) {
      String a = e.get(field);
      String b = e.get(v.renames().getOrDefault(f.field(), f.field()));
      if (e.indexOf(field) < 0 || e.indexOf(v.renames().getOrDefault(f.field(), f.field())) < 0) {
        return false;
      }
      if (a == null || b == null) {
        return a == b;
      }
      return f.startsWith() && f.endsWith() ? a.contains(b) : f.startsWith() ? a.startsWith(b)
          : f.endsWith() ? a.endsWith(b) : a.equals(b);
    }
    List<String> vals = values(e, field);
    if (vals.isEmpty()) {
      return value instanceof SigmaValue.Null
          || (value instanceof SigmaValue.Compare c && compare(c, BigDecimal.ZERO));
    }
    for (int i = 0; i < e.size(); i++) {
      if (e.name(i).equals(field) && single(value, e.value(i), e.type(i))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> values(Event e, String field) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < e.size(); i++) {
      if (e.name(i).equals(field)) {
        out.add(e.value(i));
      }
    }
    return out;
  }

  private boolean single(SigmaValue value, String x, byte type) {
    return switch (value) {
      case SigmaValue.Str s -> x != null && glob(s.pattern(), s.cased(), x);
      case SigmaValue.Num n -> x != null && type != Event.BOOLEAN
          && (x.equalsIgnoreCase(n.text()) || eq(number(x), n.value()));
      case SigmaValue.Bool b -> x != null && x.equalsIgnoreCase(Boolean.toString(b.value()));
      case SigmaValue.Null n -> type == Event.NULL;
      case SigmaValue.Re r -> x != null && CACHE.computeIfAbsent("re:" + r, k -> Pattern.compile(r.regex(),
          Pattern.UNIX_LINES | (r.ignoreCase() ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0)
          | (r.multiline() ? Pattern.MULTILINE : 0) | (r.dotAll() ? Pattern.DOTALL : 0))).matcher(x).find();
      case SigmaValue.Cidr c -> x != null && cidr(c.network(), x.trim());
      case SigmaValue.Compare c -> x != null && type != Event.BOOLEAN && number(x) != null && compare(c, number(x));
      case SigmaValue.TimePart t -> x != null && timePart(t, x);
      case SigmaValue.Exists ex -> throw new IllegalStateException();
      case SigmaValue.FieldRef f -> throw new IllegalStateException();
    };
  }

  private static boolean eq(BigDecimal a, double b) {
    return a != null && a.doubleValue() == b;
  }

  private static boolean compare(SigmaValue.Compare c, BigDecimal x) {
    double d = x.doubleValue();
    return switch (c.op()) {
      case LT -> d < c.value();
      case LTE -> d <= c.value();
      case GT -> d > c.value();
      case GTE -> d >= c.value();
    };
  }

  private static BigDecimal number(String x) {
    try {
      if (x.startsWith("0x") || x.startsWith("0X")) {
        return new BigDecimal(new java.math.BigInteger(x.substring(2), 16));
      }
      return new BigDecimal(x);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean cidr(String network, String x) {
    try {
      if (x.isEmpty() || !x.matches("[0-9a-fA-F:.]+")) {
        return false;
      }
      if (x.indexOf(':') < 0 && !x.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
        return false;
      }
      byte[] addr = InetAddress.getByName(x).getAddress();
      String[] p = network.split("/");
      byte[] net = InetAddress.getByName(p[0]).getAddress();
      int bits = p.length > 1 ? Integer.parseInt(p[1]) : net.length * 8;
      if (addr.length != net.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((addr[i / 8] & mask) != (net[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private boolean timePart(SigmaValue.TimePart t, String x) {
    long micros = Timestamps.parse(x);
    if (micros == Event.NO_TIME) {
      return false;
    }
    ZonedDateTime z = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L)).atZone(ZoneOffset.UTC);
    int n = switch (t.part()) {
      case MINUTE -> z.getMinute();
      case HOUR -> z.getHour();
      case DAY -> z.getDayOfMonth();
      case WEEK -> z.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
      case MONTH -> z.getMonthValue();
      case YEAR -> z.getYear();
    };
    return single(t.inner(), Integer.toString(n), Event.NUMBER);
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, Pattern> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Sigma wildcards through java.util.regex: * any run, ? one char, the rest quoted. */
  static boolean glob(String pattern, boolean cased, String x) {
    return CACHE.computeIfAbsent((cased ? "c:" : "i:") + pattern, k -> toRegex(pattern, cased)).matcher(x).matches();
  }

  private static Pattern toRegex(String pattern, boolean cased) {
    StringBuilder re = new StringBuilder();
    pattern.codePoints().forEach(c -> {
      if (c == SigmaValue.STAR) {
        re.append(".*");
      } else if (c == SigmaValue.QUESTION) {
        re.append('.');
      } else {
        re.append(Pattern.quote(Character.toString(c)));
      }
    });
    return Pattern.compile(re.toString(), Pattern.DOTALL | (cased ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
  }

}
