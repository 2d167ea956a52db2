package org.lovcen.intel;

import org.lovcen.core.InputException;

/**
 * Indicator input that cannot be used: a malformed bundle, event, pattern or value, or a
 * pattern Lovcen does not support. Names the file, the position in it (object index, id and
 * pattern column where known) and the reason.
 */
public class IntelException extends InputException {
  private final boolean unsupported;

  /** A malformed input. */
  public IntelException(String file, String position, String reason) {
    this(file, position, reason, false);
  }

  /** A malformed input, or a valid one Lovcen does not support when {@code unsupported}. */
  public IntelException(String file, String position, String reason, boolean unsupported) {
    super(file, position, reason);
    this.unsupported = unsupported;
  }

  /** True when the input is valid but uses something Lovcen does not support. */
  public boolean unsupported() {
    return unsupported;
  }

  /** The reason without file and position. */
  public String reason() {
    String m = getMessage();
    String prefix = file() + (position() == null || position().isEmpty() ? "" : ":" + position()) + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }
}
