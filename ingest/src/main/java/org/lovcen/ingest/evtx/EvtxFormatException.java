package org.lovcen.ingest.evtx;

import org.lovcen.core.InputException;

/**
 * Malformed EVTX content: names the file, the byte offset in it and what was wrong. The reader
 * reports these as problems and carries on; they escape only where nothing can be read at all.
 * Immutable.
 */
public final class EvtxFormatException extends InputException {
  private final long offset;
  private final String reason;

  public EvtxFormatException(String file, long offset, String reason) {
    super(file, "offset " + offset, reason);
    this.offset = offset;
    this.reason = reason;
  }

  /** Byte offset in the file where the problem was found; -1 when unknown. */
  public long offset() {
    return offset;
  }

  /** The reason alone, without file and position. */
  public String reason() {
    return reason;
  }
}
