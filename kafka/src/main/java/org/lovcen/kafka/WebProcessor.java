package org.lovcen.kafka;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.lovcen.core.Alert;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebStream;

/*
 * How and why: the website detectors on Kafka. Cross-site and cross-institution detection (a
 * source is one source whatever site it hits; floods on several sites are one campaign) needs
 * every request in one detector, as serve runs one: the detect stage re-keys every access-log
 * request to one key on the one-partition requests topic, and this processor, one task, runs the
 * WebStream that serve runs. The requests of different events partitions meet here out of event
 * time order; they wait in a buffer ordered by (time, source, line) until the newest time seen
 * minus the lateness has passed them, as correlation hits do, and are then fed in hunt's order
 * (later stragglers go straight to the detector, whose own lateness_seconds decides).
 *
 * The state (the buffer, the detector, the site table) is far too large to rewrite per request
 * as the correlation stage does, so it lives in the changelogged web-state store as a snapshot
 * plus the input since: the snapshot, in chunks of 256 KB, carries the offset of the last request
 * record it includes, and the requests topic itself is the log of what came after. A snapshot is
 * written once the requests since the last one add up to its size (at least 1 MB), so writing
 * costs at most as much again as the input, and at least every ten minutes when anything came.
 * With exactly-once processing a snapshot, the alerts and decisions of the requests it includes
 * and their offsets commit together. A task that starts (a worker took the partition over, or
 * restarted) restores the snapshot at its first record and replays the requests between the
 * snapshot and that record from the topic with a consumer of its own, with output suppressed: their
 * alerts were committed by the previous owner. The detectors are deterministic, so the state is
 * then exactly the previous owner's.
 *
 * Releasing the buffer when input goes quiet (the idle-close interval) changes the state without
 * input, which a replay could not repeat; so the processor writes a drain marker to its own input
 * topic instead and drains when the marker comes back, in order, like any request. A task that
 * took a stored state over and has not seen a record since asks for one drain too, so that a state
 * taken over at the end of the input is restored and drained.
 *
 * Decisions are sent when proposed or changed in kind, and extensions only once they reach a
 * minute beyond the last one sent (the detector extends per source at most once a minute; a
 * network in flood would otherwise extend at every request).
 */
