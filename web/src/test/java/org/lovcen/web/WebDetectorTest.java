package org.lovcen.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Alert;
import org.lovcen.core.Level;

/** The website detectors' bookkeeping of sources, request by request. */
class WebDetectorTest {
  private static final long T0 = 1_700_000_000_000_000L;
  private static final long MINUTE = 60_000_000L;
  private static final String READER = "198.51.100.7";
  private static final String ATTACKER = "203.0.113.9";
  private static final String RULE = "cf8c1a4b-2b6f-4e0a-9c41-5d7e0a3c9b11";

  private static Request request(long t, String ip, long line) {
    return new Request(t, "gov", ip, 200, 17, 23, Request.REFERER, 0, "test", line);
  }

  /**
   * Regression: a source that a Sigma match reported ({@code exploit}) without the detectors
   * having counted its request (a late request, or a runner reporting exploits on their own) was
   * created with a last-seen time of 0, so the next sweep dropped it however recently it had been
   * seen, and with it the memory that it had been alerted for the rule: its next attempt raised
   * the same alert again.
   */
  @Test
  void exploit_ofASourceSeenOnlyByItsExploits_survivesTheNextSweep_andAlertsOncePerRule() {
    List<Alert> alerts = new ArrayList<>();
    WebDetector d = new WebDetector(WebConfig.DEFAULT, null, alerts::add);
    long idle = WebConfig.DEFAULT.idleExpiry;
    d.accept(request(T0, READER, 1));
    d.exploit(request(T0 + MINUTE, ATTACKER, 2), RULE, "Exploit attempt", Level.HIGH, List.of());
    d.exploit(request(T0 + idle - 10 * MINUTE, ATTACKER, 3), RULE, "Exploit attempt", Level.HIGH, List.of());
    assertThat(d.stats().sources()).isEqualTo(2);

    d.accept(request(T0 + idle + MINUTE, READER, 4)); // the first sweep: both seen within the idle time
    assertThat(d.stats().sources()).as("sources after the sweep").isEqualTo(2);
    d.exploit(request(T0 + idle + 2 * MINUTE, ATTACKER, 5), RULE, "Exploit attempt", Level.HIGH, List.of());
    assertThat(alerts).filteredOn(a -> a.ruleId().equals(RULE)).as("one alert per source and rule").hasSize(1);
    assertThat(d.decisions()).filteredOn(x -> x.value().equals(ATTACKER)).hasSize(1);

    d.accept(request(T0 + 2 * idle, READER, 6)); // the attacker idle for longer than the idle time
    d.accept(request(T0 + 3 * idle, READER, 7));
    assertThat(d.stats().sources()).as("an idle source is still dropped").isEqualTo(1);
  }
}
