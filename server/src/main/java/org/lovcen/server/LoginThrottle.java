package org.lovcen.server;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/*
 * How and why: password guessing is slowed per account and per address. Failed sign-ins are
 * remembered for a window; an account with too many of them is locked for the window (whatever
 * the address: a distributed guesser is stopped too), and an address with too many failures over
 * all accounts is locked likewise (password spraying). While locked, sign-in is refused before
 * the password is checked, so a guess made then says nothing. A success clears the account's
 * failures. Loopback addresses are not locked: behind a reverse proxy every sign-in comes from
 * loopback, and one locked address would lock everyone out (the proxy limits rates per client;
 * docs/INSTALL.md); accounts are locked whatever the address. Memory is bounded: past the cap the entries used longest ago are dropped.
 */
/** Counts failed sign-ins and locks accounts and addresses. Thread-safe. */
public final class LoginThrottle {
  /** Failures of one account, or of one address, within the window that lock it. */
  public static final int ACCOUNT_FAILURES = 5;
  public static final int ADDRESS_FAILURES = 20;
  public static final long WINDOW_MILLIS = 15 * 60_000L;
  private static final int CAP = 100_000;

  private final Clock clock;
  private final Map<String, Deque<Long>> failures = new LinkedHashMap<>(16, 0.75f, true);

  public LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** Milliseconds until the account or address may try again; 0 when it may now. */
  public synchronized long lockedFor(String name, String address) {
    long now = clock.millis();
    String a = address(address);
    long byAddress = a.equals("loopback") ? 0 : wait(a, ADDRESS_FAILURES, now);
    return Math.max(wait(account(name), ACCOUNT_FAILURES, now), byAddress);
  }

  public synchronized void failed(String name, String address) {
    long now = clock.millis();
    add(account(name), now);
    String a = address(address);
    if (!a.equals("loopback")) {
      add(a, now);
    }
  }

  public synchronized void succeeded(String name) {
    failures.remove(account(name));
  }

  private long wait(String key, int limit, long now) {
    Deque<Long> d = failures.get(key);
    if (d == null) {
      return 0;
    }
    prune(d, now);
    if (d.size() < limit) {
      return 0;
    }
    // locked until the limit-th most recent failure leaves the window
    Iterator<Long> newestFirst = d.descendingIterator();
    long t = 0;
    for (int i = 0; i < limit; i++) {
      t = newestFirst.next();
    }
    return Math.max(1, t + WINDOW_MILLIS - now);
  }

  private void add(String key, long now) {
    Deque<Long> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    prune(d, now);
    d.addLast(now);
    while (d.size() > ADDRESS_FAILURES) {
      d.removeFirst();
    }
    if (failures.size() > CAP) {
      Iterator<String> oldest = failures.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  private static void prune(Deque<Long> d, long now) {
    while (!d.isEmpty() && d.peekFirst() <= now - WINDOW_MILLIS) {
      d.removeFirst();
    }
  }

  private static String account(String name) {
    return "u:" + (name == null ? "" : name.toLowerCase(Locale.ROOT));
  }

  private static String address(String address) {
    return address == null || address.startsWith("127.") || address.equals("::1")
        || address.equals("0:0:0:0:0:0:0:1") ? "loopback" : "a:" + address;
  }
}
