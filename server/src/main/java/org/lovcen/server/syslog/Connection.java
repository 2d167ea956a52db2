package org.lovcen.server.syslog;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLSocket;
import org.lovcen.ingest.syslog.SyslogFraming;

/*
 * How and why: a connection is one virtual thread that reads, frames, parses and batches. It
 * never reads while it submits: when the intake blocks, the socket is not read, the kernel's
 * receive buffer fills and TCP slows the sender down, which is all the backpressure a syslog
 * sender understands. Time-based batch flushing needs no second thread: each read gets a socket
 * timeout that ends at the batch's deadline (or the idle limit), and a timeout flushes the batch
 * and reads on; the framing keeps its state across a timed-out read.
 */
/** One TCP (or TLS) connection of a syslog sender. Runs on its own thread. */
final class Connection implements Runnable {
  private final SyslogServer server;
  private final SyslogServer.Settings settings;
  private final SyslogServer.Listener listener;
  private final Socket socket;
  private final InetAddress address;
  private final String peer;
  private final String source;
  private final Counters counters;
  private final Receiver receiver;
  private long lastData = System.nanoTime();
  private long record;
  Thread thread;

  Connection(SyslogServer server, SyslogServer.Listener listener, Socket socket, Counters counters) {
    this.server = server;
    this.settings = server.settings();
    this.listener = listener;
    this.socket = socket;
    this.address = socket.getInetAddress();
    this.peer = address.getHostAddress();
    this.source = listener.label() + ":" + peer;
    this.counters = counters;
    this.receiver = new Receiver(settings, server.intake(), listener.label(), counters);
  }

  String peer() {
    return peer;
  }

  SyslogServer.Listener listener() {
    return listener;
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (InterruptedException e) {
      receiver.batch.drop(counters);
    } finally {
      closeSocket();
      server.ended(this);
    }
  }

  private void serve() throws InterruptedException {
    InputStream in;
    try {
      socket.setSoTimeout(timeoutMillis(System.nanoTime()));
      if (socket instanceof SSLSocket tls) {
        tls.startHandshake();
      }
      in = new Timed(socket.getInputStream());
    } catch (IOException e) {
      server.refused(this, (socket instanceof SSLSocket ? "TLS handshake failed: " : "cannot read: ") + e.getMessage());
      return;
    }
    SyslogFraming framing = new SyslogFraming(in, source, settings.maxMessage());
    try {
      read(framing);
    } catch (IOException e) {
      // the sender left or the server is closing: what was read still goes to the intake
    }
    receiver.flush();
  }

  private void read(SyslogFraming framing) throws IOException, InterruptedException {
    while (true) {
      SyslogFraming.Result r;
      try {
        r = framing.next();
      } catch (SocketTimeoutException timeout) {
        long now = System.nanoTime();
        if (receiver.due(now) && !receiver.flush()) {
          return;
        }
        if (now - lastData >= settings.idleNanos()) {
          return;
        }
        continue;
      }
      switch (r) {
        case END -> {
          return;
        }
        case SKIPPED -> {
          counters.received.increment();
          receiver.reject(peer, framing.problem().reason());
        }
        case MESSAGE -> {
          counters.received.increment();
          receiver.message(framing.buffer(), framing.start(), framing.length(), address, peer, source, ++record);
        }
      }
      if (receiver.due(System.nanoTime()) && !receiver.flush()) {
        return;
      }
    }
  }

  /** Until the batch deadline when events wait, else until the idle limit; at least 1 ms. */
  private int timeoutMillis(long now) {
    long until = lastData + settings.idleNanos() - now;
    if (receiver.batch.size() > 0) {
      until = Math.min(until, receiver.batch.deadline(settings.batchDelayNanos()) - now);
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (until + 999_999) / 1_000_000));
  }

  void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Sets the socket timeout before each read; notes when data came. */
  private final class Timed extends FilterInputStream {
    Timed(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      socket.setSoTimeout(timeoutMillis(System.nanoTime()));
      int n = in.read(b, off, len);
      if (n > 0) {
        lastData = System.nanoTime();
      }
      return n;
    }
  }
}
