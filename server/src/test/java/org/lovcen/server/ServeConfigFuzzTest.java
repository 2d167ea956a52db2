package org.lovcen.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.lovcen.core.LovcenException;

/**
 * Fuzz target for the server's configuration file (YAML over the defaults, then the environment).
 * A plain test run replays the seeds in {@code ServeConfigFuzzTestInputs/fuzzConfig}; the
 * {@code fuzz} profile mutates from them (docs/FUZZING.md). A bad file must be a
 * {@link LovcenException} naming the problem; anything else escaping, or a hang, is a finding.
 */
class ServeConfigFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fuzzConfig(byte[] input) {
    ServeConfig c;
    try {
      c = ServeConfig.parse(new String(input, StandardCharsets.UTF_8), "fuzz.yml", Map.of());
    } catch (LovcenException refused) {
      if (refused.getMessage() == null || !refused.getMessage().startsWith("fuzz.yml")) {
        throw new IllegalStateException("a refusal that does not name the file: " + refused.getMessage(), refused);
      }
      return;
    }
    c.databaseUrl();
  }
}
