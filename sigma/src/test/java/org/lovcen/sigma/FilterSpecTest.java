package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;

/**
 * The examples of the Sigma filters specification. As pySigma does, a filter's condition is
 * AND-ed onto the condition of the rules it names: the spec example (condition: selection on
 * {@code adm_} users) keeps only the administrators' matches; the usual suppression is written
 * {@code condition: not selection}.
 */
class FilterSpecTest {
  @TempDir
  Path tmp;

  private static final String RAR = "6f3e2987-db24-4c78-a860-b4f4095a7095";
  private static final String JUMP = "df0841c0-9846-4e9f-ad8a-7df91571771b";
  private static final String OTHER = "77777777-7777-4777-8777-777777777777";

  private static String proc(String id, String category, String product) {
    return "title: rule " + id + "\nid: " + id + "\nlogsource:\n  category: " + category + "\n  product: " + product
        + "\ndetection:\n  selection:\n    Image|endswith: '\\rar.exe'\n  condition: selection\nlevel: high\n";
  }

  private static Event sysmon1(String user) {
    Event e = Rules.event("Image", "C:\\tools\\rar.exe", "User", user);
    e.channel("Microsoft-Windows-Sysmon/Operational");
    e.eventId(1);
    return e;
  }

  private String example(String name) {
    String y = Corr.example("filter/" + name);
    assumeTrue(y != null, "shared spec folder absent");
    return y;
  }

  @Test
  void filter1_appliesToTheNamedRulesOfItsLogsource() {
    RuleSet set = Corr.load(tmp, example("filter_1.yml"), proc(RAR, "process_creation", "windows"),
        proc(JUMP, "process_creation", "windows"), proc(OTHER, "process_creation", "windows"));
    Corr.assertNoProblems(set);
    assertThat(set.correlations().filters()).isEqualTo(1);
    assertThat(Rules.matches(set, sysmon1("adm_alice"))).containsExactlyInAnyOrder(RAR, JUMP, OTHER);
    assertThat(Rules.matches(set, sysmon1("bob"))).containsExactly(OTHER);
  }

  @Test
  void filter_notSelection_suppressesKnownFalsePositives() {
    String f = example("filter_1.yml").replace("condition: selection", "condition: not selection");
    RuleSet set = Corr.load(tmp, f, proc(RAR, "process_creation", "windows"), proc(OTHER, "process_creation",
        "windows"));
    assertThat(Rules.matches(set, sysmon1("adm_alice"))).containsExactly(OTHER);
    assertThat(Rules.matches(set, sysmon1("bob"))).containsExactlyInAnyOrder(RAR, OTHER);
  }

  @Test
  void filterEcs_onlyForRulesWhoseLogsourceItCovers() {
    String dns = "title: dns\nid: " + RAR + "\nlogsource:\n  category: network\n  service: dns\ndetection:\n"
        + "  selection:\n    dns.question.name|endswith: '.google.com'\n  condition: selection\nlevel: low\n";
    String other = proc(JUMP, "process_creation", "windows");
    RuleSet set = Corr.load(tmp, example("filter_ecs.yml").replace("condition: selection",
        "condition: not selection"), dns, other);
    Corr.assertNoProblems(set);
    assertThat(Rules.matches(set, Rules.event("dns.question.name", "www.google.com"))).isEmpty();
    assertThat(Rules.matches(set, Rules.event("dns.question.name", "mail.google.com"))).containsExactly(RAR);
    assertThat(Rules.matches(set, sysmon1("bob"))).containsExactly(JUMP);
  }

  @Test
  void filter_rulesAny_appliesToEveryRuleOfTheLogsource_andProblemsAreReported() {
    String any = """
        title: any
        logsource:
            product: windows
        filter:
            rules: any
            selection:
                User: SYSTEM
            condition: not selection
        """;
    String broken = """
        title: broken
        logsource:
            product: windows
        filter:
            selection:
                User: SYSTEM
        """;
    RuleSet set = Corr.load(tmp, any, broken, proc(RAR, "process_creation", "windows"));
    assertThat(Rules.matches(set, sysmon1("SYSTEM"))).isEmpty();
    assertThat(Rules.matches(set, sysmon1("bob"))).containsExactly(RAR);
    assertThat(set.report().errors()).extracting(RuleSet.Issue::reason)
        .anyMatch(r -> r.contains("'rules'")).anyMatch(r -> r.contains("condition"));
  }
}
