package org.lovcen.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;

/**
 * Seeded random damage to real event files (fixed seed; plain JUnit): whatever the bytes, the
 * reader ends, throws nothing, and every intact line is still read.
 */
class JsonRobustnessTest {
  @TempDir
  Path dir;

  @Test
  void mutatedJsonLines_neverThrow_andKeepIntactLines() throws IOException {
    String sample = sample();
    Random rnd = new Random(1125);
    for (int round = 0; round < 400; round++) {
      byte[] b = sample.getBytes(StandardCharsets.UTF_8);
      int flips = 1 + rnd.nextInt(20);
      for (int i = 0; i < flips; i++) {
        int at = rnd.nextInt(b.length);
        switch (rnd.nextInt(4)) {
          case 0 -> b[at] = (byte) rnd.nextInt(256);
          case 1 -> b[at] = (byte) "{}[]\",:\\\n".charAt(rnd.nextInt(9));
          case 2 -> b = java.util.Arrays.copyOf(b, at);
          default -> b[at] ^= (byte) (1 << rnd.nextInt(8));
        }
        if (b.length == 0) {
          break;
        }
      }
      Path f = dir.resolve("m" + round + ".jsonl");
      Files.write(f, b);
      List<Event> events = new ArrayList<>();
      List<Problem> problems = new ArrayList<>();
      for (EventSource.Split s : Readers.open(f, f.toString(), ReadOptions.DEFAULT).splits()) {
        s.read(new Event(), e -> events.add(e.copy()), problems::add);
      }
      String[] lines = new String(b, StandardCharsets.UTF_8).split("\n", -1);
      java.util.Set<String> whole = java.util.Set.of(sample.split("\n"));
      long intact = java.util.Arrays.stream(lines).filter(whole::contains).count();
      assertThat(events.size()).as("round %d: intact lines are read; problems %s in %s", round, problems,
          new String(b, StandardCharsets.UTF_8)).isGreaterThanOrEqualTo((int) intact);
      assertThat(events.size() + problems.size()).as("round %d: every line accounted for", round)
          .isGreaterThanOrEqualTo((int) java.util.Arrays.stream(lines).filter(l -> !l.isBlank()).count() - flips);
    }
  }

  private static String sample() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      b.append("{\"Event\":{\"System\":{\"EventID\":").append(i).append(",\"Channel\":\"Security\",\"Computer\":\"h")
          .append(i).append("\"},\"EventData\":{\"CommandLine\":\"cmd.exe /c echo \\\"").append(i)
          .append("\\\"\",\"List\":[1,2,{\"x\":null}]}}}\n");
    }
    return b.toString();
  }
}
