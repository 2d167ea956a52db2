package org.lovcen.analysis;

import java.util.Map;

/**
 * How hosts are linked into campaigns.
 *
 * @param threshold       two hosts are linked when the weights of the evidence they share add up to
 *                        at least this
 * @param minInstitutions a group of linked hosts is a campaign when it spans at least this many
 *                        institutions
 * @param weights         the base weight of each evidence kind (a kind not named weighs 0: it
 *                        never links); multiplied by the value's rarity
 * @param maxHosts        a value carried by more hosts than this is too common to tell anything
 *                        and is ignored (also bounds the work per value)
 */
public record LinkRules(double threshold, int minInstitutions, Map<String, Double> weights, int maxHosts) {
  /** The defaults documented in docs/CAMPAIGNS.md. */
  public static final Map<String, Double> DEFAULT_WEIGHTS = Map.of("hash", 1.0, "indicator", 1.0, "domain", 1.0,
      "address", 1.0, "command", 0.8, "file", 0.5, "techniques", 0.5, "rule", 0.25, "system-hash", 0.05);

  public LinkRules {
    if (threshold <= 0) {
      throw new IllegalArgumentException("threshold must be positive, got " + threshold);
    }
    if (minInstitutions < 2) {
      throw new IllegalArgumentException("a campaign spans at least 2 institutions, got " + minInstitutions);
    }
    weights = Map.copyOf(weights);
  }

  public static LinkRules defaults() {
    return new LinkRules(1.5, 2, DEFAULT_WEIGHTS, 500);
  }

  double weight(String kind) {
    return weights.getOrDefault(kind, 0.0);
  }
}
