package org.lovcen.intel;

import java.util.List;

/**
 * The CERT saw an indicator: how often, when first and last, and where. Immutable.
 *
 * @param indicatorId the indicator's id
 * @param firstSeen micros since the epoch of the first matching event
 * @param lastSeen micros since the epoch of the last matching event
 * @param count number of matching events
 * @param where institutions (or hosts) where it was seen, without duplicates
 */
public record Sighting(String indicatorId, long firstSeen, long lastSeen, int count, List<String> where) {
  public Sighting {
    where = List.copyOf(where);
  }
}
