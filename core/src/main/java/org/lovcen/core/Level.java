package org.lovcen.core;

import java.util.Locale;

/** Sigma severity levels, least to most severe. */
public enum Level {
  INFORMATIONAL,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /** The lower-case name Sigma uses. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a Sigma level name (case-insensitive; {@code info} accepted for informational).
   *
   * @throws LovcenException naming the value and the allowed ones
   */
  public static Level parse(String s) {
    if (s == null) {
      throw new LovcenException("missing level");
    }
    String l = s.trim().toLowerCase(Locale.ROOT);
    if (l.equals("info")) {
      return INFORMATIONAL;
    }
    for (Level v : values()) {
      if (v.label().equals(l)) {
        return v;
      }
    }
    throw new LovcenException("unknown level '" + s + "' (one of informational, low, medium, high, critical)");
  }
}
