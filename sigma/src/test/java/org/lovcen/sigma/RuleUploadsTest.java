package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Event;

/**
 * Uploaded rules as every runner compiles them (RuleUploads) and decides where they run
 * (InstitutionRules): an institution's upload runs for that institution only, a national one for
 * all, institution filters apply over uploads too, and an upload that does not compile is reported.
 */
class RuleUploadsTest {
  private static final String MINE = "11111111-1111-4111-8111-111111111111";
  private static final String ALL = "22222222-2222-4222-8222-222222222222";

  private static String rule(String id, String status) {
    return "title: rule " + id + "\nid: " + id + "\nstatus: " + status + "\nlogsource:\n  category: process_creation\n"
        + "  product: windows\ndetection:\n  selection:\n    Image|endswith: '\\rar.exe'\n  condition: selection\n"
        + "level: high\n";
  }

  private static final String BUILD_SERVER = """
      title: The build server packs archives by design
      logsource:
          category: process_creation
          product: windows
      filter:
          rules: any
          selection:
              Computer: BUILD01
          condition: not selection
      """;

  private static Event rar(String institution, String computer) {
    Event e = Rules.event("Image", "C:\\tools\\rar.exe", "Computer", computer);
    e.channel("Microsoft-Windows-Sysmon/Operational");
    e.eventId(1);
    e.institution(institution);
    return e;
  }

  private static RuleUploads uploads() {
    return RuleUploads.compile(List.of(new RuleUploads.File(1, "a", "mine.yml", rule(MINE, "experimental")),
        new RuleUploads.File(2, null, "all.yml", rule(ALL, "test"))));
  }

  /** The rules whose matches on {@code e} the institution keeps. */
  private static List<String> kept(RuleUploads u, InstitutionRules institutions, Event e) {
    InstitutionRules.Check check = institutions.check();
    List<String> out = new ArrayList<>();
    u.rules().evaluator().evaluate(e, (rule, ev) -> {
      if (!check.suppressed(rule, ev)) {
        out.add(rule.id());
      }
    });
    out.sort(null);
    return out;
  }

  @Test
  void compile_knowsTheOwnerOfEachInstitutionsRule_andRunsEveryStatus() {
    RuleUploads u = uploads();
    assertThat(u.problems()).isEmpty();
    assertThat(u.rules().rules()).extracting(SigmaRule::id).containsExactlyInAnyOrder(MINE, ALL);
    assertThat(u.rules().rules()).extracting(SigmaRule::path).contains("upload 1 (mine.yml)");
    assertThat(u.owners()).isEqualTo(Map.of(MINE, "a"));
    assertThat(RuleUploads.compile(List.of())).isSameAs(RuleUploads.NONE);
  }

  @Test
  void institutionsUpload_runsForThatInstitutionOnly_nationalForAll() {
    RuleUploads u = uploads();
    InstitutionRules institutions = InstitutionRules.compile(u.rules().rules(), u.owners(), Map.of(), Map.of(),
        p -> { throw new AssertionError(p); });
    assertThat(institutions.runsFor("a", MINE)).isTrue();
    assertThat(institutions.runsFor("b", MINE)).isFalse();
    assertThat(institutions.runsFor(null, MINE)).as("an event of no institution").isFalse();
    assertThat(institutions.runsFor("b", ALL)).isTrue();
    assertThat(institutions.rulesOf(u.rules().rules(), "b")).extracting(SigmaRule::id).containsExactly(ALL);
    assertThat(kept(u, institutions, rar("a", "WS01"))).containsExactly(MINE, ALL);
    assertThat(kept(u, institutions, rar("b", "WS01"))).containsExactly(ALL);
  }

  @Test
  void institutionFilter_appliesOverUploads_andCoversOnlyTheRulesThatRunForIt() {
    RuleUploads u = uploads();
    InstitutionRules institutions = InstitutionRules.compile(u.rules().rules(), u.owners(), Map.of("a", Set.of(ALL)),
        Map.of("a", Map.of("build", BUILD_SERVER), "b", Map.of("build", BUILD_SERVER)),
        p -> { throw new AssertionError(p); });
    assertThat(institutions.filters().get("b").rules()).extracting(SigmaRule::id).containsExactly(ALL);
    assertThat(kept(u, institutions, rar("a", "BUILD01"))).isEmpty();
    assertThat(kept(u, institutions, rar("a", "WS01"))).as("a turned the national rule off").containsExactly(MINE);
    assertThat(kept(u, institutions, rar("b", "BUILD01"))).isEmpty();
    assertThat(kept(u, institutions, rar("b", "WS01"))).containsExactly(ALL);
  }

  @Test
  void uploadThatNoLongerCompiles_isReportedByItsName_andTheOthersRun() {
    RuleUploads u = RuleUploads.compile(List.of(new RuleUploads.File(3, "a", "broken.yml", "title: [\n"),
        new RuleUploads.File(4, null, "all.yml", rule(ALL, "test"))));
    assertThat(u.problems()).singleElement().asString().startsWith("upload 3 (broken.yml): ");
    assertThat(u.rules().rules()).extracting(SigmaRule::id).containsExactly(ALL);
  }
}
