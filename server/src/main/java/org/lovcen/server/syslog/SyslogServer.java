package org.lovcen.server.syslog;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import org.lovcen.core.LovcenException;
import org.lovcen.ingest.syslog.SyslogFraming;

/*
 * How and why: three optional listeners on one host address, TCP (RFC 6587), TLS (RFC 5425)
 * and UDP (RFC 5426). TCP and TLS accept on a platform thread each and give every connection a
 * virtual thread (see Connection); a cap on open connections refuses the rest at once. UDP is a
 * receiving and a parsing thread around a bounded queue (see UdpListener). Every message becomes
 * an event of the institution the intake names for its token or sender, is batched per thread
 * (N events or T ms, whichever first) and handed to the intake in copies.
 *
 * close() stops accepting and receiving, closes the connections so that their threads submit what
 * they had batched and end, waits a short grace period, then interrupts what still blocks in the
 * intake (those events count as dropped). When every thread has ended, for each listener
 * received = accepted + rejected + dropped.
 */
/**
 * The syslog listeners of {@code lovcen serve}: TCP, TLS and UDP, handing events to a
 * {@link SyslogIntake}. Thread-safe. Start with {@link #builder}, stop with {@link #close()}.
 */
public final class SyslogServer implements AutoCloseable {
  /** A listener kind; its label names it to the intake and in events' sources. */
  public enum Listener {
    TCP("syslog-tcp"),
    TLS("syslog-tls"),
    UDP("syslog-udp");

    private final String label;

    Listener(String label) {
      this.label = label;
    }

    /** {@code syslog-tcp}, {@code syslog-tls} or {@code syslog-udp}. */
    public String label() {
      return label;
    }
  }

  /**
   * Message counts of one listener since start. A message is received when framed (TCP) or read
   * (UDP); then accepted (submitted), rejected (unusable, oversized, unknown sender) or dropped
   * (UDP queue full, or not submitted because the server stopped). Events still batched are in
   * received only.
   */
  public record Counts(long received, long accepted, long rejected, long dropped) {}

  /** Settings shared by the listeners. */
  record Settings(int maxConnections, long idleNanos, int maxMessage, int batchSize, long batchDelayNanos,
      int udpQueue, long udpQueueBytes, int socketBuffer, ZoneId zone, Clock clock, long graceNanos) {}

  private static final long JOIN_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final SyslogIntake intake;
  private final Settings settings;
  private final Map<Listener, Counters> counters = new EnumMap<>(Listener.class);
  private final Map<Listener, Integer> ports = new EnumMap<>(Listener.class);
  private final List<ServerSocket> serverSockets = new ArrayList<>();
  private final List<Thread> acceptThreads = new ArrayList<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  private UdpListener udp;
  private volatile boolean closed;

  private SyslogServer(SyslogIntake intake, Settings settings) {
    this.intake = intake;
    this.settings = settings;
    for (Listener l : Listener.values()) {
      counters.put(l, new Counters());
    }
  }

  /** A builder; at least one listener must be enabled. */
  public static Builder builder(SyslogIntake intake) {
    return new Builder(intake);
  }

  /** The bound port of a listener (useful after asking for port 0), or -1 when it is not enabled. */
  public int port(Listener listener) {
    return ports.getOrDefault(listener, -1);
  }

  /** The message counts of a listener so far. */
  public Counts counts(Listener listener) {
    return counters.get(listener).snapshot();
  }

  /** TCP and TLS connections open now. */
  public int openConnections() {
    return open.get();
  }

  /** TCP and TLS connections refused so far: over the cap, or a failed TLS handshake. */
  public long refusedConnections() {
    return refused.sum();
  }

  /**
   * Stops every listener: no new connections or datagrams; open connections are closed and their
   * batches submitted, waiting at most the grace period before interrupting submits that block.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ServerSocket s : serverSockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    if (udp != null) {
      udp.close();
    }
    List<Connection> open = List.copyOf(connections);
    for (Connection c : open) {
      c.closeSocket();
    }
    List<Thread> threads = new ArrayList<>(acceptThreads);
    for (Connection c : open) {
      threads.add(c.thread);
    }
    if (udp != null) {
      threads.add(udp.receiving);
      threads.add(udp.parsing);
    }
    long deadline = System.nanoTime() + settings.graceNanos();
    joinUntil(threads, deadline);
    for (Thread t : threads) {
      t.interrupt();
    }
    joinUntil(threads, System.nanoTime() + JOIN_NANOS);
  }

  private static void joinUntil(List<Thread> threads, long deadline) {
    boolean interrupted = false;
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          t.join(Duration.ofNanos(left));
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  Settings settings() {
    return settings;
  }

  SyslogIntake intake() {
    return intake;
  }

  /** A connection ended (its thread is about to). */
  void ended(Connection c) {
    if (connections.remove(c)) {
      open.decrementAndGet();
    }
  }

