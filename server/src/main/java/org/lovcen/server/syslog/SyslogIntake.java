package org.lovcen.server.syslog;

/**
 * Where the syslog listeners hand what they receive: the server implements it. Called from many
 * listener threads at once, so implementations must be thread-safe.
 */
public interface SyslogIntake {
  /** The institution a message belongs to: by token (from structured data element `lovcen@32473` param `token`, or null), else by the peer address; null = unknown sender (rejected). */
  String institutionFor(java.net.InetAddress peer, String token);
  /** Hands parsed events (copies) of one institution to the pipeline. Blocks while the pipeline is full (backpressure). Returns false when the server is stopping. */
  boolean submit(String institution, java.util.List<org.lovcen.core.Event> events) throws InterruptedException;
  /** Counts a rejected message or frame: the listener, the peer, the reason. */
  void rejected(String listener, String peer, String reason);
}
