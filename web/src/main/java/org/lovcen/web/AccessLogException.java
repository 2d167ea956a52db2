package org.lovcen.web;

import org.lovcen.core.InputException;

/** An access log, a format or a detector configuration that cannot be used. */
public class AccessLogException extends InputException {
  public AccessLogException(String file, String position, String reason) {
    super(file, position, reason);
  }
}
