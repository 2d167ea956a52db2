package org.lovcen.intel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Sharing rules common to every export format. Stateless; thread-safe. */
final class Exports {
  private Exports() {}

  /** The indicators that may leave: everything but TLP:RED (from any of its sources). */
  static List<Indicator> shareable(Collection<Indicator> indicators) {
    List<Indicator> out = new ArrayList<>();
    for (Indicator i : indicators) {
      if (i.marking() != Marking.RED) {
        out.add(i);
      }
    }
    return out;
  }
}
