package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;

/** Rules run only on the events their logsource means (taxonomy appendix, SigmaHQ's thor.yml). */
class LogsourceMappingTest {
  @TempDir
  Path dir;

  private static String rule(String logsource, String detection) {
    return "title: t\nid: r\nlogsource:\n" + logsource.stripIndent().lines().map(l -> "  " + l + "\n")
        .reduce("", String::concat) + "detection:\n" + detection.stripIndent().lines().map(l -> "  " + l + "\n")
        .reduce("", String::concat) + "level: high\n";
  }

  private static Event windows(String channel, int eventId, String... kv) {
    Event e = Rules.event(kv);
    e.channel(channel);
    e.eventId(eventId);
    e.add("EventID", Integer.toString(eventId), Event.NUMBER);
    return e;
  }

  private static boolean matches(String yaml, Event e) {
    return !Rules.matches(RuleSet.of(RuleSet.parse("t.yml", yaml, Map.of()), RuleSet.Options.defaults()), e).isEmpty();
  }

  private static final String PROC = rule("category: process_creation\nproduct: windows",
      "sel:\n  Image|endswith: '\\whoami.exe'\ncondition: sel");

  @Test
  void processCreation_readsSysmon1() {
    assertThat(matches(PROC, windows("Microsoft-Windows-Sysmon/Operational", 1, "Image", "C:\\w\\whoami.exe"))).isTrue();
    assertThat(matches(PROC, windows("microsoft-windows-sysmon/operational", 1, "Image", "C:\\w\\whoami.exe")))
        .as("channel names are case-insensitive").isTrue();
  }

  @Test
  void processCreation_readsSecurity4688_withRenamedFields() {
    assertThat(matches(PROC, windows("Security", 4688, "NewProcessName", "C:\\w\\whoami.exe"))).isTrue();
    assertThat(matches(PROC, windows("Security", 4688, "Image", "C:\\w\\whoami.exe"))).isFalse();
  }

  @Test
  void processCreation_notOtherEventsOrChannels() {
    assertThat(matches(PROC, windows("Microsoft-Windows-Sysmon/Operational", 11, "Image", "C:\\w\\whoami.exe")))
        .isFalse();
    assertThat(matches(PROC, windows("Application", 1, "Image", "C:\\w\\whoami.exe"))).isFalse();
    assertThat(matches(PROC, Rules.event("Image", "C:\\w\\whoami.exe"))).as("not a Windows event").isFalse();
  }

  @Test
  void registryAdd_isSysmon12WithCreateKey() {
    String r = rule("category: registry_add\nproduct: windows", "sel:\n  TargetObject|contains: Run\ncondition: sel");
    String sysmon = "Microsoft-Windows-Sysmon/Operational";
    assertThat(matches(r, windows(sysmon, 12, "EventType", "CreateKey", "TargetObject", "HKLM\\Run"))).isTrue();
    assertThat(matches(r, windows(sysmon, 12, "EventType", "DeleteKey", "TargetObject", "HKLM\\Run"))).isFalse();
    assertThat(matches(r, windows(sysmon, 13, "EventType", "CreateKey", "TargetObject", "HKLM\\Run"))).isFalse();
  }

  @Test
  void service_selectsItsChannels() {
    String r = rule("product: windows\nservice: security", "sel:\n  EventID: 4625\ncondition: sel");
    assertThat(matches(r, windows("Security", 4625))).isTrue();
    assertThat(matches(r, windows("System", 4625))).isFalse();
    String ps = rule("category: ps_script\nproduct: windows", "sel:\n  ScriptBlockText|contains: iex\ncondition: sel");
    assertThat(matches(ps, windows("Microsoft-Windows-PowerShell/Operational", 4104, "ScriptBlockText", "IEX(x)")))
        .isTrue();
    assertThat(matches(ps, windows("PowerShellCore/Operational", 4104, "ScriptBlockText", "iex"))).isTrue();
    assertThat(matches(ps, windows("Microsoft-Windows-PowerShell/Operational", 4103, "ScriptBlockText", "iex")))
        .isFalse();
  }

  @Test
  void antivirus_readsDefenderWithRenames() {
    String r = rule("category: antivirus", "sel:\n  Signature|contains: Mimikatz\ncondition: sel");
    assertThat(matches(r, windows("Microsoft-Windows-Windows Defender/Operational", 1116, "ThreatName",
        "HackTool:Win32/Mimikatz"))).isTrue();
  }

  @Test
  void otherProducts_runOnEventsWithoutChannel() {
    String r = rule("product: linux\nservice: auth", "kw:\n  - 'Failed password'\ncondition: kw");
    assertThat(matches(r, Rules.event("message", "sshd: Failed password for root"))).isTrue();
    assertThat(matches(r, windows("Security", 4625, "message", "Failed password"))).isFalse();
  }

  @Test
  void unmappedWindowsCategory_isUnsupportedWithReason() {
    RuleSet set = RuleSet.of(RuleSet.parse("t.yml", rule("category: file_access\nproduct: windows",
        "sel:\n  FileName: x\ncondition: sel"), Map.of()), RuleSet.Options.defaults());
    assertThat(set.report().unsupported()).singleElement()
        .satisfies(i -> assertThat(i.reason()).contains("file_access").contains("--mapping"));
  }

  @Test
  void userMapping_addsACategory() throws IOException {
    Path m = Files.writeString(dir.resolve("edr.yml"), """
        services:
          edr: [EDR/Files]
        categories:
          file_access:
            - service: edr
              EventID: [7]
              fieldmappings: {FileName: Path}
        """);
    RuleSet set = RuleSet.of(RuleSet.parse("t.yml", rule("category: file_access\nproduct: windows",
        "sel:\n  FileName|endswith: secret.txt\ncondition: sel"), Map.of()),
        RuleSet.Options.defaults().withMappings(List.of(m)));
    assertThat(set.report().unsupported()).isEmpty();
    assertThat(Rules.matches(set, windows("EDR/Files", 7, "Path", "C:\\secret.txt"))).hasSize(1);
    assertThat(Rules.matches(set, windows("EDR/Files", 8, "Path", "C:\\secret.txt"))).isEmpty();
  }

  @Test
  void manyDistinctChannels_doNotChangeResults_andCachesStayBounded() {
    RuleSet set = RuleSet.of(RuleSet.parse("t.yml", PROC, Map.of()), RuleSet.Options.defaults());
    Evaluator ev = set.evaluator();
    int hits = 0;
    for (int i = 0; i < 5000; i++) {
      List<String> out = new java.util.ArrayList<>();
      ev.evaluate(windows("Junk-" + i, i, "Image", "C:\\w\\whoami.exe"), (r, e) -> out.add(r.id()));
      ev.evaluate(windows("Microsoft-Windows-Sysmon/Operational", 1, "Image", "C:\\w\\whoami.exe"),
          (r, e) -> out.add(r.id()));
      hits += out.size();
    }
    assertThat(hits).isEqualTo(5000);
  }
}
