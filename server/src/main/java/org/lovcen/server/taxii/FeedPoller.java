package org.lovcen.server.taxii;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.lovcen.core.LovcenException;
import org.lovcen.intel.Indicator;
import org.lovcen.intel.Intel;
import org.lovcen.intel.IntelException;
import org.lovcen.intel.Marking;
import org.lovcen.server.ServeConfig;
import org.lovcen.server.intel.LiveIndicators;
import org.lovcen.store.Database;
import org.lovcen.store.Settings;

/*
 * How and why: each configured partner collection is polled on its own interval by one scheduler
 * thread. A poll asks for the objects added after the feed's saved position (the last
 * X-TAXII-Date-Added-Last seen, kept in the store's cursors table as "taxii:<name>"), follows
 * `next` while the server says there is more (or, from servers that give no next, moves
 * added_after to the page's last date_added), takes the indicator objects in under the feed's
 * name as source (the feed's TLP where an indicator has none), and saves the position after
 * each batch is stored. Batches of a few thousand indicators keep recompiles few on a first poll
 * of a large collection. A failed poll keeps the position, reports the error, and is retried at
 * the next interval.
 */
/** Polls partner TAXII collections for indicators. Thread-safe. */
public final class FeedPoller implements AutoCloseable {
  /** What a feed's last poll did. */
  public record FeedStatus(String name, String url, long lastPollMillis, String lastError, long position,
      long fetched, long indicators, long rejected) {}

  /** What one poll did: pages read, objects fetched, indicators taken in, indicator objects refused. */
  public record Polled(int pages, int objects, int indicators, int rejected, long position) {}

  private static final System.Logger LOG = System.getLogger("lovcen.taxii.feeds");
  private static final int PAGE = 500;
  private static final int BATCH = 5000;
  private static final int MAX_PAGES = 100_000;

  private final Database db;
  private final Settings settings;
  private final LiveIndicators indicators;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
      .followRedirects(HttpClient.Redirect.NORMAL).build();
  private final Map<String, FeedStatus> status = new LinkedHashMap<>();
  private final ScheduledExecutorService timer;
  private final List<ServeConfig.Feed> feeds;

  private FeedPoller(Database db, LiveIndicators indicators, List<ServeConfig.Feed> feeds) {
    this.db = db;
    this.settings = new Settings(db);
    this.indicators = indicators;
    this.feeds = List.copyOf(feeds);
    this.timer = feeds.isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lovcen-taxii-feeds");
      t.setDaemon(true);
      return t;
    });
    for (ServeConfig.Feed f : feeds) {
      status.put(f.name(), new FeedStatus(f.name(), f.url(), 0, null, 0, 0, 0, 0));
    }
  }

  /** Checks the feeds' configuration (a LovcenException names what is wrong); polls nothing yet. */
  public static FeedPoller of(List<ServeConfig.Feed> feeds, LiveIndicators indicators, Database db) {
    for (ServeConfig.Feed f : feeds) {
      check(f);
    }
    return new FeedPoller(db, indicators, feeds);
  }

  /** Schedules each feed on its interval (default 60 minutes), the first poll right away. */
  public FeedPoller start() {
    for (ServeConfig.Feed f : feeds) {
      long every = Math.max(1, f.intervalMinutes() == 0 ? 60 : f.intervalMinutes());
      timer.scheduleWithFixedDelay(() -> pollQuietly(f), 0, every, TimeUnit.MINUTES);
    }
    return this;
  }

  static void check(ServeConfig.Feed f) {
    if (f.name() == null || f.name().isBlank()) {
      throw new LovcenException("taxii.feeds: every feed needs a name");
    }
    TaxiiClient.collectionUrl(f);
    marking(f);
    if (f.intervalMinutes() < 0) {
      throw new LovcenException("taxii.feeds: feed '" + f.name() + "': interval_minutes must not be negative");
    }
  }

  private static Marking marking(ServeConfig.Feed f) {
    if (f.tlp() == null || f.tlp().isBlank()) {
      return Marking.NONE;
    }
    Marking m = Marking.ofLabel(f.tlp());
    if (m == null) {
      throw new LovcenException("taxii.feeds: feed '" + f.name() + "': tlp '" + f.tlp() + "' is no TLP level");
    }
    return m;
  }

  /** Every configured feed's last poll. */
  public synchronized List<FeedStatus> status() {
    return new ArrayList<>(status.values());
  }

  private void pollQuietly(ServeConfig.Feed f) {
    try {
      poll(f);
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "TAXII feed " + f.name() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls one feed now (the schedule calls this; so may an operator or a test). */
  public Polled poll(ServeConfig.Feed f) throws IOException, InterruptedException {
    check(f);
    TaxiiClient client = new TaxiiClient(f, http);
    String cursor = cursorName(f);
    long position = settings.cursor(cursor);
    Long after = position > 0 ? position : null;
    String next = null;
    int pages = 0;
    int objects = 0;
    int taken = 0;
    int rejected = 0;
    List<Indicator> batch = new ArrayList<>();
    try {
      while (pages < MAX_PAGES) {
        TaxiiClient.Page page = client.objects(after, next, PAGE);
        pages++;
        objects += page.objects().size();
        rejected += read(page.objects(), f, batch);
        position = Math.max(position, page.lastAdded());
        if (batch.size() >= BATCH || !page.more()) {
          taken += flush(f, batch, cursor, position);
        }
        if (!page.more()) {
          break;
        }
        if (page.next() != null) {
          next = page.next();
        } else if (page.lastAdded() > 0 && (after == null || page.lastAdded() > after)) {
          after = page.lastAdded();
        } else {
          break; // more, but no way forward: stop rather than read the same page again
        }
      }
      taken += flush(f, batch, cursor, position);
      record(f, null, position, objects, taken, rejected);
      return new Polled(pages, objects, taken, rejected, position);
    } catch (IOException | RuntimeException e) {
      record(f, e.getMessage(), position, objects, taken, rejected);
      throw e;
    }
  }

  /** Adds the page's indicator objects to {@code batch}; returns how many were refused (malformed). */
  private static int read(List<JsonNode> objects, ServeConfig.Feed f, List<Indicator> batch) {
    int rejected = 0;
    for (JsonNode o : objects) {
      if (!"indicator".equals(o.path("type").asText())) {
        continue;
      }
      try {
        batch.add(Intel.indicator(o, f.name()));
      } catch (IntelException e) {
        rejected += e.unsupported() ? 0 : 1;
      }
    }
    return rejected;
  }

  private int flush(ServeConfig.Feed f, List<Indicator> batch, String cursor, long position) {
    int n = batch.size();
    if (n > 0) {
      indicators.add(List.copyOf(batch), "feed:" + f.name(), f.name(), marking(f));
      batch.clear();
    }
    if (position > 0) {
      db.jdbi().useTransaction(h -> settings.setCursor(h, cursor, position));
    }
    return n;
  }

  private synchronized void record(ServeConfig.Feed f, String error, long position, int objects, int taken,
      int rejected) {
    status.put(f.name(), new FeedStatus(f.name(), f.url(), System.currentTimeMillis(), error, position, objects,
        taken, rejected));
  }

  static String cursorName(ServeConfig.Feed f) {
    String n = "taxii:" + f.name();
    return n.length() > 64 ? n.substring(0, 64) : n;
  }

  /** Stops polling and the HTTP client's threads (a poll under way fails; the next start goes on from its position). */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    http.shutdownNow();
  }
}
