package org.lovcen.web;

/** Parses one access-log line into a record. Implementations are per thread. */
interface LineParser {
  /**
   * Parses {@code buf[off, off+len)} (one line, no newline) into {@code r}, which the caller has
   * cleared; returns null when the line was read, else the reason it is malformed.
   */
  String parse(byte[] buf, int off, int len, AccessRecord r);
}
