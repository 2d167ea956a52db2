package org.lovcen.intel;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the current {@link IndicatorSet} of a running pipeline. Readers take {@link #current()}
 * once per batch (or per split) and keep using that snapshot; a writer compiles a new set and
 * {@link #publish publishes} it, which swaps it in atomically: in-flight events finish on the set
 * they started with. Implementations are thread-safe. The server's store (TAXII polling, uploads,
 * retro-hunts) will implement this interface; {@link #inMemory()} serves {@code hunt} and tests.
 */
public interface IndicatorStore {
  /** The live snapshot; never null. */
  IndicatorSet current();

  /** Makes {@code set} the live snapshot. */
  void publish(IndicatorSet set);

  /** A store holding its snapshot in memory, starting with {@link IndicatorSet#EMPTY}. */
  static IndicatorStore inMemory() {
    AtomicReference<IndicatorSet> ref = new AtomicReference<>(IndicatorSet.EMPTY);
    return new IndicatorStore() {
      @Override
      public IndicatorSet current() {
        return ref.get();
      }

      @Override
      public void publish(IndicatorSet set) {
        ref.set(java.util.Objects.requireNonNull(set));
      }
    };
  }
}
