package org.lovcen.ingest.evtx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Problem;

/**
 * Fuzz target for the EVTX reader. A plain test run replays the generated seeds in
 * {@code EvtxFuzzTestInputs/fuzzReader} and, when {@code ../shared} is present, a few regression
 * {@code .evtx} files with a truncated and a damaged variant (read from there, never copied into
 * the project); the {@code fuzz} profile mutates from all of them (docs/FUZZING.md). Anything but
 * the project's own exceptions escaping, or a hang, is a finding.
 */
class EvtxFuzzTest {
  @MethodSource("regressionFiles")
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

  /** Three regression files spread over the corpus, one truncated, one with fixed-up garbage. */
  static Stream<Arguments> regressionFiles() throws IOException {
    Path shared = Shared.dir();
    if (shared == null) {
      return Stream.empty();
    }
    List<Path> files = Shared.evtxFiles(shared);
    List<Arguments> out = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 3; i++) {
      Path file = files.get(i * files.size() / 3);
      byte[] b = Files.readAllBytes(file);
      out.add(seed(shared.relativize(file).toString(), b));
      if (i == 1) {
        out.add(seed("truncated " + file.getFileName(), Arrays.copyOf(b, Math.min(b.length, 4096 + 9000))));
      }
      if (i == 2) {
        byte[] damaged = b.clone();
        EvtxRobustnessTest.mutate(damaged, random);
        EvtxRobustnessTest.fixChecksums(damaged);
        out.add(seed("damaged " + file.getFileName(), damaged));
      }
    }
    return out.stream();
  }

  private static Arguments seed(String name, byte[] content) {
    return Arguments.of(Named.of(name, content));
  }
}