/** Runs the website detectors over every access-log request, with the state in a store. One task. */
final class WebProcessor implements Processor<String, byte[], String, byte[]> {
  static final String STORE = "web-state";
  static final String ALERTS = "web-alerts-out";
  static final String REQUESTS = "web-drain-out";
  /** The key of every record of the requests topic: all of them in one partition. */
  static final String KEY = "web";
  private static final System.Logger LOG = System.getLogger("lovcen.kafka.web");
  private static final String META = "meta";
  private static final int CHUNK = 256 * 1024;
  private static final long MIN_SNAPSHOT_BYTES = 1 << 20;
  private static final long SNAPSHOT_EVERY_MILLIS = 10 * 60_000L;
  private static final long MINUTE = 60_000_000L;
  private static final int VERSION = 1;
  private static final Comparator<Pending> ORDER = Comparator.comparingLong((Pending p) -> p.item.request().time())
      .thenComparing(p -> p.item.request().source(), Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparingLong(p -> p.item.request().line()).thenComparingLong(p -> p.seq);

  /** A buffered request: decoded, its record (for snapshots) and its arrival number. */
  private record Pending(RequestCodec.Item item, byte[] raw, long seq) {}

  /** What was last sent for a decision. */
  private record Sent(String action, long until) {}

  private final KafkaSettings settings;
  private final WebConfig config;
  private final Map<String, Sent> sent = new HashMap<>();
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> store;
  private WebStream stream;
  private PriorityQueue<Pending> pending;
  private long seq;
  private long maxSeen;
  private long released;
  private boolean restored;
  private boolean stored;
  private boolean replaying;
  private long applied;
  private long sinceSnapshot;
  private long lastSnapshotBytes;
  private long lastSnapshotMillis;
  private long lastInputMillis;
  private boolean drainAsked;
  private long prunedMinute = Long.MIN_VALUE;
  private long timestamp;

  WebProcessor(KafkaSettings settings, WebConfig config) {
    this.settings = settings;
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    empty();
    restored = false;
    stored = store.get(META) != null;
    lastInputMillis = lastSnapshotMillis = System.currentTimeMillis();
    long every = Math.max(100, Math.min(1000, settings.idleCloseMillis() / 2));
    context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  private void empty() {
    stream = new WebStream(config, new Out());
    pending = new PriorityQueue<>(ORDER);
    sent.clear();
    seq = 0;
    maxSeen = released = Long.MIN_VALUE;
    applied = -1;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    timestamp = record.timestamp();
    if (!restored) {
      restore(new TopicPartition(meta.topic(), meta.partition()), meta.offset());
    }
    apply(record.value(), meta.offset());
    lastInputMillis = System.currentTimeMillis();
    drainAsked = false;
    sinceSnapshot += record.value().length;
    if (sinceSnapshot >= Math.max(MIN_SNAPSHOT_BYTES, lastSnapshotBytes)) {
      snapshot();
    }
  }

  /** One record of the requests topic, processed or replayed. */
  private void apply(byte[] value, long offset) {
    applied = offset;
    if (RequestCodec.isDrain(value)) {
      release(Long.MAX_VALUE);
      released = Math.max(released, maxSeen);
      return;
    }
    RequestCodec.Item item;
    try {
      item = RequestCodec.decode(value);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "skipped request record at " + offset + ": " + e.getMessage());
      return;
    }
    long t = item.request().time();
    if (t < released) {
      feed(item);
      return;
    }
    pending.add(new Pending(item, value, seq++));
    if (t > maxSeen) {
      maxSeen = t;
      long w = maxSeen - settings.latenessMicros();
      release(w > maxSeen ? Long.MIN_VALUE : w);
    }
  }

  /** Feeds every buffered request older than {@code watermark}, in order. */
  private void release(long watermark) {
    while (!pending.isEmpty() && pending.peek().item.request().time() < watermark) {
      feed(pending.poll().item);
    }
    if (watermark != Long.MAX_VALUE) {
      released = Math.max(released, watermark);
    }
  }

  private void feed(RequestCodec.Item item) {
    stream.accept(item.institution(), item.site(), item.request(), item.exploits());
    long minute = Math.floorDiv(stream.watermark(), MINUTE);
    if (minute != prunedMinute) {
      prunedMinute = minute;
      long before = stream.watermark() - MINUTE;
      sent.values().removeIf(s -> s.until < before);
    }
  }

  /** Asks for a drain when input has been quiet, and writes a snapshot every ten minutes of activity. */
  private void tick(long now) {
    boolean buffered = restored ? !pending.isEmpty() : stored;
    if (!drainAsked && buffered && now - lastInputMillis >= settings.idleCloseMillis()) {
      drainAsked = true;
      context.forward(new Record<>(KEY, RequestCodec.drain(), now), REQUESTS);
    }
    if (restored && sinceSnapshot > 0 && now - lastSnapshotMillis >= SNAPSHOT_EVERY_MILLIS) {
      snapshot();
    }
  }

  /*
   * The snapshot: a version, the reorder buffer's clocks and its requests as their records, then
   * the WebStream's state. Written through ChunkOutput into chunk keys; the meta key names the
   * offset of the last record included, the number of chunks and the size.
   */
  private void snapshot() {
    ChunkOutput out = new ChunkOutput();
    try {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(VERSION);
      data.writeLong(maxSeen);
      data.writeLong(released);
      data.writeLong(applied);
      List<Pending> list = new ArrayList<>(pending);
      list.sort(ORDER);
      data.writeInt(list.size());
      for (Pending p : list) {
        data.writeInt(p.raw.length);
        data.write(p.raw);
      }
      data.flush();
      stream.snapshot(out);
      out.close();
    } catch (IOException e) {
      throw new KafkaRunnerException("cannot write the web state: " + e.getMessage(), e);
    }
    int before = chunks();
    for (int i = out.chunks; i < before; i++) {
      store.delete(chunkKey(i));
    }
    store.put(META, new Codec.Writer().reset().varint(applied).varint(out.chunks).varint(out.size).toBytes());
    lastSnapshotBytes = out.size;
    sinceSnapshot = 0;
    lastSnapshotMillis = System.currentTimeMillis();
  }

  private int chunks() {
    byte[] meta = store.get(META);
    if (meta == null) {
      return 0;
    }
    Codec.Reader in = new Codec.Reader(meta);
    in.varint();
    return (int) in.varint();
  }

  private static String chunkKey(int i) {
    return String.format(java.util.Locale.ROOT, "chunk/%08d", i);
  }

  /**
   * Restores the stored snapshot and replays the requests after it, up to the record at
   * {@code first} (the first this task processes), with output suppressed.
   */
  private void restore(TopicPartition tp, long first) {
    restored = true;
    long from = 0;
    byte[] meta = store.get(META);
    if (meta != null) {
      Codec.Reader m = new Codec.Reader(meta);
      long offset = m.varint();
      int n = (int) m.varint();
      lastSnapshotBytes = m.varint();
      try {
        read(n);
        from = offset + 1;
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "web state unreadable, website detection starts afresh: " + e);
        empty();
        return;
      }
    }
    long t0 = System.nanoTime();
    long n = replay(tp, from, first);
    LOG.log(System.Logger.Level.INFO, "web state restored" + (meta == null ? "" : " (" + lastSnapshotBytes
        + " bytes)") + ", " + n + " requests replayed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  private void read(int chunks) throws IOException {
    List<InputStream> parts = new ArrayList<>(chunks);
    for (int i = 0; i < chunks; i++) {
      byte[] c = store.get(chunkKey(i));
      if (c == null) {
        throw new IOException("chunk " + i + " of " + chunks + " missing");
      }
      parts.add(new ByteArrayInputStream(c));
    }
    InputStream in = new SequenceInputStream(Collections.enumeration(parts));
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != VERSION) {
      throw new IOException("unknown web state version");
    }
    maxSeen = data.readLong();
    released = data.readLong();
    applied = data.readLong();
    for (int n = data.readInt(); n > 0; n--) {
      byte[] raw = data.readNBytes(data.readInt());
      pending.add(new Pending(RequestCodec.decode(raw), raw, seq++));
    }
    if (!stream.restore(in)) {
      LOG.log(System.Logger.Level.WARNING, "the web configuration changed: website detectors start afresh");
    }
  }

