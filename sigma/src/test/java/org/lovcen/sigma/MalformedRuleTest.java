package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad rules are reported with file, position and reason; every good rule beside them still runs. */
class MalformedRuleTest {
  @TempDir
  Path dir;

  @Test
  void threeMistakes_giveThreeErrors_andOtherRulesLoad() throws IOException {
    Files.writeString(dir.resolve("bad.yml"), """
        title: three mistakes
        id: 00000000-0000-0000-0000-00000000000b
        logsource:
          product: windows
          category: process_creation
        detection:
          sel:
            Image|endswitch: x.exe
          other:
            CommandLine|re: '('
          condition: sel and (other
        level: high
        """);
    Files.writeString(dir.resolve("syntax.yml"), "title: [unclosed\ndetection: {\n");
    Files.writeString(dir.resolve("good.yml"), Rules.rule("sel:\n  Image: ok.exe\ncondition: sel"));
    RuleSet set = RuleSet.load(List.of(dir), RuleSet.Options.defaults());
    RuleSet.Report r = set.report();
    assertThat(r.errors()).filteredOn(i -> i.path().endsWith("bad.yml")).extracting(RuleSet.Issue::reason)
        .hasSize(2)
        .anySatisfy(m -> assertThat(m).contains("line 8").contains("unknown modifier 'endswitch'"))
        .anySatisfy(m -> assertThat(m).contains("line 11").contains("')' expected"));
    assertThat(r.errors()).filteredOn(i -> i.path().endsWith("syntax.yml")).singleElement()
        .satisfies(i -> assertThat(i.reason()).contains("YAML syntax").contains("line"));
    assertThat(set.rules()).extracting(SigmaRule::id).containsExactly("00000000-0000-0000-0000-000000000001");
  }

  @Test
  void unsupportedRegex_isReportedAsUnsupported_notAsError() throws IOException {
    Files.writeString(dir.resolve("re.yml"), Rules.rule("sel:\n  F|re: '(?<=a)b'\ncondition: sel"));
    RuleSet.Report r = RuleSet.load(List.of(dir), RuleSet.Options.defaults()).report();
    assertThat(r.errors()).isEmpty();
    assertThat(r.unsupported()).singleElement().satisfies(i -> assertThat(i.reason()).contains("(?<=a)b"));
  }

  @Test
  void missingRequiredKeys_areErrors() throws IOException {
    Files.writeString(dir.resolve("empty.yml"), "id: x\n");
    RuleSet.Report r = RuleSet.load(List.of(dir), RuleSet.Options.defaults()).report();
    assertThat(r.errors()).extracting(RuleSet.Issue::reason)
        .anySatisfy(m -> assertThat(m).contains("'title' missing"))
        .anySatisfy(m -> assertThat(m).contains("'logsource'"))
        .anySatisfy(m -> assertThat(m).contains("'detection'"));
  }

  @Test
  void conditionEmptyOrNotText_isAnError_notANullPointer() throws IOException {
    Files.writeString(dir.resolve("empty-condition.yml"), Rules.rule("sel:\n  Image: a.exe\ncondition:"));
    Files.writeString(dir.resolve("map-condition.yml"), Rules.rule("sel:\n  Image: a.exe\ncondition: {sel: 1}"));
    RuleSet.Report r = RuleSet.load(List.of(dir), RuleSet.Options.defaults()).report();
    assertThat(r.errors()).hasSize(2).allSatisfy(i -> assertThat(i.reason())
        .contains("'condition' must be a condition or a list of conditions").contains("line"));
  }
}
