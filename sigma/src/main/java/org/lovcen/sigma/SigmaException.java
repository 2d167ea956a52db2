package org.lovcen.sigma;

import org.lovcen.core.LovcenException;

/** A rule that cannot be used: names the rule file, the position and the reason. */
public class SigmaException extends LovcenException {
  public SigmaException(String message) {
    super(message);
  }
}
