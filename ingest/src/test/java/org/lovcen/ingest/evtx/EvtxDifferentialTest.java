package org.lovcen.ingest.evtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;

/** Every regression EVTX file reads to the same events as its evtx_dump JSON twin. */
class EvtxDifferentialTest {
  /**
   * One case whose JSON twin was not rendered from these exact bytes by the same tool: it says
   * {@code C:\Windows\Explorer.exe} where the EVTX bytes say {@code C:\Windows\Explorer.EXE},
   * and prints its TimeCreated with nanoseconds ({@code .751156500Z}) where every other twin
   * truncates to microseconds. Only these two differences are accepted, and only there.
   */
  private static final String ODD_TWIN = "ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx";

  @Test
  void everyRegressionCaseMatchesItsJsonTwin() throws Exception {
    Path shared = Shared.dir();
    Assumptions.assumeTrue(shared != null, "shared regression material absent");
    List<Path> files = Shared.evtxFiles(shared);
    assertThat(files).isNotEmpty();
    List<String> mismatches = new ArrayList<>();
    int events = 0;
    int compared = 0;
    for (Path evtx : files) {
      Path json = Path.of(evtx.toString().replaceAll("\\.evtx$", ".json"));
      if (!Files.exists(json)) {
        mismatches.add(evtx + ": no JSON twin");
        continue;
      }
      compared++;
      List<Problem> problems = new ArrayList<>();
      List<Event> got = Shared.readAll(Readers.open(evtx, evtx.toString(), ReadOptions.DEFAULT), problems);
      List<Event> want = Shared.readAll(Readers.open(json, json.toString(), ReadOptions.DEFAULT), new ArrayList<>());
      String rel = shared.relativize(evtx).toString();
      for (Problem p : problems) {
        mismatches.add(rel + ": problem " + p);
      }
      events += got.size();
      compare(rel, got, want, mismatches);
    }
    assertThat(compared).isEqualTo(files.size());
    assertThat(mismatches).as("%d files, %d events, %d mismatches:%n%s", files.size(), events, mismatches.size(),
        String.join("\n", mismatches.subList(0, Math.min(200, mismatches.size())))).isEmpty();
  }

  /**
   * Chunks filled with further instances that refer to the chunk's template definitions (as in
   * real logs) give, for every such instance, the same event as the record it was copied from.
   */
  @Test
  void templateReferencesRenderLikeTheirInlineDefinitions(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path shared = Shared.dir();
    Assumptions.assumeTrue(shared != null, "shared regression material absent");
    List<String> mismatches = new ArrayList<>();
    long copies = 0;
    for (Path evtx : Shared.evtxFiles(shared)) {
      byte[] b = Files.readAllBytes(evtx);
      List<Event> original = Shared.readAll(new EvtxEventSource(evtx, "o", ReadOptions.DEFAULT), new ArrayList<>());
      byte[] chunk = java.util.Arrays.copyOfRange(b, 4096, 4096 + 65536);
      long next = EvtxBench.densify(chunk, 1);
      System.arraycopy(chunk, 0, b, 4096, 65536);
      Path dense = tmp.resolve("dense.evtx");
      Files.write(dense, b);
      List<Problem> problems = new ArrayList<>();
      List<Event> got = Shared.readAll(new EvtxEventSource(dense, "d", ReadOptions.DEFAULT), problems);
      String rel = shared.relativize(evtx).toString();
      problems.forEach(p -> mismatches.add(rel + ": problem " + p));
      if (got.size() != next - 1) {
        mismatches.add(rel + ": " + got.size() + " events, " + (next - 1) + " records written");
      }
      java.util.Set<String> known = new java.util.HashSet<>();
      original.forEach(e -> known.add(fields(e)));
      for (Event e : got) {
        if (!known.contains(fields(e))) {
          mismatches.add(rel + " record " + e.record() + ": " + e);
        }
      }
      copies += got.size();
    }
    assertThat(mismatches).as(String.join("\n", mismatches.subList(0, Math.min(50, mismatches.size())))).isEmpty();
    assertThat(copies).isGreaterThan(5_000);
  }

  private static String fields(Event e) {
    StringBuilder b = new StringBuilder().append(e.timestamp()).append(e.host()).append(e.channel())
        .append(e.provider()).append(e.eventId());
    for (int i = 0; i < e.size(); i++) {
      b.append('|').append(e.name(i)).append('=').append(e.value(i)).append(e.type(i));
    }
    return b.toString();
  }

  static void compare(String file, List<Event> got, List<Event> want, List<String> out) {
    if (got.size() != want.size()) {
      out.add(file + ": " + got.size() + " events, JSON has " + want.size());
    }
    for (int i = 0; i < Math.min(got.size(), want.size()); i++) {
      Event g = got.get(i);
      Event w = want.get(i);
      String at = file + " event " + i + " (record " + g.record() + ")";
      header(at, "timestamp", g.timestamp(), w.timestamp(), out);
      header(at, "host", g.host(), w.host(), out);
      header(at, "channel", g.channel(), w.channel(), out);
      header(at, "provider", g.provider(), w.provider(), out);
      header(at, "eventId", g.eventId(), w.eventId(), out);
      header(at, "institution", g.institution(), w.institution(), out);
      int n = Math.max(g.size(), w.size());
      for (int k = 0; k < n; k++) {
        String gs = k < g.size() ? g.name(k) + "=" + g.value(k) + " [" + g.type(k) + "]" : "<none>";
        String ws = k < w.size() ? w.name(k) + "=" + w.value(k) + " [" + w.type(k) + "]" : "<none>";
        if (!gs.equals(ws) && !knownCaseDifference(file, g, w, k)) {
          out.add(at + " field " + k + ": evtx " + gs + " json " + ws);
        }
      }
    }
  }

  private static boolean knownCaseDifference(String file, Event g, Event w, int k) {
    if (!file.endsWith(ODD_TWIN) || k >= g.size() || k >= w.size() || !g.name(k).equals(w.name(k))
        || g.type(k) != w.type(k)) {
      return false;
    }
    String gv = g.value(k);
    String wv = w.value(k);
    return switch (g.name(k)) {
      case "ParentCommandLine" -> gv.equalsIgnoreCase(wv);
      case "TimeCreated_SystemTime" -> wv.length() == gv.length() + 3 && wv.startsWith(gv.substring(0, gv.length() - 1));
      default -> false;
    };
  }

  private static void header(String at, String what, Object g, Object w, List<String> out) {
    if (!Objects.equals(g, w)) {
      out.add(at + " " + what + ": evtx " + g + " json " + w);
    }
  }
}
