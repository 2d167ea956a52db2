package org.lovcen.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** MITRE ATT&CK tag helpers: tactic names and short technique tags. Stateless; thread-safe. */
final class Attack {
  private Attack() {}

  /** The enterprise tactics in matrix order, by the short name Sigma tags use. */
  static final Map<String, String> TACTICS = orderedTactics();

  private static Map<String, String> orderedTactics() {
    java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
    m.put("reconnaissance", "Reconnaissance");
    m.put("resource-development", "Resource Development");
    m.put("initial-access", "Initial Access");
    m.put("execution", "Execution");
    m.put("persistence", "Persistence");
    m.put("privilege-escalation", "Privilege Escalation");
    m.put("defense-evasion", "Defense Evasion");
    m.put("credential-access", "Credential Access");
    m.put("discovery", "Discovery");
    m.put("lateral-movement", "Lateral Movement");
    m.put("collection", "Collection");
    m.put("command-and-control", "Command and Control");
    m.put("exfiltration", "Exfiltration");
    m.put("impact", "Impact");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Tactic names of a rule's tags (e.g. {@code attack.credential-access}). */
  static List<String> tactics(List<String> tags) {
    List<String> out = new ArrayList<>();
    for (String t : tags) {
      String l = t.toLowerCase(Locale.ROOT);
      if (l.startsWith("attack.")) {
        String name = TACTICS.get(l.substring(7).replace('_', '-'));
        if (name != null) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /** Technique ids of the tags, upper-cased ({@code attack.t1003.001} -> {@code T1003.001}). */
  static List<String> shortTags(List<String> tags) {
    List<String> out = new ArrayList<>();
    for (String t : tags) {
      String l = t.toLowerCase(Locale.ROOT);
      if (l.startsWith("attack.t") && l.length() > 8 && Character.isDigit(l.charAt(8))) {
        out.add(l.substring(7).toUpperCase(Locale.ROOT));
      }
    }
    return out;
  }
}
