package org.lovcen.intel;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.lovcen.core.LovcenException;

/**
 * Fuzz targets for the STIX pattern parser and the STIX / MISP / list import. A plain test run
 * replays the seeds in {@code IntelFuzzTestInputs/<method>}; {@code JAZZER_FUZZ=1} mutates from
 * them. Any exception but the project's own, or a hang, is a finding.
 */
class IntelFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fuzzPattern(byte[] input) {
    try {
      Pattern p = Pattern.parse(new String(input, StandardCharsets.UTF_8));
      p.clauses();
    } catch (LovcenException expected) {
      // a well-typed refusal
    }
  }

  @FuzzTest(maxDuration = "60s")
  void fuzzImport(byte[] input) {
    Intel.Loaded l = Intel.read(input, "fuzz.json");
    IndicatorSet.compile(l.indicators()).matcher();
  }
}
