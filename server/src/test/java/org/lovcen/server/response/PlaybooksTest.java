package org.lovcen.server.response;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.server.TestServer;

class PlaybooksTest {
  private static final Playbooks SHIPPED = Playbooks.load(List.of(TestServer.root().resolve("playbooks")));

  @Test
  void shipped_loadWithoutProblems_andCoverTheScenarioTechniquesAndWebFloods() {
    assertThat(SHIPPED.problems()).isEmpty();
    for (String t : List.of("T1003.001", "T1021.001", "T1021.002", "T1570", "T1068", "T1562.001", "T1486", "T1041",
        "T1566.001", "T1498", "T1499.002")) {
      assertThat(SHIPPED.matching(Set.of(t), Set.of(), Set.of())).as(t).isNotEmpty();
    }
    assertThat(SHIPPED.all()).flatExtracting(Playbooks.Playbook::tasks).extracting(Playbooks.Step::action)
        .containsAll(Playbooks.ACTIONS);
  }

  @Test
  void matching_techniqueMatchesItsSubTechniques_notOthers() {
    Playbooks.Playbook dump = SHIPPED.get("credential-dumping");
    assertThat(dump.matches(Set.of("T1003.001"), Set.of(), Set.of())).isTrue();
    assertThat(dump.matches(Set.of("T1003"), Set.of(), Set.of())).isTrue();
    assertThat(dump.matches(Set.of("T10031"), Set.of(), Set.of())).isFalse();
  }

  @Test
  void load_badFiles_everyProblemWithItsFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.yml"), "id: Bad Id\nmatch: {}\ntasks:\n  - action: explode\n");
    Files.writeString(dir.resolve("b.yml"), "id: ok\ntitle: Fine\nmatch: {techniques: [T1486]}\ntasks:\n"
        + "  - title: Contain\n    action: contain_host\n");
    Files.writeString(dir.resolve("c.yml"), "id: ok\ntitle: Twice\nmatch: {techniques: [T9]}\ntasks: [{title: x}]\n");
    Playbooks p = Playbooks.load(List.of(dir, dir.resolve("missing")));
    assertThat(p.all()).extracting(Playbooks.Playbook::id).containsExactly("ok");
    assertThat(p.problems()).anySatisfy(x -> assertThat(x).startsWith("a.yml: 'id'"))
        .anySatisfy(x -> assertThat(x).startsWith("a.yml: missing 'title'"))
        .anySatisfy(x -> assertThat(x).startsWith("a.yml: 'match'"))
        .anySatisfy(x -> assertThat(x).contains("a.yml: task 1 has no 'title'"))
        .anySatisfy(x -> assertThat(x).contains("unknown action 'explode'"))
        .anySatisfy(x -> assertThat(x).contains("c.yml: 'T9' is not an ATT&CK technique id"))
        .anySatisfy(x -> assertThat(x).contains("c.yml: id 'ok' is used by b.yml too"))
        .anySatisfy(x -> assertThat(x).contains("missing: no such folder"));
  }
}
