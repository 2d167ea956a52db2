package org.lovcen.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CampaignLinkerTest {
  private static final String TOOL = "SHA256=" + "ab".repeat(32);
  private static final String RUNDLL = "SHA256=" + "cd".repeat(32);

  private static Sighting alert(long id, String inst, String host, long ts, String rule, Map<String, String> fields) {
    return new Sighting(id, inst, host, ts, 3, rule, List.of("T1003.001"), EvidenceExtractor.of("sigma", rule, fields));
  }

  private static Map<String, String> tool(String user) {
    return Map.of("Image", "C:\\Users\\" + user + "\\AppData\\Local\\Temp\\mk.exe", "CommandLine",
        "C:\\Users\\" + user + "\\AppData\\Local\\Temp\\mk.exe  sekurlsa::logonpasswords", "Hashes", TOOL);
  }

  /** Benign noise on many hosts of every institution: the same system binary and rule everywhere. */
  private static List<Sighting> noise(int institutions, int hostsEach) {
    List<Sighting> out = new ArrayList<>();
    long id = 1000;
    for (int i = 0; i < institutions; i++) {
      for (int h = 0; h < hostsEach; h++) {
        out.add(alert(id++, "i" + i, "WS" + h, 500 + h, "frequent-rule", Map.of("Image",
            "C:\\Windows\\System32\\rundll32.exe", "CommandLine", "rundll32.exe shell32.dll,Control_RunDLL", "Hashes",
            RUNDLL)));
      }
    }
    return out;
  }

  @Test
  void link_sameRareToolAtThreeInstitutions_oneCampaignWithTheEarliestHostAsPatientZero() {
    List<Sighting> s = new ArrayList<>(noise(6, 20));
    s.add(alert(1, "i1", "A-WS1", 200, "dump", tool("ana")));
    s.add(alert(2, "i0", "B-WS9", 100, "dump", tool("bob")));
    s.add(alert(3, "i2", "C-SRV", 300, "dump", tool("cid")));
    List<CampaignLinker.Campaign> c = CampaignLinker.link(s, LinkRules.defaults(), 0);
    assertThat(c).singleElement().satisfies(x -> {
      assertThat(x.institutions()).containsExactly("i0", "i1", "i2");
      assertThat(x.patientZero().host()).isEqualTo("B-WS9");
      assertThat(x.first()).isEqualTo(100);
      assertThat(x.links()).isNotEmpty().allSatisfy(l -> assertThat(l.evidence()).extracting(
          CampaignLinker.Weighted::kind).contains("hash", "command").doesNotContain("system-hash"));
    });
  }

  @Test
  void link_commonSystemBinaryAndFrequentRuleEverywhere_linkNothing() {
    assertThat(CampaignLinker.link(noise(6, 20), LinkRules.defaults(), 0)).isEmpty();
  }

  @Test
  void link_sameToolWithinOneInstitutionOnly_isNoCampaign() {
    List<Sighting> s = new ArrayList<>(noise(3, 10));
    s.add(alert(1, "i1", "A", 1, "dump", tool("a")));
    s.add(alert(2, "i1", "B", 2, "dump", tool("b")));
    assertThat(CampaignLinker.link(s, LinkRules.defaults(), 0)).isEmpty();
  }

  @Test
  void link_valueOnEveryHostWithAlerts_stillRareAmongAllWatchedHosts() {
    List<Sighting> s = List.of(alert(1, "i0", "A", 1, "dump", tool("a")), alert(2, "i1", "B", 2, "dump", tool("b")));
    assertThat(CampaignLinker.link(s, LinkRules.defaults(), 0)).as("two hosts only: the tool is on all").isEmpty();
    assertThat(CampaignLinker.link(s, LinkRules.defaults(), 300)).hasSize(1);
  }

  @Test
  void command_sameActorAnywhere_normalisedAlike() {
    assertThat(EvidenceExtractor.command("C:\\Users\\Public\\PsExec64.exe \\\\MF-FS01 -accepteula -u MF\\svc_backup "
        + "-p x -s -d cmd.exe")).isEqualTo(EvidenceExtractor.command("c:\\users\\public\\psexec64.exe  \\\\UPC-FS01 "
            + "-accepteula -u UPC\\svc_bkp -p x -s -d cmd.exe"));
    assertThat(EvidenceExtractor.publicAddress("198.51.100.77")).isTrue();
    assertThat(EvidenceExtractor.publicAddress("10.1.2.3")).isFalse();
    assertThat(EvidenceExtractor.publicAddress("172.20.0.1")).isFalse();
  }
}
