package org.lovcen.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/*
 * How and why: a custom format is written as an nginx log_format string, e.g.
 * `$host $remote_addr [$time_local] "$request" $status $body_bytes_sent "$http_user_agent" $request_time`.
 * It compiles once into alternating literals and variables; a line is read left to right, each
 * variable's value ending where the next literal starts (the last one at the end of the line).
 * Variables Lovcen does not use are skipped. nginx escapes quotes inside values, so a quote
 * literal cannot end a value early.
 */
/** Parser of lines in a named-field format. The compiled form is immutable; instances are per thread. */
final class TemplateParser implements LineParser {
  private final String[] literals;
  private final int[] slots;
  private final Slots.ClfTime clf = new Slots.ClfTime();

  private TemplateParser(String[] literals, int[] slots) {
    this.literals = literals;
    this.slots = slots;
  }

  /** Compiles {@code template}; throws {@link AccessLogException} on a template without variables. */
  static TemplateParser compile(String template) {
    List<String> lits = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '$' && i + 1 < template.length()) {
        boolean brace = template.charAt(i + 1) == '{';
        int s = brace ? i + 2 : i + 1;
        int e = s;
        while (e < template.length() && (Character.isLetterOrDigit(template.charAt(e)) || template.charAt(e) == '_'
            || (brace && template.charAt(e) != '}'))) {
          e++;
        }
        if (e > s) {
          lits.add(lit.toString());
          lit.setLength(0);
          slots.add(Slots.of(template.substring(s, e)));
          i = brace ? e + 1 : e;
          continue;
        }
      }
      lit.append(c);
      i++;
    }
    lits.add(lit.toString());
    if (slots.isEmpty()) {
      throw new AccessLogException("--log-format", "", "the format names no $variable: '" + template + "'");
    }
    return new TemplateParser(lits.toArray(new String[0]), slots.stream().mapToInt(Integer::intValue).toArray());
  }

  /** A fresh parser sharing the compiled form (parsers are per thread). */
  TemplateParser copy() {
    return new TemplateParser(literals, slots);
  }

  @Override
  public String parse(byte[] buf, int off, int len, AccessRecord r) {
    String line = new String(buf, off, len, StandardCharsets.UTF_8);
    if (!line.startsWith(literals[0])) {
      return "line does not start with '" + literals[0] + "'";
    }
    int pos = literals[0].length();
    String bad = null;
    for (int v = 0; v < slots.length; v++) {
      String next = literals[v + 1];
      int end = next.isEmpty() ? (v + 1 == slots.length ? line.length() : pos) : line.indexOf(next, pos);
      if (end < 0) {
        return "expected '" + next + "' after column " + pos;
      }
      String b = Slots.set(r, slots[v], line.substring(pos, end), clf);
      bad = bad == null ? b : bad;
      pos = end + next.length();
    }
    if (bad != null) {
      return bad;
    }
    if (r.ip == null) {
      return "no client address";
    }
    return r.time == Long.MIN_VALUE ? "no time" : null;
  }
}
