package org.lovcen.intel;

/**
 * Where an indicator came from: one partner, feed or file. An indicator known from several
 * sources keeps each of them, with the confidence and marking each gave. Immutable.
 *
 * @param name the partner or feed (STIX identity name, MISP organisation, or the file name)
 * @param file the file it was read from (as given), or empty
 * @param confidence 0-100 as the source gave it, or -1 when it gave none
 * @param marking the TLP marking the source put on it
 * @param distribution the MISP distribution level (0-5), or -1 for other formats
 */
public record Source(String name, String file, int confidence, Marking marking, int distribution) {
  public Source {
    name = name == null ? "" : name;
    file = file == null ? "" : file;
    marking = marking == null ? Marking.NONE : marking;
  }

  /** A copy with another name. */
  public Source withName(String n) {
    return new Source(n, file, confidence, marking, distribution);
  }
}
