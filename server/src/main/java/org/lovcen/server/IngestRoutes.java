package org.lovcen.server;

import io.javalin.http.Context;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.server.live.Batch;
import org.lovcen.server.live.Receipt;
import org.lovcen.store.Directory;
import org.lovcen.store.Role;
import org.lovcen.store.Scope;
import org.lovcen.web.AccessLogFormat;
import org.lovcen.web.AccessLogSource;

/*
 * How and why: HTTP bulk ingest answers only after the request's events are committed, so a
 * success answer means stored. The body is decompressed (Content-Encoding: gzip, or gzip magic
 * bytes) under a size limit that counts decompressed bytes, so a small bomb cannot fill memory.
 * Malformed lines are counted and reported with their line number; the rest of the request is
 * stored. When the pipeline is full the request is refused whole with 429 and Retry-After: the
 * client resends it (with the same Idempotency-Key it is stored at most once).
 */
/** The ingest endpoints: JSON bulk with an ingest token, and file uploads by analysts. */
final class IngestRoutes {
  private static final int MAX_PROBLEMS_SHOWN = 100;
  private static final List<String> JSON_TYPES = List.of("application/x-ndjson", "application/jsonl",
      "application/json", "application/jsonlines", "application/x-jsonlines", "text/plain");

  private final LovcenServer server;
  private final Directory directory;
  private final java.util.concurrent.Semaphore reading;

  IngestRoutes(LovcenServer server, Directory directory) {
    this.server = server;
    this.directory = directory;
    int permits = Math.max(1, server.config().ingest().maxConcurrentRequests());
    this.reading = new java.util.concurrent.Semaphore(permits);
    server.metrics().gauge("lovcen_ingest_requests_reading",
        "Ingest requests whose bodies are being read (at most ingest.max_concurrent_requests)",
        () -> permits - reading.availablePermits());
  }

  /** The institution an ingest token writes for; 401/403 otherwise. Every refusal is counted. */
  private String ingestInstitution(Context ctx) {
    Directory.TokenGrant g;
    try {
      g = directory.resolveToken(Api.bearer(ctx), Api.now())
          .orElseThrow(() -> ApiError.unauthorized("unknown, expired or revoked token"));
    } catch (ApiError e) {
      server.metrics().rejected.labelValues("http", "token").inc();
      throw e;
    }
    if (!g.kind().equals("ingest") || g.institution() == null) {
      server.metrics().rejected.labelValues("http", "token").inc();
      throw ApiError.forbidden("events are sent with an institution's ingest token");
    }
    return g.institution();
  }

