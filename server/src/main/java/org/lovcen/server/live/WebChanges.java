package org.lovcen.server.live;

import java.util.List;
import org.lovcen.store.DecisionStore;
import org.lovcen.store.SiteMinute;

/**
 * What web detection changed in one batch besides alerts: detector decisions (new or extended)
 * and site minutes' counts, written with the batch's alerts and cursor in one transaction.
 */
public record WebChanges(List<DecisionStore.Detected> decisions, List<SiteMinute> minutes) {
  /** Nothing changed. */
  public static final WebChanges NONE = new WebChanges(List.of(), List.of());

  public boolean isEmpty() {
    return decisions.isEmpty() && minutes.isEmpty();
  }
}
