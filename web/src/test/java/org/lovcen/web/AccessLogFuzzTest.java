package org.lovcen.web;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target for the access-log parsers (common/combined, JSON, a named-field format). A plain
 * test run replays the seeds in {@code AccessLogFuzzTestInputs/fuzzLine}; {@code JAZZER_FUZZ=1}
 * mutates from them. A parser may refuse a line with a reason; any exception is a finding.
 */
class AccessLogFuzzTest {
  private static final AccessLogFormat TEMPLATE =
      AccessLogFormat.template("$remote_addr [$time_local] \"$request\" $status $http_user_agent");

  @FuzzTest(maxDuration = "60s")
  void fuzzLine(byte[] input) {
    for (AccessLogFormat f : new AccessLogFormat[] {AccessLogFormat.CLF, AccessLogFormat.JSON, AccessLogFormat.AUTO,
        TEMPLATE}) {
      AccessRecord r = new AccessRecord();
      r.clear();
      f.newParser().parse(input, 0, input.length, r);
    }
  }
}
