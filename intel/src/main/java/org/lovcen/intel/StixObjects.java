package org.lovcen.intel;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * How and why: reading a bundle of a million objects is two kinds of work of about the same
 * size: tokenizing the JSON into each object's fields, and turning those fields into an indicator
 * (pattern, values, timestamps, sources). On more than one core they run as a pipeline: the
 * caller's thread tokenizes into batches of Fields, a second thread converts the batches in
 * order, and the two hand batches back and forth through two small queues (a fixed number of
 * batches, so memory stays bounded and the Fields holders are reused). Only the converting thread
 * touches the Collector and the identities, in object order, so the result and every report are
 * those of reading one object after the other. A bundle that fits in one batch is converted on the
 * caller's thread without starting another. When the JSON is malformed, the objects before the
 * error are converted before the error propagates, as they would be in one thread.
 */
/** Reads the objects array of a STIX bundle. Single use; the caller's thread drives it. */
final class StixObjects {
  private static final int BATCH = 256;
  private static final int BATCHES = 4;

  /** What each object becomes: an indicator, an identity, a problem. Called in object order, on one thread. */
  interface Converter {
    void object(StixImporter.Fields o, int index, int line);

    void notAnObject(int index, int line);
  }

  /** Objects read by the tokenizer and not yet converted. */
  private static final class Batch {
    final StixImporter.Fields[] fields = new StixImporter.Fields[BATCH];
    final int[] index = new int[BATCH];
    final int[] line = new int[BATCH];
    final boolean[] object = new boolean[BATCH];
    int size;

    Batch() {
      for (int i = 0; i < BATCH; i++) {
        fields[i] = new StixImporter.Fields();
      }
    }
  }

  private static final Batch END = new Batch();
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final JsonParser p;
  private final Converter converter;
  private final StixImporter.Repeats repeats = new StixImporter.Repeats();
  private int index;
  private Exception failure;

  private StixObjects(JsonParser p, Converter converter) {
    this.p = p;
    this.converter = converter;
  }

  /** Reads the objects up to the END_ARRAY of the array whose START_ARRAY is the current token. */
  static void read(JsonParser p, Converter converter) throws IOException {
    new StixObjects(p, converter).run();
  }

  private void run() throws IOException {
    Batch first = new Batch();
    boolean more = fill(first);
    if (!more || Runtime.getRuntime().availableProcessors() < 2) {
      convert(first);
      while (more) {
        more = fill(first);
        convert(first);
      }
    } else {
      pipeline(first);
    }
    if (failure instanceof IOException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
  }

  /**
   * Reads up to one batch of objects; false once the array has ended or the JSON failed (the
   * failure is kept in {@link #failure} and thrown once the objects before it are converted).
   */
  private boolean fill(Batch b) {
    b.size = 0;
    try {
      return fillOrThrow(b);
    } catch (IOException | RuntimeException e) {
      failure = e;
      return false;
    }
  }

  private boolean fillOrThrow(Batch b) throws IOException {
    while (b.size < BATCH) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY) {
        return false;
      }
      int i = b.size;
      b.line[i] = p.currentTokenLocation().getLineNr();
      b.index[i] = index++;
      b.object[i] = t == JsonToken.START_OBJECT;
      if (b.object[i]) {
        b.fields[i].read(p, repeats);
      } else {
        p.skipChildren();
      }
      b.size++;
    }
    return true;
  }

  private void convert(Batch b) {
    for (int i = 0; i < b.size; i++) {
      if (b.object[i]) {
        converter.object(b.fields[i], b.index[i], b.line[i]);
      } else {
        converter.notAnObject(b.index[i], b.line[i]);
      }
    }
  }

  private void pipeline(Batch first) throws IOException {
    BlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES + 1);
    BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
    for (int i = 1; i < BATCHES; i++) {
      free.add(new Batch());
    }
    Throwable[] failed = new Throwable[1];
    Thread worker = Thread.ofPlatform().name("lovcen-stix-convert-" + THREADS.incrementAndGet()).daemon()
        .start(() -> {
      try {
        for (Batch b = full.take(); b != END; b = full.take()) {
          if (failed[0] == null) {
            try {
              convert(b);
            } catch (RuntimeException | Error e) {
              failed[0] = e;
            }
          }
          free.add(b);
        }
      } catch (InterruptedException e) {
        failed[0] = e;
      }
    });
    try {
      put(full, first);
      boolean more = true;
      while (more) {
        Batch b = take(free);
        more = fill(b);
        put(full, b);
      }
    } finally {
      put(full, END);
      join(worker);
    }
    if (failed[0] instanceof RuntimeException e) {
      throw e;
    }
    if (failed[0] instanceof Error e) {
      throw e;
    }
    if (failed[0] != null) {
      throw new InterruptedIOException("interrupted while converting STIX objects");
    }
  }

  private static void put(BlockingQueue<Batch> q, Batch b) throws InterruptedIOException {
    try {
      q.put(b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading STIX objects");
    }
  }

  private static Batch take(BlockingQueue<Batch> q) throws InterruptedIOException {
    try {
      return q.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading STIX objects");
    }
  }

  private static void join(Thread t) throws InterruptedIOException {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while converting STIX objects");
    }
  }
}