  /** Applies the committed records of {@code tp} in [{@code from}, {@code to}) without output; returns how many. */
  private long replay(TopicPartition tp, long from, long to) {
    if (from >= to) {
      return 0;
    }
    long n = 0;
    replaying = true;
    try (KafkaConsumer<String, byte[]> c = Clients.consumer(settings, null)) {
      c.assign(List.of(tp));
      long start = c.beginningOffsets(List.of(tp)).get(tp);
      if (start > from) {
        LOG.log(System.Logger.Level.WARNING, "requests " + from + " to " + (start - 1) + " are gone (retention): "
            + "the web state misses them");
      }
      c.seek(tp, Math.max(from, start));
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (c.position(tp) < to) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() >= to) {
            break;
          }
          apply(r.value(), r.offset());
          n++;
        }
        if (System.nanoTime() > deadline) {
          throw new KafkaRunnerException("requests " + from + " to " + to + " of " + tp + " not read in 5 minutes");
        }
      }
    } finally {
      replaying = false;
    }
    return n;
  }

  /** Where the WebStream's alerts and decisions go: the alerts topic, unless replaying. */
  private final class Out implements WebStream.Output {
    @Override
    public void alert(Alert a) {
      if (!replaying) {
        context.forward(new Record<>(a.institution() == null ? "" : a.institution(), AlertCodec.encode(a), timestamp),
            ALERTS);
      }
    }

    @Override
    public void decision(WebStream.DecisionChange c) {
      String key = c.institution() + '\0' + c.decision().scope() + '\0' + c.decision().value();
      Sent last = sent.get(key);
      boolean send = c.proposal() || last == null || !last.action.equals(c.decision().action())
          || c.decision().until() >= last.until + MINUTE;
      if (!send) {
        return;
      }
      sent.put(key, new Sent(c.decision().action(), c.decision().until()));
      if (!replaying) {
        context.forward(new Record<>(c.institution() == null ? "" : c.institution(), AlertCodec.encode(c), timestamp),
            ALERTS);
      }
    }
  }

  /** Writes a stream into the store's chunk keys, 256 KB each. */
  private final class ChunkOutput extends OutputStream {
    private final byte[] buf = new byte[CHUNK];
    private int len;
    int chunks;
    long size;

    @Override
    public void write(int b) {
      if (len == buf.length) {
        emit();
      }
      buf[len++] = (byte) b;
      size++;
    }

    @Override
    public void write(byte[] b, int off, int n) {
      while (n > 0) {
        if (len == buf.length) {
          emit();
        }
        int k = Math.min(n, buf.length - len);
        System.arraycopy(b, off, buf, len, k);
        len += k;
        off += k;
        n -= k;
        size += k;
      }
    }

    @Override
    public void close() {
      if (len > 0) {
        emit();
      }
    }

    private void emit() {
      store.put(chunkKey(chunks++), java.util.Arrays.copyOf(buf, len));
      len = 0;
    }
  }
}
