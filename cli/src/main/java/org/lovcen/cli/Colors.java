package org.lovcen.cli;

import org.lovcen.core.Level;

/** ANSI colours for terminal output. */
final class Colors {
  static final String RESET = "\u001b[0m";
  static final String BOLD = "\u001b[1m";

  private Colors() {}

  static String level(Level l) {
    return switch (l) {
      case CRITICAL -> "\u001b[1;35m";
      case HIGH -> "\u001b[1;31m";
      case MEDIUM -> "\u001b[33m";
      case LOW -> "\u001b[36m";
      case INFORMATIONAL -> "\u001b[2m";
    };
  }
}