  void events(Context ctx) throws IOException, InterruptedException {
    String institution = ingestInstitution(ctx);
    String ct = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT).split(";")[0].trim();
    if (!JSON_TYPES.contains(ct)) {
      server.metrics().rejected.labelValues("http", "content-type").inc();
      throw new ApiError(415, "unsupported-media-type", "send events as application/x-ndjson (JSON lines) or "
          + "application/json; got '" + ct + "'");
    }
    String key = idempotencyKey(ctx);
    if (!reading.tryAcquire()) {
      server.metrics().throttled.inc();
      throw new Throttled();
    }
    try {
      readAndSubmit(ctx, institution, key);
    } finally {
      reading.release();
    }
  }

  private void readAndSubmit(Context ctx, String institution, String key) throws IOException, InterruptedException {
    List<Event> events = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    int rejected;
    try (InputStream body = ctx.bodyInputStream()) {
      long limit = (long) server.config().ingest().maxBodyMb() << 20;
      rejected = readBulk(body, ctx.header("Content-Encoding"), limit, institution, ctx.queryParam("host"), events,
          problems);
    } catch (TooLarge e) {
      server.metrics().rejected.labelValues("http", "too-large").inc();
      throw new ApiError(413, "too-large", e.getMessage());
    } catch (UnsupportedEncoding e) {
      server.metrics().rejected.labelValues("http", "content-type").inc();
      throw new ApiError(415, "unsupported-media-type", e.getMessage());
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      server.metrics().rejected.labelValues("http", "gzip").inc();
      throw ApiError.badRequest("the gzip body is damaged: " + e.getMessage());
    }
    if (rejected > 0) {
      server.metrics().rejected.labelValues("http", "malformed").inc(rejected);
    }
    Long arrived = ctx.attribute("t0"); // alert latency counts from the request's arrival, parsing included
    Receipt r = submit(Batch.of(institution, events, key, rejected,
        arrived == null ? System.nanoTime() : arrived), false);
    server.metrics().ingested.labelValues(institution, "http").inc(r.duplicate() ? 0 : r.accepted());
    ctx.json(answer(r, problems));
  }

  /**
   * Reads a bulk request's body (JSON lines, arrays or objects; gzip undone under {@code limit}):
   * every event, with the token's institution and {@code host} when it names none, into
   * {@code events}; the first problems into {@code problems}. Returns how many lines were
   * rejected. A body over the limit is TooLarge, an unknown encoding UnsupportedEncoding, damaged
   * gzip a ZipException or EOFException.
   */
  static int readBulk(InputStream raw, String encoding, long limit, String institution, String host,
      List<Event> events, List<Problem> problems) throws IOException {
    int[] rejected = {0};
    try (InputStream body = decoded(raw, encoding, limit)) {
      Readers.readJson(body, "http:" + institution, new ReadOptions(institution, null), new Event(), e -> {
        Event c = e.copy();
        if (c.host() == null && host != null) {
          c.host(host);
        }
        events.add(c);
      }, p -> {
        if (rejected[0]++ < MAX_PROBLEMS_SHOWN) {
          problems.add(p); // the first ones, with their lines; all are counted
        }
      });
    }
    return rejected[0];
  }

  /** An analyst uploads a file (EVTX, JSON events, access log) for an institution. */
  void files(Context ctx) throws IOException, InterruptedException {
    String institution = uploadInstitution(ctx);
    String name = ctx.queryParam("name");
    if (name == null || name.isBlank()) {
      throw ApiError.badRequest("give the file's name as parameter 'name' (its extension tells the format)");
    }
    name = Path.of(name).getFileName().toString();
    String host = ctx.queryParam("host");
    String key = idempotencyKey(ctx);
    Path dir = Path.of(server.config().data(), "uploads");
    Files.createDirectories(dir);
    Path file = Files.createTempFile(dir, "upload-", "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
    try {
      try (InputStream body = ctx.bodyInputStream()) {
        Files.copy(new Limited(body, (long) server.config().ingest().maxBodyMb() << 20), file,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (TooLarge e) {
        throw new ApiError(413, "too-large", e.getMessage());
      }
      ctx.json(ingestFile(file, "upload:" + name, institution, host, key));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private String uploadInstitution(Context ctx) {
    String token = Api.bearer(ctx);
    Directory.TokenGrant g = directory.resolveToken(token, Api.now())
        .orElseThrow(() -> ApiError.unauthorized("unknown, expired or revoked token"));
    if (g.user() == null) {
      if (!g.kind().equals("ingest") || g.institution() == null) {
        throw ApiError.forbidden("files are uploaded by analysts or with an institution's ingest token");
      }
      return g.institution();
    }
    if (g.user().role() == Role.PARTNER) {
      throw ApiError.forbidden("partners cannot upload events");
    }
    String inst = ctx.queryParam("institution");
    if (inst == null && g.user().role() == Role.INSTITUTION_ANALYST) {
      inst = g.user().institution();
    }
    if (inst == null) {
      throw ApiError.badRequest("give parameter 'institution'");
    }
    if (!g.user().scope().sees(inst)) {
      throw ApiError.forbidden("no access to institution '" + inst + "'");
    }
    String i = inst;
    if (directory.institution(Scope.NATIONAL, i).isEmpty()) {
      throw ApiError.badRequest("unknown institution '" + i + "'");
    }
    return inst;
  }

  private Map<String, Object> ingestFile(Path file, String name, String institution, String host, String key)
      throws InterruptedException {
    EventSource source = AccessLogSource.sniff(file, AccessLogFormat.AUTO)
        ? new AccessLogSource(file, name, AccessLogFormat.AUTO, institution)
        : Readers.open(file, name, new ReadOptions(institution, null));
    int batchSize = Math.max(1, server.config().ingest().batchEvents());
    Uploaded up = new Uploaded();
    List<Event> chunk = new ArrayList<>();
    Event reuse = new Event();
    int[] seq = {0};
    for (EventSource.Split split : source.splits()) {
      split.read(reuse, e -> {
        Event c = e.copy();
        c.institution(institution);
        if (c.host() == null && host != null) {
          c.host(host);
        }
        chunk.add(c);
        if (chunk.size() >= batchSize) {
          up.add(put(institution, new ArrayList<>(chunk), key, seq[0]++));
          chunk.clear();
        }
      }, up::problem);
    }
    if (!chunk.isEmpty() || seq[0] == 0) {
      up.add(put(institution, new ArrayList<>(chunk), key, seq[0]++));
    }
    up.drain(0);
    server.metrics().ingested.labelValues(institution, "upload").inc(up.duplicate ? 0 : up.accepted);
    return answer(new Receipt(up.accepted, up.rejected, -1, up.duplicate), up.problems);
  }

  /*
   * An upload streams: at most a few of its batches wait for the store at a time (older ones are
   * awaited before more are read), and only the first problems are kept, so a file of any size
   * (or a compressed one that unpacks to gigabytes) holds bounded memory.
   */
  /** The running totals of one upload. Used by one request thread. */
  private final class Uploaded {
    private static final int IN_FLIGHT = 4;
    final java.util.ArrayDeque<Batch> pending = new java.util.ArrayDeque<>();
    final List<Problem> problems = new ArrayList<>();
    int accepted;
    int rejected;
    boolean duplicate = true;

    void add(Batch b) {
      pending.add(b);
      drain(IN_FLIGHT);
    }

    void problem(Problem p) {
      rejected++;
      if (problems.size() < MAX_PROBLEMS_SHOWN) {
        problems.add(p);
      }
    }

    /** Awaits the oldest batches until at most {@code keep} are pending. */
    void drain(int keep) {
      while (pending.size() > keep) {
        Receipt r;
        try {
          r = await(pending.poll());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ApiError(503, "unavailable", "the server is stopping");
        }
        accepted += r.accepted();
        duplicate &= r.duplicate();
      }
    }
  }

  private Batch put(String institution, List<Event> events, String key, int seq) {
    Batch b = Batch.of(institution, events, key == null ? null : key + "#" + seq, 0);
    try {
      server.queue().put(b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "unavailable", "the server is stopping");
    }
    return b;
  }

  private Receipt submit(Batch b, boolean wait) throws InterruptedException {
    if (wait) {
      server.queue().put(b);
    } else if (!server.queue().offer(b)) {
      server.metrics().throttled.inc();
      throw new Throttled();
    }
    return await(b);
  }

  private Receipt await(Batch b) throws InterruptedException {
    try {
      return b.done().get(server.config().ingest().ackTimeoutSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.lovcen.server.live.KafkaForwarder.BrokerUnavailable) {
        throw new ApiError(503, "broker-unavailable", "the events are stored but Kafka did not acknowledge them; "
            + "retry with the same Idempotency-Key");
      }
      if (org.lovcen.store.Database.isFull(e.getCause())) {
        throw new ApiError(503, "store-full", "the store's disk is full: the events were not stored; retry later");
      }
      throw new ApiError(503, "store-unavailable", "the events could not be stored; retry later");
    } catch (TimeoutException e) {
      throw new ApiError(503, "timeout", "the events were not stored within "
          + server.config().ingest().ackTimeoutSeconds() + " s; retry with the same Idempotency-Key");
    }
  }

  /** 429: the pipeline is full. */
  static final class Throttled extends ApiError {
    Throttled() {
      super(429, "throttled", "ingest is behind; retry after the time in Retry-After");
    }
  }

  private static String idempotencyKey(Context ctx) {
    String key = ctx.header("Idempotency-Key");
    if (key == null) {
      return null;
    }
    if (key.isEmpty() || key.length() > 100 || !key.matches("[\\x21-\\x7e]+")) {
      throw ApiError.badRequest("Idempotency-Key must be 1-100 visible ASCII characters");
    }
    return key;
  }

  private static Map<String, Object> answer(Receipt r, List<Problem> problems) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accepted", r.accepted());
    m.put("rejected", r.rejected());
    m.put("duplicate", r.duplicate());
    List<Map<String, String>> shown = new ArrayList<>();
    for (Problem p : problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS_SHOWN))) {
      shown.add(Map.of("position", p.position() == null ? "" : p.position(), "reason", p.reason()));
    }
    m.put("problems", shown);
    return m;
  }

  /**
   * The request body, decompressed when gzip, limited in decompressed size. Every gzip layer is
   * undone here, each under the limit: the JSON reader also undoes gzip when it sees the magic
   * bytes, and would do so without a limit, so a small gzip inside a gzip could otherwise expand
   * without bound (regression: gzip(gzip(lines)) went around {@code ingest.max_body_mb}).
   */
  private static InputStream decoded(InputStream raw, String enc, long limit) throws IOException {
    if (enc != null && !enc.isBlank() && !enc.equalsIgnoreCase("gzip") && !enc.equalsIgnoreCase("identity")) {
      throw new UnsupportedEncoding("Content-Encoding '" + enc + "' is not supported (gzip)");
    }
    boolean declared = enc != null && enc.equalsIgnoreCase("gzip");
    InputStream in = new BufferedInputStream(new Limited(raw, limit), 1 << 16);
    for (int layer = 0; declared || gzipMagic(in); layer++) {
      if (layer == MAX_GZIP_LAYERS) {
        throw new java.util.zip.ZipException("more than " + MAX_GZIP_LAYERS + " gzip layers");
      }
      in = new BufferedInputStream(new Limited(new GZIPInputStream(in, 1 << 16), limit), 1 << 16);
      declared = false;
    }
    return in;
  }

  private static final int MAX_GZIP_LAYERS = 3;

  private static boolean gzipMagic(InputStream in) throws IOException {
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b;
  }

  /** A Content-Encoding other than gzip. */
  static final class UnsupportedEncoding extends IOException {
    UnsupportedEncoding(String message) {
      super(message);
    }
  }

  /** The body went over the size limit. */
  static final class TooLarge extends IOException {
    TooLarge(long limit) {
      super("request body larger than " + (limit >> 20) + " MiB (after decompression)");
    }
  }

  /** Fails with TooLarge once more than {@code limit} bytes are read. */
  static final class Limited extends FilterInputStream {
    private final long limit;
    private long count;

    Limited(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++count > limit) {
        throw new TooLarge(limit);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0 && (count += n) > limit) {
        throw new TooLarge(limit);
      }
      return n;
    }
  }
}