  /** A connection was refused after it was accepted (TLS handshake). */
  void refused(Connection c, String reason) {
    intake.rejected(c.listener().label(), c.peer(), reason);
    refused.increment(); // after the intake heard of it: a reader of the count sees the rejection too
  }

  private void startTcp(Listener listener, String host, int port, SSLContext tls, SSLParameters tlsParameters)
      throws IOException {
    ServerSocket ss = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
    if (ss instanceof SSLServerSocket secure && tlsParameters != null) {
      secure.setSSLParameters(tlsParameters);
    }
    serverSockets.add(ss);
    ss.setReuseAddress(true);
    if (settings.socketBuffer() > 0) {
      ss.setReceiveBufferSize(settings.socketBuffer());
    }
    try {
      ss.bind(new InetSocketAddress(host, port), 128);
    } catch (IOException e) {
      throw new IOException(listener.label() + " port " + port + ": " + e.getMessage(), e);
    }
    ports.put(listener, ss.getLocalPort());
    Thread t = Thread.ofPlatform().daemon().name(listener.label() + "-accept").unstarted(() -> accept(listener, ss));
    acceptThreads.add(t);
    t.start();
  }

  private void accept(Listener listener, ServerSocket ss) {
    Counters c = counters.get(listener);
    while (!closed) {
      Socket s;
      try {
        s = ss.accept();
      } catch (IOException e) {
        if (closed || ss.isClosed()) {
          return;
        }
        pause(); // e.g. out of file descriptors: do not spin
        continue;
      }
      if (open.incrementAndGet() > settings.maxConnections()) {
        open.decrementAndGet();
        refused.increment();
        intake.rejected(listener.label(), s.getInetAddress().getHostAddress(),
            "too many connections (limit " + settings.maxConnections() + ")");
        close(s);
        continue;
      }
      try {
        s.setKeepAlive(true);
      } catch (IOException e) {
        // a socket that cannot take options fails on its first read
      }
      Connection conn = new Connection(this, listener, s, c);
      conn.thread = Thread.ofVirtual().name(listener.label() + "-" + conn.peer() + ":" + s.getPort()).unstarted(conn);
      connections.add(conn);
      conn.thread.start();
      if (closed) {
        conn.closeSocket();
      }
    }
  }

  /** A short wait after an error that may repeat at once. */
  static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private void startUdp(String host, int port) throws IOException {
    DatagramSocket socket = new DatagramSocket(null);
    if (settings.socketBuffer() > 0) {
      socket.setReceiveBufferSize(settings.socketBuffer());
    }
    try {
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      socket.close();
      throw new IOException(Listener.UDP.label() + " port " + port + ": " + e.getMessage(), e);
    }
    ports.put(Listener.UDP, socket.getLocalPort());
    udp = new UdpListener(this, socket, counters.get(Listener.UDP));
    udp.start();
  }

  /** Configures and starts a {@link SyslogServer}. Not thread-safe. */
  public static final class Builder {
    private final SyslogIntake intake;
    private String host = "0.0.0.0";
    private int tcpPort = -1;
    private int tlsPort = -1;
    private SSLContext tls;
    private SSLParameters tlsParameters;
    private int udpPort = -1;
    private int maxConnections = 1000;
    private Duration idleTimeout = Duration.ofMinutes(10);
    private int maxMessage = SyslogFraming.DEFAULT_MAX_MESSAGE;
    private int batchSize = 500;
    private Duration batchDelay = Duration.ofMillis(200);
    private int udpQueue = 10_000;
    private long udpQueueBytes = 32L << 20;
    private int socketBuffer;
    private ZoneId zone = ZoneOffset.UTC;
    private Clock clock = Clock.systemUTC();
    private Duration closeGrace = Duration.ofSeconds(1);

    private Builder(SyslogIntake intake) {
      this.intake = Objects.requireNonNull(intake, "intake");
    }

