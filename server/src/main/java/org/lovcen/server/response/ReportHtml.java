package org.lovcen.server.response;

import java.util.List;

/** A report as one self-contained HTML page (inline style, nothing fetched). Stateless. */
public final class ReportHtml {
  private ReportHtml() {}

  public static String render(Report r) {
    StringBuilder b = new StringBuilder(16_384);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(r.title()))
        .append("</title>\n<style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#1b1b1b}"
            + "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #999}"
            + "table{border-collapse:collapse;width:100%;font-size:.85em}th,td{border:1px solid #ccc;padding:3px 6px;"
            + "text-align:left;vertical-align:top}th{background:#eef}p.meta{color:#555}</style></head><body>\n");
    b.append("<h1>").append(esc(r.title())).append("</h1>\n<p class=\"meta\">").append(esc(r.subtitle()))
        .append("<br>Generated ").append(esc(r.generated())).append("</p>\n<h2>Executive summary</h2>\n");
    for (String p : r.summary()) {
      b.append("<p>").append(esc(p)).append("</p>\n");
    }
    for (Report.Section s : r.sections()) {
      b.append("<h2>").append(esc(s.heading())).append("</h2>\n");
      if (s.rows().isEmpty()) {
        b.append("<p>None.</p>\n");
        continue;
      }
      b.append("<table><tr>");
      for (String c : s.columns()) {
        b.append("<th>").append(esc(c)).append("</th>");
      }
      b.append("</tr>\n");
      for (List<String> row : s.rows()) {
        b.append("<tr>");
        for (String c : row) {
          b.append("<td>").append(esc(c)).append("</td>");
        }
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
    return b.append("</body></html>\n").toString();
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
