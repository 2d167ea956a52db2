package org.lovcen.intel;

/**
 * One value an indicator looks for: an address or CIDR block, a domain, a URL, a file hash or a
 * file name. Values are kept normalised (see {@link Observables#normalise}), so two sources
 * giving the same value in different spellings give equal observables. Immutable.
 *
 * @param type what kind of value
 * @param value the normalised value; a CIDR block for addresses when it covers more than one
 */
public record Observable(ObservableType type, String value) {
  /** The observable for a raw value, normalised; throws {@link IntelException} when the value is not valid for the type. */
  public static Observable of(ObservableType type, String raw) {
    return new Observable(type, Observables.normalise(type, raw));
  }

  /** The STIX comparison expression, e.g. {@code domain-name:value = 'example.com'}. */
  public String stix() {
    return type.stixPath() + " = '" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  @Override
  public String toString() {
    return type.stixObject() + ":" + value;
  }
}
