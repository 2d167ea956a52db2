package org.lovcen.sigma;

/** An {@code expand} placeholder has no configured values. */
final class MissingPlaceholderException extends UnsupportedRuleException {
  private final String name;

  MissingPlaceholderException(String name) {
    super("placeholder %" + name + "% has no values (give them with --placeholders FILE)");
    this.name = name;
  }

  String name() {
    return name;
  }
}
