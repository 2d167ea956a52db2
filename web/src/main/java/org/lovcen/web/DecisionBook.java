package org.lovcen.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decisions proposed so far, one per (scope, value): a repeated proposal extends the
 * existing one instead of adding another, and nothing is ever proposed for an allowlisted
 * address or a network overlapping the allowlist. Not thread-safe (owned by one detector).
 */
public final class DecisionBook {
  private final WebConfig config;
  private final Map<String, Decision> byValue = new LinkedHashMap<>();
  private long refusedAllowlisted;
  private java.util.function.Consumer<Decision> listener = d -> { };

  DecisionBook(WebConfig config) {
    this.config = config;
  }

  /**
   * Proposes a decision lasting the configured duration from {@code now}; returns true when it
   * is new (false when extended, refused by the allowlist, or the action is {@code none}).
   */
  boolean propose(String detector, String scope, String value, long now, String reason, String site) {
    String action = config.action(detector);
    if (action.equals("none")) {
      return false;
    }
    if (config.allowlisted(Cidr.parse(value))) {
      refusedAllowlisted++;
      return false;
    }
    String key = scope + ":" + value;
    long until = now + config.banDuration;
    detector = detector.startsWith("sigma:") ? detector.substring(6) : detector;
    Decision d = byValue.get(key);
    if (d != null) {
      Decision e = d.extendTo(until);
      if (d.action().equals("captcha") && action.equals("ban")) {
        e = new Decision("ban", scope, value, d.since(), until, reason, detector, site);
      }
      put(key, d, e);
      return false;
    }
    put(key, null, new Decision(action, scope, value, now, until, reason, detector, site));
    return true;
  }

  /** Extends an existing decision while its attack lasts; no-op when there is none. */
  void extend(String scope, String value, long now) {
    String key = scope + ":" + value;
    Decision d = byValue.get(key);
    if (d != null) {
      put(key, d, d.extendTo(now + config.banDuration));
    }
  }

  private void put(String key, Decision before, Decision after) {
    byValue.put(key, after);
    if (before != after) {
      listener.accept(after);
    }
  }

  void listener(java.util.function.Consumer<Decision> l) {
    this.listener = l;
  }

  /** Drops decisions that ended before {@code t}. */
  void forgetBefore(long t) {
    byValue.values().removeIf(d -> d.until() < t);
  }

  /** True when a decision exists for this address. */
  boolean has(String scope, String value) {
    return byValue.containsKey(scope + ":" + value);
  }

  /** All decisions in the order first proposed. */
  public List<Decision> decisions() {
    return new ArrayList<>(byValue.values());
  }

  /** How many decisions there are. */
  int size() {
    return byValue.size();
  }

  /** Forgets every decision and the counter. */
  void clear() {
    byValue.clear();
    refusedAllowlisted = 0;
  }

  /** Writes every decision (in order first proposed) and the counter, for {@link #read}. */
  void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeLong(refusedAllowlisted);
    out.writeInt(byValue.size());
    for (Map.Entry<String, Decision> e : byValue.entrySet()) {
      Decision d = e.getValue();
      out.writeUTF(e.getKey());
      WebDetector.State.str(out, d.action());
      WebDetector.State.str(out, d.scope());
      WebDetector.State.str(out, d.value());
      out.writeLong(d.since());
      out.writeLong(d.until());
      WebDetector.State.str(out, d.reason());
      WebDetector.State.str(out, d.detector());
      WebDetector.State.str(out, d.site());
    }
  }

  /** Replaces the decisions by those {@link #write} wrote; the listener is not called. */
  void read(java.io.DataInput in) throws java.io.IOException {
    byValue.clear();
    refusedAllowlisted = in.readLong();
    for (int n = in.readInt(); n > 0; n--) {
      String key = in.readUTF();
      byValue.put(key, new Decision(WebDetector.State.str(in), WebDetector.State.str(in), WebDetector.State.str(in),
          in.readLong(), in.readLong(), WebDetector.State.str(in), WebDetector.State.str(in),
          WebDetector.State.str(in)));
    }
  }

  /** How many proposals the allowlist refused. */
  public long refusedAllowlisted() {
    return refusedAllowlisted;
  }
}
