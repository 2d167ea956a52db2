package org.lovcen.server.syslog;

import java.net.InetAddress;
import java.util.Objects;
import org.lovcen.core.Event;
import org.lovcen.ingest.syslog.SyslogParser;

/**
 * Turns received messages into events of an institution and batches them: the part of a TCP
 * connection and of the UDP worker that is the same. Owned by one thread: not thread-safe.
 */
final class Receiver {
  /** How long an institution looked up for a sender (or token) is reused. */
  private static final long LOOKUP_NANOS = 30_000_000_000L;

  private final SyslogServer.Settings settings;
  private final SyslogIntake intake;
  private final String listener;
  private final Counters counters;
  private final SyslogParser parser;
  private final Event event = new Event();
  final Batch batch = new Batch();

  private InetAddress lastAddress;
  private String lastToken;
  private String lastInstitution;
  private long lastLookup;

  Receiver(SyslogServer.Settings settings, SyslogIntake intake, String listener, Counters counters) {
    this.settings = settings;
    this.intake = intake;
    this.listener = listener;
    this.counters = counters;
    this.parser = new SyslogParser(settings.zone(), settings.clock());
  }

  /**
   * One message, already counted as received: parsed, given its institution and batched, or
   * rejected with a reason.
   */
  void message(byte[] buf, int off, int len, InetAddress address, String peer, String source, long record) {
    SyslogParser.Outcome outcome;
    try {
      outcome = parser.parse(buf, off, len, source, peer, record, event);
    } catch (RuntimeException e) {
      reject(peer, "parser failure: " + e.getClass().getSimpleName());
      return;
    }
    if (!outcome.accepted()) {
      reject(peer, parser.problem().reason());
      return;
    }
    String token = parser.token();
    String institution;
    try {
      institution = institution(address, token);
    } catch (RuntimeException e) {
      reject(peer, "institution lookup failed: " + e.getClass().getSimpleName());
      return;
    }
    if (institution == null) {
      reject(peer, token == null ? "unknown sender" : "unknown sender or token");
      return;
    }
    Event copy = event.copy();
    copy.institution(institution);
    batch.add(institution, copy);
  }

  /** Counts a rejected message and tells the intake. Thread-safe. */
  void reject(String peer, String reason) {
    counters.rejected.increment();
    intake.rejected(listener, peer, reason);
  }

  private String institution(InetAddress address, String token) {
    long now = System.nanoTime();
    if (address.equals(lastAddress) && Objects.equals(token, lastToken) && now - lastLookup < LOOKUP_NANOS) {
      return lastInstitution;
    }
    lastInstitution = intake.institutionFor(address, token);
    lastAddress = address;
    lastToken = token;
    lastLookup = now;
    return lastInstitution;
  }

  /** Whether the batch is full or has waited long enough. */
  boolean due(long nowNanos) {
    return batch.size() >= settings.batchSize()
        || (batch.size() > 0 && nowNanos - batch.deadline(settings.batchDelayNanos()) >= 0);
  }

  /** Submits the batch; false when the intake refused it (the server is stopping). */
  boolean flush() throws InterruptedException {
    return batch.size() == 0 || batch.flush(intake, counters);
  }
}
