package org.lovcen.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Event times: the shapes logs write them in, and the one shape Lovcen prints. */
class TimestampsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "2026-04-17T05:24:53.092051Z, 2026-04-17T05:24:53.092051Z",
      "2026-04-17 05:24:53.079, 2026-04-17T05:24:53.079000Z",
      "2026-04-17T05:24:53Z, 2026-04-17T05:24:53.000000Z",
      "2026-04-17T05:24:53.1234567Z, 2026-04-17T05:24:53.123456Z",
      "2026-04-17T07:24:53+02:00, 2026-04-17T05:24:53.000000Z",
      "1776403493, 2026-04-17T05:24:53.000000Z",
      "1776403493079, 2026-04-17T05:24:53.079000Z"})
  void parse_acceptsLogShapes(String text, String expected) {
    assertThat(Timestamps.format(Timestamps.parse(text))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"not a time", "2026-13-01T00:00:00Z", "2026-04-17T25:00:00Z", "''"})
  void parse_rejectsNonTimes(String text) {
    assertThat(Timestamps.parse(text)).isEqualTo(Event.NO_TIME);
  }

  @Test
  void fastPath_agreesWithJavaTime_onSeededRandomInstants() {
    Random rnd = new Random(20261125);
    for (int i = 0; i < 10_000; i++) {
      long micros = (rnd.nextLong() % 4_000_000_000_000_000L);
      Instant in = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
      String iso = Timestamps.format(micros);
      assertThat(Timestamps.parse(iso)).as(iso).isEqualTo(micros);
      assertThat(Instant.parse(iso)).isEqualTo(in);
    }
  }

  @Test
  void filetime_isMicrosSince1970() {
    assertThat(Timestamps.format(Timestamps.fromFiletime(116444736000000000L))).isEqualTo("1970-01-01T00:00:00.000000Z");
    assertThat(Timestamps.format(Timestamps.fromFiletime(134208770930920513L))).isEqualTo("2026-04-17T05:24:53.092051Z");
  }

  @Test
  void unknownTime_printsDash() {
    assertThat(Timestamps.format(Event.NO_TIME)).isEqualTo("-");
  }
}
