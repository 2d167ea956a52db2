package org.lovcen.server;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A wall clock that tests move by hand. Thread-safe. */
public final class TestClock extends Clock {
  private volatile long millis;

  public TestClock(Instant start) {
    this.millis = start.toEpochMilli();
  }

  /** Moves the clock forward by {@code ms}. */
  public synchronized void advance(long ms) {
    millis += ms;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
