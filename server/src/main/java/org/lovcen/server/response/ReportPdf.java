package org.lovcen.server.response;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/*
 * How and why: the PDF is laid out by hand with PDFBox (no browser, no HTML engine): A4 pages,
 * the standard Helvetica fonts, paragraphs and tables whose cells wrap by measured width, a new
 * page whenever the next line would cross the bottom margin (table headers repeat). The standard
 * fonts encode WinAnsi only, so characters they cannot show become '?', checked once per
 * character.
 */
/** Renders a {@link Report} as a PDF. Not thread-safe: one instance per rendering. */
public final class ReportPdf {
  private static final float MARGIN = 40;
  private static final float WIDTH = PDRectangle.A4.getWidth() - 2 * MARGIN;
  private static final float CELL_PAD = 2.5f;
  private static final float NARROW = 170;
  private static final int MAX_CELL = 600;

  private final PDDocument doc = new PDDocument();
  private final PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
  private final PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
  private final Map<Character, Boolean> encodable = new HashMap<>();
  private PDPageContentStream out;
  private float y;

  private ReportPdf() {}

  /** The report as PDF bytes. */
  public static byte[] render(Report r) {
    ReportPdf p = new ReportPdf();
    try {
      return p.write(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private byte[] write(Report r) throws IOException {
    try (doc) {
      PDDocumentInformation info = doc.getDocumentInformation();
      info.setTitle(clean(r.title()));
      info.setCreator("Lovcen");
      newPage();
      paragraph(r.title(), bold, 16, 6);
      paragraph(r.subtitle(), regular, 9, 2);
      paragraph("Generated " + r.generated(), regular, 9, 10);
      paragraph("Executive summary", bold, 12, 4);
      for (String s : r.summary()) {
        paragraph(s, regular, 10, 4);
      }
      for (Report.Section s : r.sections()) {
        y -= 8;
        paragraph(s.heading(), bold, 12, 4);
        if (s.rows().isEmpty()) {
          paragraph("None.", regular, 9, 2);
        } else {
          table(s.columns(), s.rows());
        }
      }
      out.close();
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      doc.save(b);
      return b.toByteArray();
    }
  }

  private void newPage() throws IOException {
    if (out != null) {
      out.close();
    }
    PDPage page = new PDPage(PDRectangle.A4);
    doc.addPage(page);
    out = new PDPageContentStream(doc, page);
    y = PDRectangle.A4.getHeight() - MARGIN;
  }

  private void paragraph(String text, PDType1Font font, float size, float after) throws IOException {
    for (String line : wrap(clean(text), font, size, WIDTH)) {
      if (y - size * 1.3f < MARGIN) {
        newPage();
      }
      y -= size * 1.3f;
      text(line, font, size, MARGIN, y);
    }
    y -= after;
  }

  private void table(List<String> columns, List<List<String>> rows) throws IOException {
    float size = 7.5f;
    float[] widths = widths(columns, rows, size);
    row(columns, widths, bold, size, true);
    for (List<String> r : rows) {
      if (!row(r, widths, regular, size, false)) {
        row(columns, widths, bold, size, true);
        row(r, widths, regular, size, false);
      }
    }
  }

  /** Writes one row; false (nothing written, a new page begun) when it does not fit on this page. */
  private boolean row(List<String> cells, float[] widths, PDType1Font font, float size, boolean header)
      throws IOException {
    List<List<String>> lines = new ArrayList<>();
    int height = 1;
    for (int i = 0; i < widths.length; i++) {
      String cell = i < cells.size() ? cells.get(i) : "";
      cell = cell.length() > MAX_CELL ? cell.substring(0, MAX_CELL - 3) + "..." : cell;
      List<String> l = wrap(clean(cell), font, size, widths[i] - 2 * CELL_PAD);
      lines.add(l);
      height = Math.max(height, l.size());
    }
    float h = height * size * 1.25f + 2 * CELL_PAD;
    if (y - h < MARGIN) {
      newPage();
      if (!header) {
        return false;
      }
    }
    float x = MARGIN;
    if (header) {
      out.setNonStrokingColor(0.92f, 0.92f, 1f);
      out.addRect(MARGIN, y - h, WIDTH, h);
      out.fill();
      out.setNonStrokingColor(0f, 0f, 0f);
    }
    out.setLineWidth(0.4f);
    for (int i = 0; i < widths.length; i++) {
      out.addRect(x, y - h, widths[i], h);
      float ty = y - CELL_PAD - size;
      for (String l : lines.get(i)) {
        text(l, font, size, x + CELL_PAD, ty);
        ty -= size * 1.25f;
      }
      x += widths[i];
    }
    out.stroke();
    y -= h;
    return true;
  }

  /*
   * Column widths: a column whose longest text fits in NARROW points keeps that width (times,
   * names, levels never wrap); the wide columns share the rest in proportion to their longest
   * text (each counted up to 220 points).
   */
  private float[] widths(List<String> columns, List<List<String>> rows, float size) throws IOException {
    float[] w = new float[columns.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = width(clean(columns.get(i)), bold, size);
    }
    for (List<String> r : rows.subList(0, Math.min(rows.size(), 300))) {
      for (int i = 0; i < w.length && i < r.size(); i++) {
        w[i] = Math.max(w[i], width(clean(r.get(i)), regular, size));
      }
    }
    float fixed = 0;
    float wide = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.min(220, w[i]) + 2 * CELL_PAD + 2;
      if (w[i] <= NARROW) {
        fixed += w[i];
      } else {
        wide += w[i];
      }
    }
    float scale = wide == 0 ? WIDTH / fixed : Math.max(0.1f, (WIDTH - fixed) / wide);
    for (int i = 0; i < w.length; i++) {
      if (wide == 0 || w[i] > NARROW) {
        w[i] *= scale;
      }
    }
    return w;
  }

  private void text(String s, PDType1Font font, float size, float x, float at) throws IOException {
    if (s.isEmpty()) {
      return;
    }
    out.beginText();
    out.setFont(font, size);
    out.newLineAtOffset(x, at);
    out.showText(s);
    out.endText();
  }

  private float width(String s, PDType1Font font, float size) throws IOException {
    return font.getStringWidth(s) / 1000 * size;
  }

  /** Lines of at most {@code max} points: breaks at spaces, and inside words longer than a line. */
  private List<String> wrap(String s, PDType1Font font, float size, float max) throws IOException {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : s.split(" ", -1)) {
      String candidate = line.isEmpty() ? word : line + " " + word;
      if (width(candidate, font, size) <= max) {
        line.setLength(0);
        line.append(candidate);
        continue;
      }
      if (!line.isEmpty()) {
        lines.add(line.toString());
        line.setLength(0);
      }
      String rest = word;
      while (width(rest, font, size) > max && rest.length() > 1) {
        int n = rest.length() - 1;
        while (n > 1 && width(rest.substring(0, n), font, size) > max) {
          n--;
        }
        lines.add(rest.substring(0, n));
        rest = rest.substring(n);
      }
      line.append(rest);
    }
    if (!line.isEmpty() || lines.isEmpty()) {
      lines.add(line.toString());
    }
    return lines;
  }

  /** The text with line breaks and tabs as spaces and characters the standard fonts cannot show as '?'. */
  private String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\t') {
        b.append(' ');
      } else if (encodable.computeIfAbsent(c, this::canShow)) {
        b.append(c);
      } else {
        b.append('?');
      }
    }
    return b.toString();
  }

  private boolean canShow(char c) {
    if (Character.isSurrogate(c) || c < 32) {
      return false;
    }
    try {
      regular.encode(String.valueOf(c));
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }
}
