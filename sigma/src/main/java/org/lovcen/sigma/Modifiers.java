package org.lovcen.sigma;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lovcen.sigma.SigmaValue.Bool;
import org.lovcen.sigma.SigmaValue.Cidr;
import org.lovcen.sigma.SigmaValue.Compare;
import org.lovcen.sigma.SigmaValue.Exists;
import org.lovcen.sigma.SigmaValue.FieldRef;
import org.lovcen.sigma.SigmaValue.Null;
import org.lovcen.sigma.SigmaValue.Num;
import org.lovcen.sigma.SigmaValue.Re;
import org.lovcen.sigma.SigmaValue.Str;
import org.lovcen.sigma.SigmaValue.TimePart;

/*
 * How and why: a detection item's values go through its modifiers left to right, each value on
 * its own; a modifier that expands a value (windash, base64offset, expand) turns it into several,
 * which later modifiers see one by one (pySigma's SigmaExpansion). `all` and `neq` act on the
 * item, not on values. Where the specification leaves a case open, this follows pySigma, the
 * reference implementation; docs/SIGMA.md lists each decision.
 */
/** Applies Sigma value modifiers. Stateless; thread-safe. */
final class Modifiers {
  private Modifiers() {}

  /** A value as written in the rule: its raw text (for {@code re}, {@code cidr}) and its YAML kind. */
  record Raw(String text, Yaml.Kind kind) {}

  /** The outcome for one detection item. */
  record Result(List<SigmaValue> values, boolean all, boolean negated) {}

  private static final Pattern WINDASH = Pattern.compile("\\B[-/]\\b", Pattern.UNICODE_CHARACTER_CLASS);
  private static final String[] DASHES = {"-", "/", "\u2013", "\u2014", "\u2015"};
  private static final int MAX_EXPANSION = 100_000;

  /**
   * Applies {@code modifiers} to {@code raws}.
   *
   * @param placeholders values for {@code %name%} placeholders ({@code expand})
   * @throws SigmaException for an unknown modifier or a value it cannot take
   * @throws UnsupportedRuleException for a placeholder without values
   */
  static Result apply(String field, List<String> modifiers, List<Raw> raws, Map<String, List<String>> placeholders) {
    boolean all = false;
    boolean negated = false;
    List<SigmaValue> values = new ArrayList<>();
    for (Raw r : raws) {
      values.add(initial(r, modifiers));
    }
    for (int i = 0; i < modifiers.size(); i++) {
      String m = modifiers.get(i).toLowerCase(Locale.ROOT);
      switch (m) {
        case "all" -> all = true;
        case "neq" -> negated = true;
        case "re", "cidr", "exists" -> {
          if (i != 0) {
            throw new SigmaException("modifier '" + m + "' must come first");
          }
        }
        default -> values = applyEach(field, m, i, values, placeholders);
      }
    }
    if (all && values.size() < 2 && raws.size() < 2) {
      all = false; // a single value: 'all' changes nothing
    }
    return new Result(List.copyOf(values), all, negated);
  }

  /** Converts a raw value to its first typed form, honouring a leading re/cidr/exists. */
  private static SigmaValue initial(Raw r, List<String> modifiers) {
    String first = modifiers.isEmpty() ? "" : modifiers.get(0).toLowerCase(Locale.ROOT);
    switch (first) {
      case "re" -> {
        if (r.kind() == Yaml.Kind.NULL) {
          throw new SigmaException("'re' needs a string value");
        }
        return new Re(r.text(), false, false, false);
      }
      case "cidr" -> {
        Cidrs.parse(r.text()); // validates
        return new Cidr(r.text());
      }
      case "exists" -> {
        if (r.kind() != Yaml.Kind.BOOL) {
          throw new SigmaException("'exists' needs true or false, got '" + r.text() + "'");
        }
        return new Exists(Boolean.parseBoolean(r.text().toLowerCase(Locale.ROOT)));
      }
      default -> {
        return plain(r);
      }
    }
  }

  static SigmaValue plain(Raw r) {
    return switch (r.kind()) {
      case NULL -> new Null();
      case BOOL -> new Bool(r.text().equalsIgnoreCase("true"));
      case INT, FLOAT -> number(r.text());
      case STRING -> new Str(wildcards(r.text()));
    };
  }

  static Num number(String text) {
    String t = text.trim();
    try {
      if (t.startsWith("0x") || t.startsWith("0X")) {
        return new Num(t, Long.parseLong(t.substring(2), 16));
      }
      if (t.startsWith("0o")) {
        return new Num(t, Long.parseLong(t.substring(2), 8));
      }
      return new Num(t, Double.parseDouble(t));
    } catch (NumberFormatException e) {
      throw new SigmaException("not a number: '" + text + "'");
    }
  }

