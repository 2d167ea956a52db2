package org.lovcen.intel;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.lovcen.core.LovcenException;

/**
 * Fuzz target for the STIX 2.1 pattern parser. A plain test run replays the seeds in
 * {@code StixPatternFuzzTestInputs/fuzzPattern}; the {@code fuzz} profile mutates from them
 * (docs/FUZZING.md). Any exception but the project's own, or a hang, is a finding.
 */
class StixPatternFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fuzzPattern(byte[] input) {
    try {
      Pattern p = Pattern.parse(new String(input, StandardCharsets.UTF_8));
      p.clauses();
    } catch (LovcenException expected) {
      // a well-typed refusal
    }
  }
}
