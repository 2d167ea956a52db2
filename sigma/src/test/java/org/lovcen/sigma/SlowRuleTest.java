package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lovcen.sigma.Rules.event;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lovcen.core.Event;

/**
 * A rule whose regex backtracks exponentially on the values it meets does not stall detection:
 * each such value runs into the step budget, RE2 answers in linear time, the other rules are not
 * held back, and the pattern is reported with its count.
 */
class SlowRuleTest {
  private static final String SLOW = "(a|aa)+$";
  private static final String SLOW_ID = "00000000-0000-0000-0000-00000000510e";
  private static final String PLAIN_ID = "00000000-0000-0000-0000-0000000051a1";

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // a hang guard, not a measurement
  void catastrophicRegex_isAnsweredByRe2_andReported() {
    RuleSet set = Rules.compile("""
        title: slow
        id: 00000000-0000-0000-0000-00000000510e
        status: test
        logsource: {product: test}
        detection:
          sel:
            CommandLine|re: '%s'
          condition: sel
        ---
        title: plain
        id: 00000000-0000-0000-0000-0000000051a1
        status: test
        logsource: {product: test}
        detection:
          sel:
            Image|endswith: '\\\\cmd.exe'
          condition: sel
        """.formatted(SLOW), java.util.Map.of());
    long before = RegexFallbacks.snapshot().getOrDefault(SLOW, 0L);
    String hostile = "a".repeat(5_000) + "!"; // no match; backtracking tries every split of the a's
    int events = 200;
    int plain = 0;
    for (int i = 0; i < events; i++) {
      Event e = event("CommandLine", hostile, "Image", i % 2 == 0 ? "C:\\Windows\\cmd.exe" : "C:\\x.exe");
      var hits = Rules.matches(set, e);
      assertThat(hits).doesNotContain(SLOW_ID);
      if (hits.contains(PLAIN_ID)) {
        plain++;
      }
    }
    assertThat(plain).isEqualTo(events / 2);
    assertThat(Rules.matches(set, event("CommandLine", "aaaa", "Image", "x"))).containsExactly(SLOW_ID);
    assertThat(RegexFallbacks.snapshot().getOrDefault(SLOW, 0L) - before).isBetween((long) events / 2, (long) events);
  }
}