  /**
   * Converts Sigma string syntax into a pattern: unescaped {@code *} and {@code ?} become
   * wildcards; a backslash escapes {@code *}, {@code ?} and itself, and is literal before anything
   * else.
   */
  static String wildcards(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        if (i + 1 < n) {
          char d = s.charAt(i + 1);
          if (d == '*' || d == '?' || d == '\\') {
            b.append(d);
            i++;
            continue;
          }
        }
        b.append('\\');
      } else if (c == '*') {
        b.append(SigmaValue.STAR);
      } else if (c == '?') {
        b.append(SigmaValue.QUESTION);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static List<SigmaValue> applyEach(String field, String m, int index, List<SigmaValue> in,
      Map<String, List<String>> placeholders) {
    List<SigmaValue> out = new ArrayList<>();
    for (SigmaValue v : in) {
      out.addAll(applyOne(field, m, index, v, placeholders));
      if (out.size() > MAX_EXPANSION) {
        throw new SigmaException("modifier '" + m + "' expands to more than " + MAX_EXPANSION + " values");
      }
    }
    return out;
  }

  private static List<SigmaValue> applyOne(String field, String m, int index, SigmaValue v,
      Map<String, List<String>> placeholders) {
    return switch (m) {
      case "contains" -> List.of(wrap(v, m, true, true));
      case "startswith" -> List.of(wrap(v, m, false, true));
      case "endswith" -> List.of(wrap(v, m, true, false));
      case "base64" -> List.of(new Str(base64(plainBytes(str(v, m), m), 0, 0, false), false, false));
      case "base64offset" -> base64offset(plainBytes(str(v, m), m));
      case "wide", "utf16le" -> List.of(utf16(str(v, m), false, false));
      case "utf16be" -> List.of(utf16(str(v, m), true, false));
      case "utf16" -> List.of(utf16(str(v, m), false, true));
      case "windash" -> windash(str(v, m));
      case "cased" -> {
        Str s = str(v, m);
        yield List.of(new Str(s.pattern(), true, s.bytes()));
      }
      case "i", "ignorecase", "m", "multiline", "s", "dotall" -> List.of(reFlag(v, m));
      case "lt", "lte", "gt", "gte" -> List.of(compare(v, m));
      case "minute", "hour", "day", "week", "month", "year" -> List.of(timePart(v, m));
      case "fieldref" -> List.of(fieldRef(v, field));
      case "expand" -> expand(v, placeholders);
      default -> throw new SigmaException("unknown modifier '" + m + "'");
    };
  }

  private static Str str(SigmaValue v, String m) {
    return switch (v) {
      case Str s -> s;
      case Num n -> new Str(n.text());
      default -> throw new SigmaException("modifier '" + m + "' needs a string value, got " + describe(v));
    };
  }

  private static String describe(SigmaValue v) {
    return switch (v) {
      case Str s -> "'" + s.display() + "'";
      case Num n -> "number " + n.text();
      case Bool b -> String.valueOf(b.value());
      case Null n -> "null";
      case Exists e -> "exists";
      case Re r -> "regular expression";
      case Cidr c -> "CIDR " + c.network();
      case Compare c -> "comparison";
      case FieldRef f -> "field reference";
      case TimePart t -> "time part";
    };
  }

  private static SigmaValue wrap(SigmaValue v, String m, boolean before, boolean after) {
    if (v instanceof Re r) {
      return r; // regular expressions are searched anywhere already
    }
    if (v instanceof FieldRef f) {
      return new FieldRef(f.field(), f.startsWith() || after, f.endsWith() || before);
    }
    Str s = str(v, m);
    String p = s.pattern();
    if (before && (p.isEmpty() || p.charAt(0) != SigmaValue.STAR)) {
      p = SigmaValue.STAR + p;
    }
    if (after && (p.isEmpty() || p.charAt(p.length() - 1) != SigmaValue.STAR)) {
      p = p + SigmaValue.STAR;
    }
    return new Str(p, s.cased(), s.bytes());
  }

  private static byte[] plainBytes(Str s, String m) {
    if (s.hasWildcards()) {
      throw new SigmaException("modifier '" + m + "' cannot encode a value with wildcards: '" + s.display() + "'");
    }
    return s.bytes() ? s.pattern().getBytes(StandardCharsets.ISO_8859_1) : s.pattern().getBytes(StandardCharsets.UTF_8);
  }

  private static String base64(byte[] data, int pad, int start, boolean trim) {
    byte[] in = new byte[pad + data.length];
    for (int i = 0; i < pad; i++) {
      in[i] = ' ';
    }
    System.arraycopy(data, 0, in, pad, data.length);
    String enc = Base64.getEncoder().encodeToString(in);
    if (!trim) {
      return enc;
    }
    int[] endCut = {0, 3, 2};
    int cut = endCut[(data.length + pad) % 3];
    return enc.substring(start, Math.max(start, enc.length() - cut));
  }

  /** pySigma's three shifted encodings, cut to their position-independent middle. */
  private static List<SigmaValue> base64offset(byte[] data) {
    int[] start = {0, 2, 3};
    List<SigmaValue> out = new ArrayList<>(3);
    for (int i = 0; i < 3; i++) {
      out.add(new Str(base64(data, i, start[i], true)));
    }
    return out;
  }

  private static Str utf16(Str s, boolean bigEndian, boolean bom) {
    StringBuilder b = new StringBuilder();
    if (bom) {
      b.append('\u00ff').append('\u00fe');
    }
    String p = s.pattern();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == SigmaValue.STAR || c == SigmaValue.QUESTION) {
        b.append(c);
      } else if (bigEndian) {
        b.append((char) (c >>> 8)).append((char) (c & 0xff));
      } else {
        b.append((char) (c & 0xff)).append((char) (c >>> 8));
      }
    }
    return new Str(b.toString(), s.cased(), true);
  }

  /** Every combination of dash characters at each dash or slash that starts a word. */
  private static List<SigmaValue> windash(Str s) {
    String p = s.pattern();
    List<Integer> at = new ArrayList<>();
    Matcher mt = WINDASH.matcher(p.replace(SigmaValue.STAR, ' ').replace(SigmaValue.QUESTION, ' '));
    while (mt.find()) {
      at.add(mt.start());
    }
    List<String> variants = new ArrayList<>(List.of(p));
    for (int pos : at) {
      List<String> next = new ArrayList<>();
      for (String v : variants) {
        for (String d : DASHES) {
          next.add(v.substring(0, pos) + d + v.substring(pos + 1));
        }
      }
      variants = next;
      if (variants.size() > MAX_EXPANSION) {
        throw new SigmaException("windash expands '" + s.display() + "' to too many values");
      }
    }
    List<SigmaValue> out = new ArrayList<>();
    for (String v : variants) {
      out.add(new Str(v, s.cased(), s.bytes()));
    }
    return out;
  }

  private static SigmaValue reFlag(SigmaValue v, String m) {
    if (!(v instanceof Re r)) {
      throw new SigmaException("modifier '" + m + "' only follows 're'");
    }
    return switch (m) {
      case "i", "ignorecase" -> new Re(r.regex(), true, r.multiline(), r.dotAll());
      case "m", "multiline" -> new Re(r.regex(), r.ignoreCase(), true, r.dotAll());
      default -> new Re(r.regex(), r.ignoreCase(), r.multiline(), true);
    };
  }

  private static SigmaValue compare(SigmaValue v, String m) {
    SigmaValue.Op op = SigmaValue.Op.valueOf(m.toUpperCase(Locale.ROOT));
    return switch (v) {
      case Num n -> new Compare(op, n.value());
      case Str s when !s.hasWildcards() -> new Compare(op, number(s.pattern()).value());
      case TimePart t -> new TimePart(t.part(), compare(t.inner(), m));
      default -> throw new SigmaException("modifier '" + m + "' needs a number, got " + describe(v));
    };
  }

  private static SigmaValue timePart(SigmaValue v, String m) {
    SigmaValue.Part part = SigmaValue.Part.valueOf(m.toUpperCase(Locale.ROOT));
    return switch (v) {
      case Num n -> new TimePart(part, n);
      case Str s when !s.hasWildcards() -> new TimePart(part, number(s.pattern()));
      default -> throw new SigmaException("modifier '" + m + "' needs a number, got " + describe(v));
    };
  }

  private static SigmaValue fieldRef(SigmaValue v, String field) {
    if (field == null) {
      throw new SigmaException("'fieldref' needs a field");
    }
    Str s = str(v, "fieldref");
    if (s.hasWildcards()) {
      throw new SigmaException("field references must not contain wildcards: '" + s.display() + "'");
    }
    return new FieldRef(s.pattern(), false, false);
  }

  /** Replaces {@code %name%} placeholders with each of their configured values. */
  private static List<SigmaValue> expand(SigmaValue v, Map<String, List<String>> placeholders) {
    Str s = str(v, "expand");
    List<String> variants = new ArrayList<>(List.of(""));
    String p = s.pattern();
    int i = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '\\' && i + 1 < p.length() && p.charAt(i + 1) == '%') {
        variants = appendAll(variants, List.of("%"));
        i += 2;
      } else if (c == '%' && p.indexOf('%', i + 1) > i + 1) {
        int end = p.indexOf('%', i + 1);
        String name = p.substring(i + 1, end);
        List<String> vals = placeholders.get(name);
        if (vals == null || vals.isEmpty()) {
          throw new MissingPlaceholderException(name);
        }
        List<String> converted = new ArrayList<>();
        for (String val : vals) {
          converted.add(wildcards(val));
        }
        variants = appendAll(variants, converted);
        i = end + 1;
      } else {
        variants = appendAll(variants, List.of(String.valueOf(c)));
        i++;
      }
      if (variants.size() > MAX_EXPANSION) {
        throw new SigmaException("placeholders expand to more than " + MAX_EXPANSION + " values");
      }
    }
    List<SigmaValue> out = new ArrayList<>();
    for (String x : variants) {
      out.add(new Str(x, s.cased(), s.bytes()));
    }
    return out;
  }

  private static List<String> appendAll(List<String> prefixes, List<String> suffixes) {
    List<String> out = new ArrayList<>(prefixes.size() * suffixes.size());
    for (String a : prefixes) {
      for (String b : suffixes) {
        out.add(a + b);
      }
    }
    return out;
  }
}
