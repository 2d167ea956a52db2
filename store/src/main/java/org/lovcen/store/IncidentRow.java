package org.lovcen.store;

import java.util.List;

/**
 * An incident: alerts of one institution and host grouped within a time window.
 *
 * @param level the highest level among its alerts
 * @param techniques ATT&CK technique ids ({@code T1003.001}) of its alerts
 * @param tactics ATT&CK tactic names ({@code credential-access}) of its alerts
 * @param rules ids of the rules that fired
 */
public record IncidentRow(long id, String institution, String host, String title, String level, int levelRank,
    String status, String assignee, long firstTs, long lastTs, int alertCount, List<String> techniques,
    List<String> tactics, List<String> rules, long created, long updated) {

  /** Incident statuses; the last two close an incident. */
  public static final List<String> STATUSES = List.of("new", "investigating", "contained", "resolved", "false_positive");

  public boolean open() {
    return !status.equals("resolved") && !status.equals("false_positive");
  }
}
