package org.lovcen.analysis;

import java.util.List;

/**
 * One alert as the campaign linker sees it: where and when, its rule and ATT&CK techniques, and
 * the evidence taken from it ({@link EvidenceExtractor}).
 */
public record Sighting(long alert, String institution, String host, long ts, int levelRank, String rule,
    List<String> techniques, List<Evidence> evidence) {
  public Sighting {
    host = host == null ? "" : host;
    techniques = List.copyOf(techniques);
    evidence = List.copyOf(evidence);
  }
}
