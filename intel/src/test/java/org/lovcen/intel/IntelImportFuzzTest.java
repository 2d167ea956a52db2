package org.lovcen.intel;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target for the indicator import: STIX 2.1 bundles, MISP events and feeds (JSON), plain
 * lists and CSV, told apart by content as {@code hunt --indicators} does, then compiled into an
 * indicator set. A plain test run replays the seeds in {@code IntelImportFuzzTestInputs/fuzzImport};
 * the {@code fuzz} profile mutates from them (docs/FUZZING.md). Any exception escaping (a damaged
 * file is reported as problems), or a hang, is a finding.
 */
class IntelImportFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fuzzImport(byte[] input) {
    Intel.Loaded l = Intel.read(input, "fuzz.json");
    IndicatorSet.compile(l.indicators()).matcher();
  }
}
