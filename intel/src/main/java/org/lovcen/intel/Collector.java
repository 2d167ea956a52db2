package org.lovcen.intel;

import java.util.ArrayList;
import java.util.List;
import org.lovcen.core.Problem;

/** Gathers the indicators and problems of one file while an importer reads it. Not thread-safe. */
final class Collector {
  final String file;
  final String format;
  final List<Indicator> indicators = new ArrayList<>();
  final List<Problem> unsupported = new ArrayList<>();
  final List<Problem> errors = new ArrayList<>();
  int skipped;

  Collector(String file, String format) {
    this.file = file;
    this.format = format;
  }

  void add(Indicator i) {
    indicators.add(i);
  }

  /** Records a failed object: unsupported or malformed, with the position prefixed. */
  void reject(String position, IntelException e) {
    String where = e.position() == null || e.position().isEmpty() || e.file().equals("value") ? position
        : position + " " + e.file() + " " + e.position();
    (e.unsupported() ? unsupported : errors).add(new Problem(file, where, e.reason()));
  }

  void error(String position, String reason) {
    errors.add(new Problem(file, position, reason));
  }

  ImportReport report() {
    return new ImportReport(file, format, indicators.size(), skipped, unsupported, errors);
  }
}
