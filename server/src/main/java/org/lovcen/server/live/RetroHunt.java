package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.lovcen.core.Event;
import org.lovcen.intel.Indicator;
import org.lovcen.intel.IndicatorMatcher;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.store.AlertRow;
import org.lovcen.store.Database;
import org.lovcen.store.EventStore;
import org.lovcen.store.Scope;
import org.lovcen.store.StoredEvent;

/*
 * How and why: indicators that arrive today may name an address that was contacted last week.
 * When indicators arrive, the caller first swaps them into the live engine, then submits them
 * here. One background thread compiles only the submitted indicators into a small set and pages
 * through the stored events of the last N days (by id, a bounded page at a time, up to the last
 * event stored when the job starts: every later event is detected live by the new engine), and
 * stores matches through the same AlertSink as live detection, with the live fingerprint
 * (i:<indicator id>:<event id>) and retrospective = true: a sighting found live and again here is
 * stored once, and a repeated import finds nothing new. Submissions made while a job runs are
 * coalesced into the next job, so memory is bounded by the indicators waiting, never by events.
 */
/** Searches stored events for newly arrived indicators, in the background. Thread-safe. */
public final class RetroHunt implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("lovcen.retrohunt");
  private static final int PAGE = 1000;

  private final Database db;
  private final AlertSink sink;
  private final long windowMicros;
  private final Thread thread;
  private final Map<String, Indicator> waiting = new LinkedHashMap<>();
  private boolean running = true;
  private boolean busy;
  private long jobs;
  private long alerts;

  /** @param days how far back (event time) a retro-hunt searches */
  public RetroHunt(Database db, AlertSink sink, int days) {
    this.db = db;
    this.sink = sink;
    this.windowMicros = TimeUnit.DAYS.toMicros(Math.max(0, days));
    this.thread = new Thread(this::run, "lovcen-retro-hunt");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues indicators (already live) for a search of the stored events; returns at once. */
  public synchronized void submit(List<Indicator> indicators) {
    if (indicators.isEmpty() || windowMicros == 0) {
      return;
    }
    for (Indicator i : indicators) {
      waiting.put(i.id(), i);
    }
    notifyAll();
  }

  /** Waits until no search is waiting or running (tests, shutdown); false on timeout. */
  public synchronized boolean awaitIdle(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (busy || !waiting.isEmpty()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** Searches finished since start. */
  public synchronized long jobs() {
    return jobs;
  }

  /** Retrospective alerts stored since start. */
  public synchronized long alerts() {
    return alerts;
  }

  private synchronized List<Indicator> next() throws InterruptedException {
    busy = false;
    notifyAll();
    while (running && waiting.isEmpty()) {
      wait();
    }
    if (!running) {
      return null;
    }
    List<Indicator> job = new ArrayList<>(waiting.values());
    waiting.clear();
    busy = true;
    return job;
  }

  private void run() {
    while (true) {
      try {
        List<Indicator> job = next();
        if (job == null) {
          return;
        }
        int stored = hunt(IndicatorSet.compile(job));
        synchronized (this) {
          jobs++;
          alerts += stored;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // the store failed; the indicators stay live, only this search is lost
        LOG.log(System.Logger.Level.WARNING, "retro-hunt failed: " + e, e);
      }
    }
  }

  /** Pages through the window's events; returns alerts stored. */
  int hunt(IndicatorSet set) {
    EventStore events = new EventStore(db);
    long from = System.currentTimeMillis() * 1000 - windowMicros;
    long upTo = events.maxId();
    IndicatorMatcher matcher = set.matcher();
    Event ev = new Event();
    List<AlertRow> out = new ArrayList<>();
    long after = 0;
    int stored = 0;
    while (running) {
      List<StoredEvent> page = events.window(Scope.NATIONAL, from, after, upTo, PAGE);
      if (page.isEmpty()) {
        break;
      }
      out.clear();
      for (StoredEvent s : page) {
        s.toEvent(ev);
        ev.source("event");
        ev.record(s.id());
        long id = s.id();
        matcher.match(ev, a -> out.add(AlertRows.retrospective(a, id)));
      }
      if (!out.isEmpty()) {
        stored += sink.write(out, -1);
      }
      after = page.get(page.size() - 1).id();
    }
    return stored;
  }

  @Override
  public void close() {
    synchronized (this) {
      running = false;
      notifyAll();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
