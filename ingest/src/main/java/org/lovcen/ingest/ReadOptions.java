package org.lovcen.ingest;

/**
 * How readers tag what they read.
 *
 * @param institution institution every event belongs to; may be null
 * @param host host to set on every event, overriding what the log says; null keeps the log's
 */
public record ReadOptions(String institution, String host) {
  /** No institution, hosts from the logs. */
  public static final ReadOptions DEFAULT = new ReadOptions(null, null);
}
