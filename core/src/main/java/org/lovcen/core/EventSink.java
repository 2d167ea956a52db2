package org.lovcen.core;

/**
 * Receives events from a reader. The event instance is reused by the reader after
 * {@link #accept} returns: copy what must be kept.
 */
@FunctionalInterface
public interface EventSink {
  void accept(Event event);
}
