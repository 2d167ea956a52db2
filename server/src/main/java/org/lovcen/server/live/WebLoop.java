package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.sigma.SigmaRule;
import org.lovcen.store.AlertRow;
import org.lovcen.store.DecisionStore;
import org.lovcen.web.Request;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebStream;

/*
 * How and why: the website detectors of hunt, fed by the detection thread with the stored
 * access-log events in id order, through the WebStream the Kafka workers run too (one detector for
 * every institution, sites kept per institution, exploit attempts, early campaign alerts). The
 * price of one event time for all: lines of an institution that ships more than lateness_seconds
 * behind the others count as late (their statistics and Sigma matches still count). While an
 * attack goes on, the stream gives its alert again with a later last time; that row has the
 * stored alert's fingerprint, and the alert writer widens the stored alert (AlertStore.complete)
 * instead of adding one, as it completes a correlation episode.
 *
 * Decisions are timed on the server's clock: a decision lasts, from the moment it is detected,
 * as long as the detector proposed it for beyond the newest log time, so that replayed old logs
 * still give enforceable decisions. Per minute of log time and site the loop counts requests,
 * 4xx, 5xx, bytes and distinct sources (SiteCounts). All of it is handed to the alert writer with
 * the batch (WebChanges), in the batch's transaction: a replay after a crash neither loses nor
 * counts twice.
 */
/** Web detection inside the detection loop. Confined to the detection thread. */
final class WebLoop implements WebStream.Output {
  private final WebConfig config;
  private final WebStream stream;
  private final LongSupplier nowMicros;
  private final SiteCounts minutes = new SiteCounts();
  private final Map<String, DecisionStore.Detected> decisions = new LinkedHashMap<>();
  private final List<WebStream.Exploit> exploits = new ArrayList<>();
  private List<AlertRow> out;

  /** @param nowMicros the server's clock */
  WebLoop(WebConfig config, LongSupplier nowMicros) {
    this.config = config;
    this.nowMicros = nowMicros;
    this.stream = new WebStream(config, this);
  }

  /** Alerts go to {@code out} from now on (the batch being evaluated). */
  void batch(List<AlertRow> out) {
    this.out = out;
  }

  /**
   * Runs one stored access-log event ({@link Request#isRequest}) through the detectors;
   * {@code matches} are the Sigma rules it matched (exploit attempts, as in hunt).
   */
  void accept(Event e, long eventId, List<SigmaRule> matches) {
    String site = WebStream.siteOf(e);
    minutes.add(e);
    exploits.clear();
    for (SigmaRule rule : matches) {
      exploits.add(new WebStream.Exploit(rule.id(), rule.title(), rule.level(), rule.tags()));
    }
    stream.accept(e.institution(), site, Request.of(e, site, config, "event", eventId), exploits);
  }

  /** The decisions and minutes of the batch (and forgets them here). */
  WebChanges drain() {
    if (decisions.isEmpty() && minutes.isEmpty()) {
      return WebChanges.NONE;
    }
    WebChanges c = new WebChanges(new ArrayList<>(decisions.values()), minutes.drain());
    decisions.clear();
    return c;
  }

  @Override
  public void decision(WebStream.DecisionChange c) {
    String key = c.institution() + '\0' + c.decision().scope() + '\0' + c.decision().value();
    DecisionStore.Detected before = decisions.get(key);
    decisions.put(key, detected(c, nowMicros.getAsLong(), before != null && before.proposal()));
  }

  /** A decision change as the store takes it, lasting {@code remaining} from {@code now} (server clock). */
  static DecisionStore.Detected detected(WebStream.DecisionChange c, long now, boolean proposedBefore) {
    var d = c.decision();
    return new DecisionStore.Detected(c.institution(), d.scope(), d.value(), d.action(), d.detector(), d.reason(),
        c.site(), now + c.remainingMicros(), d.since(), c.proposal() || proposedBefore);
  }

  @Override
  public void alert(Alert a) {
    out.add(row(a));
  }

  /**
   * A web alert's row (institution and host: the site's, as {@code WebStream} gives them); the
   * fingerprint is its detector, first time, sites and sources, stable across replays.
   */
  static AlertRow row(Alert a) {
    String what = a.group().getOrDefault("sites", "") + "|" + a.group().getOrDefault("sources", "")
        + "|" + a.fields().getOrDefault("ongoing", "");
    String fp = "w:" + a.ruleId() + ":" + a.timestamp() + ":" + Integer.toHexString(what.hashCode()) + ":"
        + Integer.toHexString(a.group().getOrDefault("sources", "").length());
    Long ref = "event".equals(a.source()) && a.record() > 0 ? a.record() : null;
    return AlertRow.of(a.institution(), fp.length() > 128 ? fp.substring(0, 128) : fp, a.kind(), a.ruleId(),
        a.ruleTitle(), a.level().label(), a.level().ordinal(), a.author(), a.tags() == null ? List.of() : a.tags(),
        a.timestamp(), a.last(), a.host(), null, ref, a.fields() == null ? Map.of() : a.fields(),
        a.group() == null ? Map.of() : a.group(), List.of(), false);
  }
}
