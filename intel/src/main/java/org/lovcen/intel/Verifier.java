package org.lovcen.intel;

import java.util.Locale;
import org.lovcen.core.Event;

/**
 * Checks every observable of a multi-observable clause against an event, after its anchor hit.
 * The rare path: plain code, allocation allowed. Stateless; thread-safe. Also the reference the
 * differential tests compare the tables against.
 */
final class Verifier {
  private Verifier() {}

  static boolean all(Observable[] terms, Event e) {
    return all(terms, 0, terms.length, e);
  }

  /** Whether every observable of {@code terms[from, to)} occurs in the event. */
  static boolean all(Observable[] terms, int from, int to, Event e) {
    for (int i = from; i < to; i++) {
      if (!any(terms[i], e)) {
        return false;
      }
    }
    return true;
  }

  static boolean any(Observable o, Event e) {
    for (int i = 0; i < e.size(); i++) {
      String v = e.value(i);
      if (v != null && field(o, FieldRoles.of(e.name(i)), v)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a field value of this role holds the observable. */
  static boolean field(Observable o, byte role, String v) {
    return switch (o.type()) {
      case IPV4, IPV6 -> role == FieldRoles.ADDRESS && contains(o.value(), v)
          || role == FieldRoles.URL && contains(o.value(), host(v));
      case DOMAIN -> role == FieldRoles.DOMAIN && underDomain(v, o.value())
          || role == FieldRoles.URL && underDomain(host(v), o.value());
      case URL -> role == FieldRoles.URL && IndicatorSet.urlKey(v).equals(IndicatorSet.urlKey(o.value()));
      case MD5, SHA1, SHA256, SHA512 -> role == FieldRoles.HASH && v.equalsIgnoreCase(o.value())
          || role == FieldRoles.HASH_LIST && inList(v, o.value());
      case FILE_NAME -> (role == FieldRoles.PATH || role == FieldRoles.FILE_NAME)
          && v.substring(Math.max(v.lastIndexOf('\\'), v.lastIndexOf('/')) + 1).equalsIgnoreCase(o.value());
    };
  }

  /** Whether the address {@code v} lies in the address or CIDR block {@code block}. */
  static boolean contains(String block, String v) {
    int slash = block.indexOf('/');
    String net = slash < 0 ? block : block.substring(0, slash);
    long a4 = Observables.parseIpv4(v, 0, v.length());
    long[] a6 = new long[2];
    boolean is6 = a4 < 0 && Observables.parseIpv6(v, 0, v.length(), a6);
    if (is6 && a6[0] == 0 && (a6[1] >>> 32) == 0xFFFFL) {
      a4 = a6[1] & 0xFFFFFFFFL;
      is6 = false;
    }
    if (a4 >= 0 && net.indexOf(':') < 0) {
      int bits = slash < 0 ? 32 : Integer.parseInt(block.substring(slash + 1));
      long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
      return (a4 & mask) == (Observables.parseIpv4(net, 0, net.length()) & mask);
    }
    if (is6 && net.indexOf(':') >= 0) {
      long[] n6 = new long[2];
      Observables.parseIpv6(net, 0, net.length(), n6);
      int bits = slash < 0 ? 128 : Integer.parseInt(block.substring(slash + 1));
      Observables.mask(a6, bits);
      return a6[0] == n6[0] && a6[1] == n6[1];
    }
    return false;
  }

  static boolean underDomain(String name, String domain) {
    String n = name.toLowerCase(Locale.ROOT);
    while (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    return n.equals(domain) || n.endsWith("." + domain);
  }

  private static String host(String url) {
    String k = IndicatorSet.urlKey(url);
    int end = 0;
    while (end < k.length() && k.charAt(end) != '/' && k.charAt(end) != '?') {
      end++;
    }
    String h = k.substring(0, end);
    if (h.startsWith("[")) {
      return h.substring(1, Math.max(1, h.indexOf(']')));
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static boolean inList(String list, String digest) {
    for (String part : list.split(",")) {
      String d = part.substring(part.indexOf('=') + 1).trim();
      if (d.equalsIgnoreCase(digest)) {
        return true;
      }
    }
    return false;
  }
}
