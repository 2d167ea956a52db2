package org.lovcen.core;

/** The one base class of Lovcen's own errors. Unchecked; the message names what failed and why. */
public class LovcenException extends RuntimeException {
  public LovcenException(String message) {
    super(message);
  }

  public LovcenException(String message, Throwable cause) {
    super(message, cause);
  }
}