    /** Address to bind (default {@code 0.0.0.0}: every interface). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Enables plain TCP on {@code port} (0: any free port). */
    public Builder tcp(int port) {
      this.tcpPort = port(port);
      return this;
    }

    /** Enables TLS over TCP on {@code port} (0: any free port) with the server's key and certificate. */
    public Builder tls(int port, SSLContext context) {
      return tls(port, context, null);
    }

    /**
     * The same, restricted to {@code parameters}' protocols and cipher suites (null: the
     * context's defaults).
     */
    public Builder tls(int port, SSLContext context, SSLParameters parameters) {
      this.tlsPort = port(port);
      this.tls = Objects.requireNonNull(context, "context");
      this.tlsParameters = parameters;
      return this;
    }

    /** Enables UDP on {@code port} (0: any free port). */
    public Builder udp(int port) {
      this.udpPort = port(port);
      return this;
    }

    /** Most TCP and TLS connections open at once (default 1000); more are closed at once. */
    public Builder maxConnections(int n) {
      this.maxConnections = positive("maxConnections", n);
      return this;
    }

    /** A connection silent this long is closed (default 10 minutes). */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = positive("idleTimeout", d);
      return this;
    }

    /** Largest message in bytes (default 64 KiB); larger frames and datagrams are rejected. */
    public Builder maxMessage(int bytes) {
      this.maxMessage = positive("maxMessage", bytes);
      return this;
    }

    /** Submit every {@code events} events or after {@code delay}, whichever first (default 500, 200 ms). */
    public Builder batch(int events, Duration delay) {
      this.batchSize = positive("batch size", events);
      this.batchDelay = positive("batch delay", delay);
      return this;
    }

    /** Datagrams waiting for the parser, at most (default 10000 and 32 MiB); more are dropped. */
    public Builder udpQueue(int datagrams, long bytes) {
      this.udpQueue = positive("udpQueue", datagrams);
      this.udpQueueBytes = positive("udpQueue bytes", bytes);
      return this;
    }

    /** Socket receive buffer (SO_RCVBUF) in bytes for every listener; 0 leaves the system's. */
    public Builder socketBuffer(int bytes) {
      if (bytes < 0) {
        throw new LovcenException("socketBuffer " + bytes + " is negative");
      }
      this.socketBuffer = bytes;
      return this;
    }

    /** Zone of message times that carry none (default UTC). */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /** Clock for the year of RFC 3164 times and for messages without a time (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long {@link #close()} lets threads submit their last batch before interrupting (default 1 s). */
    public Builder closeGrace(Duration d) {
      if (d.isNegative()) {
        throw new LovcenException("closeGrace " + d + " is negative");
      }
      this.closeGrace = d;
      return this;
    }

    /**
     * Binds the enabled listeners and starts their threads.
     *
     * @throws IOException when a port cannot be bound (nothing is left open then)
     * @throws LovcenException when no listener is enabled
     */
    public SyslogServer start() throws IOException {
      if (tcpPort < 0 && tlsPort < 0 && udpPort < 0) {
        throw new LovcenException("no syslog listener enabled (tcp, tls or udp)");
      }
      Settings s = new Settings(maxConnections, idleTimeout.toNanos(), maxMessage, batchSize, batchDelay.toNanos(),
          udpQueue, udpQueueBytes, socketBuffer, zone, clock, closeGrace.toNanos());
      SyslogServer server = new SyslogServer(intake, s);
      try {
        if (tcpPort >= 0) {
          server.startTcp(Listener.TCP, host, tcpPort, null, null);
        }
        if (tlsPort >= 0) {
          server.startTcp(Listener.TLS, host, tlsPort, tls, tlsParameters);
        }
        if (udpPort >= 0) {
          server.startUdp(host, udpPort);
        }
      } catch (IOException | RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    }

    private static int port(int port) {
      if (port < 0 || port > 65535) {
        throw new LovcenException("port " + port + " out of range 0..65535");
      }
      return port;
    }

    private static int positive(String what, int n) {
      if (n < 1) {
        throw new LovcenException(what + " " + n + " must be at least 1");
      }
      return n;
    }

    private static long positive(String what, long n) {
      if (n < 1) {
        throw new LovcenException(what + " " + n + " must be at least 1");
      }
      return n;
    }

    private static Duration positive(String what, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new LovcenException(what + " " + d + " must be positive");
      }
      return d;
    }
  }

  @Override
  public String toString() {
    return "SyslogServer" + ports;
  }
}
