package org.lovcen.intel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Problem;

/**
 * Gathers the indicators and problems of one file while an importer reads it, and keeps one
 * instance of the values that repeat from indicator to indicator (timestamps, marking refs, label
 * lists, single sources), so that a million indicators do not keep a million equal copies. Not
 * thread-safe.
 */
final class Collector {
  /** Distinct values kept for sharing; past this many, new values are no longer remembered. */
  private static final int SHARED_MAX = 1 << 14;
  final String file;
  final String format;
  final List<Indicator> indicators = new ArrayList<>();
  final List<Problem> unsupported = new ArrayList<>();
  final List<Problem> errors = new ArrayList<>();
  int skipped;
  private final Map<Object, Object> shared = new HashMap<>();

  Collector(String file, String format) {
    this.file = file;
    this.format = format;
  }

  void add(Indicator i) {
    indicators.add(i);
  }

  /** An equal string seen before in this file, or {@code s}. */
  String shared(String s) {
    if (s.isEmpty()) {
      return "";
    }
    Object v = shared.get(s);
    return v != null ? (String) v : remember(s, s);
  }

  /** An equal unmodifiable list seen before in this file, or an unmodifiable copy of {@code l}. */
  @SuppressWarnings("unchecked")
  List<String> shared(List<String> l) {
    if (l.isEmpty()) {
      return List.of();
    }
    Object v = shared.get(l);
    if (v != null) {
      return (List<String>) v;
    }
    List<String> copy = List.copyOf(l);
    return remember(copy, copy);
  }

  /** The list holding just {@code s}, the same instance for equal sources of this file. */
  @SuppressWarnings("unchecked")
  List<Source> sources(Source s) {
    Object v = shared.get(s);
    return v != null ? (List<Source>) v : remember(s, List.of(s));
  }

  private <T> T remember(Object key, T value) {
    if (shared.size() < SHARED_MAX) {
      shared.put(key, value);
    }
    return value;
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
