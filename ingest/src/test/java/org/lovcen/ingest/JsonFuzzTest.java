package org.lovcen.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;
import org.lovcen.core.SharedData;

/**
 * Fuzz target for the JSON reader. A plain test run replays the seeds in
 * {@code JsonFuzzTestInputs/fuzzJson} and, when {@code ../shared} is present, the start of a few
 * regression events in evtx_dump JSON (read from there); the {@code fuzz} profile mutates from all
 * of them (docs/FUZZING.md). Any exception but the project's own, or a hang, is a finding.
 */
class JsonFuzzTest {
  @MethodSource("regressionEvents")
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

  /** Every 40th regression event's JSON, cut at 4 KiB (libFuzzer's default input size). */
  static Stream<Arguments> regressionEvents() throws IOException {
    Path dir = SharedData.resolve("sigma/regression");
    if (dir == null) {
      return Stream.empty();
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    Stream.Builder<Arguments> out = Stream.builder();
    for (int i = 0; i < files.size(); i += 40) {
      byte[] b = Files.readAllBytes(files.get(i));
      out.add(Arguments.of(Named.of(dir.relativize(files.get(i)).toString(), Arrays.copyOf(b, Math.min(b.length, 4096)))));
    }
    return out.build();
  }
}
