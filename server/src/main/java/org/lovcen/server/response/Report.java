package org.lovcen.server.response;

import java.util.List;

/**
 * What an incident or campaign report says, already scoped to its reader: the pieces the HTML
 * and PDF renderings lay out in the same order. Immutable.
 *
 * @param summary     the executive summary, one paragraph per element
 * @param institutions rows of institution, hosts, first seen, last seen
 * @param hosts       rows of institution, host, first seen, last seen, alerts, techniques
 * @param timeline    rows of time, institution, host, level, what happened, techniques
 * @param techniques  rows of technique id, hosts
 * @param indicators  rows of kind, value
 * @param actions     rows of time, who, what, result (tasks done, actions run)
 * @param openTasks   rows of case, task, assignee, due
 */
public record Report(String title, String subtitle, String generated, List<String> summary,
    List<List<String>> institutions, List<List<String>> hosts, List<List<String>> timeline,
    List<List<String>> techniques, List<List<String>> indicators, List<List<String>> actions,
    List<List<String>> openTasks) {

  /** The sections in order: heading, column names, rows. */
  public List<Section> sections() {
    return List.of(
        new Section("Affected institutions", List.of("Institution", "Hosts", "First seen", "Last seen"), institutions),
        new Section("Affected hosts", List.of("Institution", "Host", "First seen", "Last seen", "Alerts",
            "Techniques"), hosts),
        new Section("Timeline", List.of("Time (UTC)", "Institution", "Host", "Level", "What", "Techniques"), timeline),
        new Section("ATT&CK techniques", List.of("Technique", "Hosts"), techniques),
        new Section("Indicators", List.of("Kind", "Value"), indicators),
        new Section("Actions taken", List.of("Time (UTC)", "By", "Action", "Result"), actions),
        new Section("Open tasks", List.of("Case", "Task", "Assignee", "Due"), openTasks));
  }

  /** One table of the report. */
  public record Section(String heading, List<String> columns, List<List<String>> rows) {}
}
