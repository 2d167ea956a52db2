package org.lovcen.ingest.evtx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Problem;

/**
 * Fuzz target for the EVTX reader. A plain {@code mvn test} replays the seed corpus in
 * {@code EvtxFuzzTestInputs/fuzzReader} (made from regression files by {@link #main}); with
 * {@code JAZZER_FUZZ=1} Jazzer mutates from there. Anything but the project's own exceptions
 * escaping, or a hang, is a finding.
 */
class EvtxFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fuzzReader(byte[] input) throws Exception {
    Path f = Files.createTempFile("fuzz", ".evtx");
    try {
      Files.write(f, input);
      List<Problem> problems = new ArrayList<>();
      try {
        Shared.readAll(new EvtxEventSource(f, "fuzz.evtx", org.lovcen.ingest.ReadOptions.DEFAULT), problems);
      } catch (LovcenException expected) {
        // well-typed refusal, e.g. an unreadable file
      }
    } finally {
      Files.deleteIfExists(f);
    }
  }

  /** Writes the seed corpus: a few regression files, one truncated, one with fixed-up garbage. */
  public static void main(String[] args) throws Exception {
    Path shared = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    List<Path> files = Shared.evtxFiles(shared);
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 3; i++) {
      byte[] b = Files.readAllBytes(files.get(i * files.size() / 3));
      Files.write(out.resolve("seed-" + i + ".evtx"), b);
      if (i == 1) {
        Files.write(out.resolve("seed-truncated.evtx"), java.util.Arrays.copyOf(b, 4096 + 9000));
      }
      if (i == 2) {
        EvtxRobustnessTest.mutate(b, random);
        EvtxRobustnessTest.fixChecksums(b);
        Files.write(out.resolve("seed-garbage.evtx"), b);
      }
    }
  }
}
