package org.lovcen.sigma;

/** A valid rule this engine cannot run (no placeholder values, a regex RE2 cannot do, ...). */
public class UnsupportedRuleException extends SigmaException {
  public UnsupportedRuleException(String message) {
    super(message);
  }
}
