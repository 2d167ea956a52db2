package org.lovcen.web;

import java.util.List;

/** Renders decisions for firewalls and web servers: an nftables set file and an nginx deny include. Stateless. */
public final class DecisionExport {
  private DecisionExport() {}

  /** {@code nft -f} input defining sets {@code lovcen_ban4} / {@code lovcen_ban6} in table {@code inet lovcen}. */
  public static String nftables(List<Decision> ds) {
    StringBuilder v4 = new StringBuilder();
    StringBuilder v6 = new StringBuilder();
    for (Decision d : ds) {
      if (d.action().equals("ban")) {
        StringBuilder b = d.value().indexOf(':') >= 0 ? v6 : v4;
        b.append(b.isEmpty() ? "" : ", ").append(d.value());
      }
    }
    return "# Lovcen ban decisions; load with: nft -f <file>\n"
        + "table inet lovcen {\n"
        + "  set lovcen_ban4 { type ipv4_addr; flags interval; auto-merge; "
        + (v4.isEmpty() ? "" : "elements = { " + v4 + " }; ") + "}\n"
        + "  set lovcen_ban6 { type ipv6_addr; flags interval; auto-merge; "
        + (v6.isEmpty() ? "" : "elements = { " + v6 + " }; ") + "}\n"
        + "  chain input { type filter hook input priority -10; ip saddr @lovcen_ban4 drop; "
        + "ip6 saddr @lovcen_ban6 drop; }\n}\n";
  }

  /** An nginx include of {@code deny} lines for ban decisions (captchas are left to a bouncer). */
  public static String nginx(List<Decision> ds) {
    StringBuilder b = new StringBuilder("# Lovcen ban decisions; include in http, server or location\n");
    for (Decision d : ds) {
      if (d.action().equals("ban")) {
        b.append("deny ").append(d.value()).append(";  # ").append(d.detector()).append('\n');
      }
    }
    return b.toString();
  }
}
