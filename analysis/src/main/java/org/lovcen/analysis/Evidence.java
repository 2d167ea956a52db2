package org.lovcen.analysis;

import java.util.Objects;

/**
 * One piece of evidence an alert carries: a kind ({@code hash}, {@code command}, {@code file},
 * {@code domain}, {@code address}, {@code indicator}, {@code rule}, {@code techniques},
 * {@code system-hash}) and a normalised value. Two hosts that carry the same evidence share it.
 */
public record Evidence(String kind, String value) {
  public Evidence {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }
}
