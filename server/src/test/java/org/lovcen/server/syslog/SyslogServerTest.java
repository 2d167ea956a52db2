package org.lovcen.server.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;
import org.lovcen.server.syslog.SyslogServer.Counts;
import org.lovcen.server.syslog.SyslogServer.Listener;

/** The listeners over real loopback sockets: framing, TLS, UDP, tenancy, limits, backpressure, close. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SyslogServerTest {
  private static final String LOOPBACK = "127.0.0.1";

  @TempDir
  Path dir;

  private SyslogServer server;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Records what the listeners hand over; submit can be held shut by a gate. */
  static final class Intake implements SyslogIntake {
    final BiFunction<InetAddress, String, String> institutions;
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    final List<String> lookups = new CopyOnWriteArrayList<>();
    final AtomicInteger submitsEntered = new AtomicInteger();
    volatile CountDownLatch gate;
    volatile boolean stopping;

    Intake(BiFunction<InetAddress, String, String> institutions) {
      this.institutions = institutions;
    }

    static Intake everyone(String institution) {
      return new Intake((peer, token) -> institution);
    }

    @Override
    public String institutionFor(InetAddress peer, String token) {
      lookups.add(peer.getHostAddress() + "|" + token);
      return institutions.apply(peer, token);
    }

    @Override
    public boolean submit(String institution, List<Event> batch) throws InterruptedException {
      submitsEntered.incrementAndGet();
      CountDownLatch g = gate;
      if (g != null) {
        g.await();
      }
      if (stopping) {
        return false;
      }
      for (Event e : batch) {
        assertThat(e.institution()).isEqualTo(institution);
      }
      events.addAll(batch);
      return true;
    }

    @Override
    public void rejected(String listener, String peer, String reason) {
      rejected.add(listener + "|" + peer + "|" + reason);
    }

    List<String> messages() {
      List<String> out = new ArrayList<>();
      for (Event e : events) {
        out.add(e.get("message"));
      }
      return out;
    }
  }

  private SyslogServer.Builder builder(Intake intake) {
    return SyslogServer.builder(intake).host(LOOPBACK).batch(100, Duration.ofMillis(20));
  }

  private Socket connect(Listener l) throws IOException {
    Socket s = new Socket(LOOPBACK, server.port(l));
    clients.add(s);
    return s;
  }

  static byte[] octets(String msg) {
    byte[] m = msg.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((m.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(m);
    return out.toByteArray();
  }

  static byte[] line(String msg) {
    return (msg + "\n").getBytes(StandardCharsets.UTF_8);
  }

  static void await(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail("timed out waiting until " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  static void assertBalanced(Counts c) {
    assertThat(c.accepted() + c.rejected() + c.dropped()).as("%s", c).isEqualTo(c.received());
  }

  @Test
  void tcp_octetCountingAndLineFraming_deliverEventsInOrder() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    server = builder(intake).tcp(0).start();
    try (Socket s = connect(Listener.TCP)) {
      OutputStream out = s.getOutputStream();
      out.write(octets("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47"
          + " [exampleSDID@32473 iut=\"3\"] first\nwith a line break"));
      out.write(line("<38>Mar 14 03:12:01 web01 sshd[4123]: Failed password for invalid user admin from"
          + " 203.0.113.45 port 52214 ssh2"));
      out.write(octets("<13>Mar 14 10:12:15 sshd[7]: third, no host name"));
      out.write("<13>fourth\r\n<13>fifth".getBytes(StandardCharsets.UTF_8));
    }
    await("five events", () -> intake.events.size() == 5);
    assertThat(intake.messages()).containsExactly("first\nwith a line break",
        "Failed password for invalid user admin from 203.0.113.45 port 52214 ssh2", "third, no host name", "fourth",
        "fifth");
    Event first = intake.events.get(0);
    assertThat(first.institution()).isEqualTo("inst-a");
    assertThat(first.host()).isEqualTo("mymachine.example.com");
    assertThat(first.get("exampleSDID@32473.iut")).isEqualTo("3");
    assertThat(first.source()).isEqualTo("syslog-tcp:127.0.0.1");
    assertThat(intake.events.get(1).get("appname")).isEqualTo("sshd");
    assertThat(intake.events.get(2).host()).as("no HOSTNAME: the peer").isEqualTo(LOOPBACK);
    assertThat(intake.events.stream().map(Event::record)).containsExactly(1L, 2L, 3L, 4L, 5L);
    await("the connection to end", () -> server.openConnections() == 0);
    assertThat(server.counts(Listener.TCP)).isEqualTo(new Counts(5, 5, 0, 0));
    assertThat(intake.rejected).isEmpty();
  }

  @Test
  void tcp_batchDelay_flushesWhileTheSenderIsQuiet() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    server = builder(intake).tcp(0).batch(1000, Duration.ofMillis(50)).start();
    Socket s = connect(Listener.TCP);
    s.getOutputStream().write(line("<13>Mar 14 10:12:15 h app: one"));
    await("the lone event", () -> intake.events.size() == 1);
    s.getOutputStream().write(line("<13>Mar 14 10:12:16 h app: two"));
    await("the second event", () -> intake.events.size() == 2);
    assertThat(server.openConnections()).isEqualTo(1);
    assertThat(intake.submitsEntered.get()).isEqualTo(2);
  }

  @Test
  void tls_selfSignedCertificate_deliversAcrossQuietPauses() throws Exception {
    Path store = org.lovcen.server.TestTls.keystore(dir);
    SSLContext serverContext = org.lovcen.server.TestTls.serverContext(store);
    SSLContext clientContext = org.lovcen.server.TestTls.trusting(store);

    Intake intake = Intake.everyone("inst-tls");
    server = builder(intake).tls(0, serverContext).batch(100, Duration.ofMillis(10)).start();
    try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket(LOOPBACK, server.port(Listener.TLS))) {
      s.startHandshake();
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < 5; i++) {
        out.write(octets("<13>1 2024-01-21T10:12:15Z h app - - - tls " + i));
        out.flush();
        int n = i + 1;
        // each pause outlasts the batch delay: the connection's reads time out between messages
        await("event " + n, () -> intake.events.size() == n);
        Thread.sleep(30);
      }
      out.write(line("<13>Mar 14 10:12:15 h app: tls line"));
    }
    await("six events", () -> intake.events.size() == 6);
    assertThat(intake.messages()).containsExactly("tls 0", "tls 1", "tls 2", "tls 3", "tls 4", "tls line");
    assertThat(intake.events.get(0).source()).isEqualTo("syslog-tls:127.0.0.1");

    // plain text on the TLS port fails the handshake and is refused
    try (Socket plain = connect(Listener.TLS)) {
      plain.getOutputStream().write(line("<13>Mar 14 10:12:15 h app: not TLS"));
      await("the refusal", () -> server.refusedConnections() == 1);
    }
    assertThat(intake.rejected).singleElement().asString().startsWith("syslog-tls|127.0.0.1|TLS handshake failed");
    assertThat(intake.events).hasSize(6);
  }

  @Test
  void udp_datagrams_becomeEvents() throws Exception {
    Intake intake = Intake.everyone("inst-u");
    server = builder(intake).udp(0).start();
    try (DatagramSocket s = new DatagramSocket()) {
      for (String m : new String[] {"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n",
          "<13>1 2024-01-21T10:12:15Z h app - - [a@1 b=\"c\"] udp two", "Use the BFG!"}) {
        byte[] b = m.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, new InetSocketAddress(LOOPBACK, server.port(Listener.UDP))));
      }
    }
    await("three events", () -> intake.events.size() == 3);
    assertThat(intake.messages()).containsExactly("'su root' failed for lonvick on /dev/pts/8", "udp two",
        "Use the BFG!");
    assertThat(intake.events.get(1).get("a@1.b")).isEqualTo("c");
    assertThat(intake.events.get(2).host()).isEqualTo(LOOPBACK);
    assertThat(intake.events.get(0).source()).isEqualTo("syslog-udp:127.0.0.1");
    assertThat(server.counts(Listener.UDP)).isEqualTo(new Counts(3, 3, 0, 0));
  }

  @Test
  void unknownSender_isRejected_andNothingSubmitted() throws Exception {
    Intake intake = new Intake((peer, token) -> null);
    server = builder(intake).tcp(0).udp(0).start();
    try (Socket s = connect(Listener.TCP)) {
      s.getOutputStream().write(line("<13>Mar 14 10:12:15 h app: who am I"));
      s.getOutputStream().write(line("<13>Mar 14 10:12:15 h app: still nobody"));
    }
    try (DatagramSocket u = new DatagramSocket()) {
      byte[] b = "<13>Mar 14 10:12:15 h app: udp nobody".getBytes(StandardCharsets.UTF_8);
      u.send(new DatagramPacket(b, b.length, new InetSocketAddress(LOOPBACK, server.port(Listener.UDP))));
    }
    await("three rejections", () -> intake.rejected.size() == 3);
    assertThat(intake.rejected).containsExactlyInAnyOrder("syslog-tcp|127.0.0.1|unknown sender",
        "syslog-tcp|127.0.0.1|unknown sender", "syslog-udp|127.0.0.1|unknown sender");
    assertThat(intake.submitsEntered.get()).isZero();
    await("the connection to end", () -> server.openConnections() == 0);
    assertThat(server.counts(Listener.TCP)).isEqualTo(new Counts(2, 0, 2, 0));
  }

  @Test
  void token_mapsTheInstitution_andIsNeverStoredOrReported() throws Exception {
    Intake intake = new Intake((peer, token) -> "s3cret-token".equals(token) ? "inst-b" : null);
    server = builder(intake).tcp(0).start();
    try (Socket s = connect(Listener.TCP)) {
      OutputStream out = s.getOutputStream();
      out.write(octets("<13>1 2024-01-21T10:12:15Z h app - - [lovcen@32473 token=\"s3cret-token\" site=\"hq\"] with token"));
      out.write(octets("<13>1 2024-01-21T10:12:15Z h app - - - without token"));
      out.write(octets("<13>1 2024-01-21T10:12:15Z h app - - [lovcen@32473 token=\"wrong-s3cret\"] wrong token"));
      out.write(line("<13>Mar 14 10:12:15 h app: [lovcen@32473 token=\"s3cret-token\"] token outside structured data"));
    }
    await("all four handled", () -> intake.events.size() + intake.rejected.size() == 4);
    assertThat(intake.messages()).containsExactly("with token");
    Event e = intake.events.get(0);
    assertThat(e.institution()).isEqualTo("inst-b");
    assertThat(e.get("lovcen@32473.site")).isEqualTo("hq");
    for (int i = 0; i < e.size(); i++) {
      assertThat(e.name(i) + "=" + e.value(i)).doesNotContain("s3cret");
    }
    assertThat(intake.rejected).hasSize(3).allSatisfy(r -> assertThat(r).doesNotContain("s3cret"));
    assertThat(intake.rejected.get(0)).isEqualTo("syslog-tcp|127.0.0.1|unknown sender");
    assertThat(intake.rejected.get(1)).isEqualTo("syslog-tcp|127.0.0.1|unknown sender or token");
    assertThat(intake.lookups).contains("127.0.0.1|s3cret-token", "127.0.0.1|null", "127.0.0.1|wrong-s3cret");
  }

  @Test
  void oversizedFrames_areRejected_andTheStreamGoesOn() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    server = builder(intake).tcp(0).udp(0).maxMessage(200).start();
    String big = "<13>Mar 14 10:12:15 h app: " + "x".repeat(1000);
    try (Socket s = connect(Listener.TCP)) {
      OutputStream out = s.getOutputStream();
      out.write(octets(big + "\n5 fake"));
      out.write(line("<13>Mar 14 10:12:15 h app: after the big frame"));
      out.write(line(big));
      out.write(octets("<13>Mar 14 10:12:15 h app: after the long line"));
    }
    try (DatagramSocket u = new DatagramSocket()) {
      byte[] b = big.getBytes(StandardCharsets.UTF_8);
      u.send(new DatagramPacket(b, b.length, new InetSocketAddress(LOOPBACK, server.port(Listener.UDP))));
    }
    await("two events and three rejections", () -> intake.events.size() == 2 && intake.rejected.size() == 3);
    assertThat(intake.messages()).containsExactly("after the big frame", "after the long line");
    assertThat(intake.rejected).containsExactlyInAnyOrder(
        "syslog-tcp|127.0.0.1|frame of 1034 bytes over the limit of 200, skipped",
        "syslog-tcp|127.0.0.1|line longer than the limit of 200 bytes, skipped to the next line break",
        "syslog-udp|127.0.0.1|datagram over the limit of 200 bytes");
    await("the connection to end", () -> server.openConnections() == 0);
    assertThat(server.counts(Listener.TCP)).isEqualTo(new Counts(4, 2, 2, 0));
    assertThat(server.counts(Listener.UDP)).isEqualTo(new Counts(1, 0, 1, 0));
  }

  @Test
  void backpressure_blockedIntakeStopsTheSender_andNothingIsLost() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    intake.gate = new CountDownLatch(1);
    server = builder(intake).tcp(0).socketBuffer(64 * 1024).start();
    Socket s = new Socket();
    clients.add(s);
    s.setSendBufferSize(64 * 1024);
    s.connect(new InetSocketAddress(LOOPBACK, server.port(Listener.TCP)));
    int total = 40_000;
    AtomicLong written = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      byte[] f = octets(String.format("<13>1 2024-01-21T10:12:15Z host app - - - message %06d %s", i, "p".repeat(60)));
      frames.add(f);
      bytes.addAndGet(f.length);
    }
    Thread writer = Thread.ofPlatform().name("test-writer").start(() -> {
      try (OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192)) {
        for (byte[] f : frames) {
          out.write(f);
          written.addAndGet(f.length);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    // wait until the writer makes no progress for a second
    long last = -1;
    long stillSince = System.nanoTime();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() - stillSince < TimeUnit.SECONDS.toNanos(1)) {
      assertThat(System.nanoTime()).as("the writer never stalled").isLessThan(end);
      long w = written.get();
      if (w != last) {
        last = w;
        stillSince = System.nanoTime();
      }
      Thread.sleep(50);
    }
    assertThat(writer.isAlive()).as("the writer is blocked").isTrue();
    assertThat(written.get()).as("written before blocking").isLessThan(bytes.get() / 4);
    assertThat(intake.events).isEmpty();
    assertThat(intake.submitsEntered.get()).as("the connection waits in its first submit").isEqualTo(1);

    intake.gate.countDown();
    writer.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(writer.isAlive()).isFalse();
    s.close();
    await("every event", () -> intake.events.size() == total);
    List<String> outOfOrder = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      Event e = intake.events.get(i);
      if (e.record() != i + 1 || !e.get("message").startsWith(String.format("message %06d ", i))) {
        outOfOrder.add(i + ": " + e);
      }
    }
    assertThat(outOfOrder).isEmpty();
    await("the connection to end", () -> server.openConnections() == 0);
    assertThat(server.counts(Listener.TCP)).isEqualTo(new Counts(total, total, 0, 0));
  }

  @Test
  void udp_fullQueue_dropsAndCounts() throws Exception {
    Intake intake = Intake.everyone("inst-u");
    intake.gate = new CountDownLatch(1);
    server = builder(intake).udp(0).udpQueue(5, 1 << 20).batch(1, Duration.ofMillis(10)).start();
    int sent = 50;
    try (DatagramSocket u = new DatagramSocket()) {
      for (int i = 0; i < sent; i++) {
        byte[] b = ("<13>Mar 14 10:12:15 h app: datagram " + i).getBytes(StandardCharsets.UTF_8);
        u.send(new DatagramPacket(b, b.length, new InetSocketAddress(LOOPBACK, server.port(Listener.UDP))));
      }
    }
    await("every datagram read", () -> server.counts(Listener.UDP).received() == sent);
    Counts blocked = server.counts(Listener.UDP);
    // one event waits in submit, at most five in the queue: the rest are dropped
    assertThat(blocked.dropped()).isGreaterThanOrEqualTo(sent - 6);
    assertThat(intake.rejected).hasSize((int) blocked.dropped())
        .allSatisfy(r -> assertThat(r).isEqualTo("syslog-udp|127.0.0.1|dropped: queue full"));
    intake.gate.countDown();
    await("the queue drained", () -> intake.events.size() == sent - blocked.dropped());
    Counts after = server.counts(Listener.UDP);
    assertThat(after.accepted()).isEqualTo(sent - blocked.dropped());
    assertBalanced(after);
  }

  @Test
  void maxConnections_refusesTheRest() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    server = builder(intake).tcp(0).maxConnections(2).start();
    connect(Listener.TCP);
    connect(Listener.TCP);
    await("two connections", () -> server.openConnections() == 2);
    Socket third = connect(Listener.TCP);
    third.setSoTimeout(5000);
    assertThat(third.getInputStream().read()).as("closed by the server").isEqualTo(-1);
    assertThat(server.refusedConnections()).isEqualTo(1);
    assertThat(intake.rejected).containsExactly("syslog-tcp|127.0.0.1|too many connections (limit 2)");
  }

  @Test
  void idleTimeout_closesSilentConnections() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    server = builder(intake).tcp(0).idleTimeout(Duration.ofMillis(300)).start();
    Socket s = connect(Listener.TCP);
    s.getOutputStream().write(line("<13>Mar 14 10:12:15 h app: then silence"));
    s.setSoTimeout(5000);
    long start = System.nanoTime();
    assertThat(s.getInputStream().read()).isEqualTo(-1);
    assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
    await("the event", () -> intake.events.size() == 1);
    await("the connection to end", () -> server.openConnections() == 0);
  }

  @Test
  void close_whileClientsAreConnected_submitsBatchesAndEndsPromptly() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    server = builder(intake).tcp(0).udp(0).batch(1000, Duration.ofSeconds(30)).start();
    List<Socket> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Socket s = connect(Listener.TCP);
      s.getOutputStream().write(line("<13>Mar 14 10:12:15 h app: client " + i));
      open.add(s);
    }
    await("three messages framed", () -> server.counts(Listener.TCP).received() == 3);
    assertThat(intake.events).as("still batched").isEmpty();
    long start = System.nanoTime();
    server.close();
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(3));
    assertThat(intake.messages()).containsExactlyInAnyOrder("client 0", "client 1", "client 2");
    assertThat(server.openConnections()).isZero();
    for (Socket s : open) {
      s.setSoTimeout(5000);
      try {
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      } catch (IOException reset) {
        // a reset also tells the client the server is gone
      }
    }
    assertThatThrownBy(() -> new Socket(LOOPBACK, server.port(Listener.TCP)).close()).isInstanceOf(IOException.class);
    assertThat(server.counts(Listener.TCP)).isEqualTo(new Counts(3, 3, 0, 0));
  }

  @Test
  void close_whileTheIntakeBlocks_dropsAfterTheGracePeriod() throws Exception {
    Intake intake = Intake.everyone("inst-a");
    intake.gate = new CountDownLatch(1);
    server = builder(intake).tcp(0).closeGrace(Duration.ofMillis(200)).start();
    Socket s = connect(Listener.TCP);
    for (int i = 0; i < 10; i++) {
      s.getOutputStream().write(line("<13>Mar 14 10:12:15 h app: blocked " + i));
    }
    await("a submit waiting", () -> intake.submitsEntered.get() == 1);
    long start = System.nanoTime();
    server.close();
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(3));
    assertThat(intake.events).isEmpty();
    Counts c = server.counts(Listener.TCP);
    assertThat(c.dropped()).isEqualTo(c.received()).isPositive();
    assertBalanced(c);
    assertThat(server.openConnections()).isZero();
  }
}
