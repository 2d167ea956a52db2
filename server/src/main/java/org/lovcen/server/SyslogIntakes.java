package org.lovcen.server;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;
import org.lovcen.server.live.Batch;
import org.lovcen.server.live.IngestQueue;
import org.lovcen.server.syslog.SyslogIntake;
import org.lovcen.server.syslog.SyslogServer;
import org.lovcen.store.Directory;
import org.lovcen.store.Scope;
import org.lovcen.web.Cidr;

/*
 * How and why: syslog messages belong to an institution by the ingest token a sender puts in
 * its structured data, else by the sender's address matched against each institution's
 * syslog_sources ranges. The ranges are read from the store at most every few seconds. Events
 * go into the same bounded ingest queue as HTTP bulk; put() waits while it is full, which stops
 * reading from TCP connections (the sender's kernel buffer fills and it slows down).
 */
/** The server's side of the syslog listeners. Thread-safe. */
final class SyslogIntakes implements SyslogIntake {
  private static final System.Logger LOG = System.getLogger("lovcen.syslog");
  private static final long REFRESH_NANOS = Duration.ofSeconds(5).toNanos();

  private record Range(Cidr cidr, String institution) {}

  private final Directory directory;
  private final IngestQueue queue;
  private final Metrics metrics;
  private volatile List<Range> ranges = List.of();
  private volatile long readAt;

  SyslogIntakes(Directory directory, IngestQueue queue, Metrics metrics) {
    this.directory = directory;
    this.queue = queue;
    this.metrics = metrics;
  }

  @Override
  public String institutionFor(InetAddress peer, String token) {
    if (token != null) {
      return directory.resolveToken(token, System.currentTimeMillis() * 1000)
          .filter(g -> g.kind().equals("ingest")).map(Directory.TokenGrant::institution).orElse(null);
    }
    String ip = peer.getHostAddress();
    for (Range r : ranges()) {
      if (r.cidr().contains(ip)) {
        return r.institution();
      }
    }
    return null;
  }

  private List<Range> ranges() {
    if (System.nanoTime() - readAt > REFRESH_NANOS) {
      List<Range> out = new ArrayList<>();
      for (Directory.Institution i : directory.institutions(Scope.NATIONAL)) {
        for (String s : i.syslogSources().split("[,\\s]+")) {
          if (!s.isBlank()) {
            try {
              out.add(new Range(Cidr.parse(s.trim()), i.id()));
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "institution " + i.id() + ": bad syslog source '" + s + "'");
            }
          }
        }
      }
      ranges = List.copyOf(out);
      readAt = System.nanoTime();
    }
    return ranges;
  }

  @Override
  public boolean submit(String institution, List<Event> events) throws InterruptedException {
    for (Event e : events) {
      e.institution(institution);
    }
    queue.put(Batch.unanswered(institution, events)); // kept, not dropped, while the store fails
    metrics.ingested.labelValues(institution, "syslog").inc(events.size());
    return true;
  }

  @Override
  public void rejected(String listener, String peer, String reason) {
    metrics.rejected.labelValues(listener, "message").inc();
  }

  /**
   * Starts the configured listeners, or returns null when none is configured; {@code tls} is the
   * context of the TLS listener ({@link #tls}), null without one.
   */
  static SyslogServer start(ServeConfig.Syslog c, SSLContext tls, SyslogIntake intake) {
    if (c.tcpPort() < 0 && c.udpPort() < 0 && c.tlsPort() < 0) {
      return null;
    }
    SyslogServer.Builder b = SyslogServer.builder(intake).host(c.host()).maxMessage(c.maxMessageBytes())
        .maxConnections(c.maxConnections());
    if (c.tcpPort() >= 0) {
      b.tcp(c.tcpPort());
    }
    if (c.udpPort() >= 0) {
      b.udp(c.udpPort());
    }
    if (c.tlsPort() >= 0) {
      b.tls(c.tlsPort(), tls, Tls.parameters(tls));
    }
    try {
      return b.start();
    } catch (IOException e) {
      throw new LovcenException("cannot start the syslog listeners on " + c.host() + ": " + e.getMessage());
    }
  }

  /** A TLS context from the PKCS#12 key store of the configuration. */
  static SSLContext tls(ServeConfig.Syslog c) {
    if (c.tlsKeystore().isBlank()) {
      throw new LovcenException("syslog.tls_port needs syslog.tls_keystore (a PKCS#12 file with key and certificate)");
    }
    return Tls.context(c.tlsKeystore(), c.tlsPassword(), "syslog.tls_keystore");
  }
}
