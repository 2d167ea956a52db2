package org.lovcen.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;

/**
 * Fuzz target for the JSON reader. A plain test run replays the seeds in
 * {@code JsonFuzzTestInputs/fuzzJson}; {@code JAZZER_FUZZ=1} mutates from them. Any exception
 * but the project's own, or a hang, is a finding.
 */
class JsonFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fuzzJson(byte[] input) throws Exception {
    Path f = Files.createTempFile("fuzz", ".json");
    try {
      Files.write(f, input);
      try {
        for (EventSource.Split s : Readers.open(f, "fuzz.json", ReadOptions.DEFAULT).splits()) {
          s.read(new Event(), e -> e.copy(), p -> {});
        }
      } catch (LovcenException expected) {
        // a well-typed refusal
      }
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
