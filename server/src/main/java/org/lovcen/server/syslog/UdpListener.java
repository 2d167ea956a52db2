package org.lovcen.server.syslog;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/*
 * How and why: UDP has no way to slow a sender, so receiving and parsing are split. One thread
 * only reads datagrams into a queue bounded in count and bytes; when it is full (the intake is
 * blocking, or parsing cannot keep up) the datagram is counted as dropped and reported, and the
 * socket is read on, so that the kernel's buffer does not silently overflow instead. A second
 * thread parses, batches and submits, blocking in the intake as a TCP connection does.
 */
/** The UDP syslog listener: a receiving and a parsing thread around a bounded queue. */
final class UdpListener {
  private record Datagram(byte[] data, InetAddress address, String peer) {}

  private final SyslogServer server;
  private final SyslogServer.Settings settings;
  private final DatagramSocket socket;
  private final Counters counters;
  private final String label;
  private final ArrayBlockingQueue<Datagram> queue;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Receiver receiver;
  final Thread receiving;
  final Thread parsing;
  private volatile boolean closed;
  private long record;

  UdpListener(SyslogServer server, DatagramSocket socket, Counters counters) {
    this.server = server;
    this.settings = server.settings();
    this.socket = socket;
    this.counters = counters;
    this.label = SyslogServer.Listener.UDP.label();
    this.queue = new ArrayBlockingQueue<>(settings.udpQueue());
    this.receiver = new Receiver(settings, server.intake(), label, counters);
    this.receiving = Thread.ofPlatform().daemon().name(label + "-receive").unstarted(this::receive);
    this.parsing = Thread.ofPlatform().daemon().name(label + "-parse").unstarted(this::parse);
  }

  void start() {
    receiving.start();
    parsing.start();
  }

  /** Stops reading; the parsing thread then submits its batch and drops what is still queued. */
  void close() {
    closed = true;
    socket.close();
  }

  private void receive() {
    byte[] buf = new byte[Math.min(settings.maxMessage(), 65_507) + 1];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    while (!closed) {
      try {
        p.setLength(buf.length);
        socket.receive(p);
      } catch (IOException e) {
        if (closed || socket.isClosed()) {
          return;
        }
        SyslogServer.pause();
        continue;
      }
      counters.received.increment();
      InetAddress address = p.getAddress();
      String peer = address.getHostAddress();
      int len = p.getLength();
      if (len > settings.maxMessage()) {
        receiver.reject(peer, "datagram over the limit of " + settings.maxMessage() + " bytes");
        continue;
      }
      if (len == 0) {
        receiver.reject(peer, "empty datagram");
        continue;
      }
      if (queuedBytes.addAndGet(len) > settings.udpQueueBytes()
          || !queue.offer(new Datagram(Arrays.copyOfRange(buf, p.getOffset(), p.getOffset() + len), address, peer))) {
        queuedBytes.addAndGet(-len);
        counters.dropped.increment();
        server.intake().rejected(label, peer, "dropped: queue full");
      }
    }
  }

  private void parse() {
    try {
      while (!closed) {
        Datagram d = queue.poll(waitNanos(), TimeUnit.NANOSECONDS);
        if (d != null) {
          queuedBytes.addAndGet(-d.data().length);
          receiver.message(d.data(), 0, d.data().length, d.address(), d.peer(), label + ":" + d.peer(), ++record);
        }
        if (receiver.due(System.nanoTime())) {
          flush();
        }
      }
    } catch (InterruptedException e) {
      // closing
    }
    Thread.interrupted();
    for (Datagram d; (d = queue.poll()) != null; ) {
      counters.dropped.increment();
    }
    try {
      flush();
    } catch (InterruptedException e) {
      // the server gave up waiting: the batch is counted as dropped
    }
  }

  /** Submits the batch; an intake that fails loses that batch (counted dropped), not the listener. */
  private void flush() throws InterruptedException {
    try {
      receiver.flush();
    } catch (RuntimeException e) {
      // counted as dropped by the batch; the next datagrams go on
    }
  }

  private long waitNanos() {
    if (receiver.batch.size() == 0) {
      return TimeUnit.MILLISECONDS.toNanos(50);
    }
    return Math.max(0, receiver.batch.deadline(settings.batchDelayNanos()) - System.nanoTime());
  }
}
