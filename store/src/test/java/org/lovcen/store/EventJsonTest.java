package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Event;

class EventJsonTest {
  private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  @Test
  void isJsonNumber_table() {
    for (String yes : List.of("0", "-0", "7", "4624", "-12", "1.5", "0.25", "1e9", "1E+9", "2.5e-3", "-0.0")) {
      assertThat(EventJson.isJsonNumber(yes)).as(yes).isTrue();
    }
    for (String no : List.of("", "-", "01", "1.", ".5", "1e", "1e+", "0x10", "+1", "1 ", " 1", "NaN", "1.2.3", "--1")) {
      assertThat(EventJson.isJsonNumber(no)).as(no).isFalse();
    }
    assertThat(EventJson.isJsonNumber(null)).isFalse();
  }

  /** The hand-written scanner (no regex on the store writer's path) against the grammar's regex. */
  @Test
  void isJsonNumber_agreesWithTheRegexOnRandomInput() {
    SplittableRandom r = new SplittableRandom(7);
    String alphabet = "0123456789-+.eEx ";
    for (int n = 0; n < 200_000; n++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(8);
      for (int i = 0; i < len; i++) {
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String s = b.toString();
      assertThat(EventJson.isJsonNumber(s)).as(s).isEqualTo(NUMBER.matcher(s).matches());
    }
  }

  /** The hand-written string encoder (store writer's path) against Jackson's generator, on random text. */
  @Test
  void string_writesWhatJacksonWrites() throws java.io.IOException {
    com.fasterxml.jackson.core.JsonFactory f = new com.fasterxml.jackson.core.JsonFactory();
    SplittableRandom r = new SplittableRandom(11);
    String alphabet = "ab\"\\/\n\r\t\b\f\u0000\u0001\u001f\u007f \u00e9\u2028\ud83d\ude00\u0441";
    for (int n = 0; n < 50_000; n++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(10);
      for (int i = 0; i < len; i++) {
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      java.io.StringWriter w = new java.io.StringWriter();
      try (com.fasterxml.jackson.core.JsonGenerator g = f.createGenerator(w)) {
        g.writeString(b.toString());
      }
      assertThat(EventJson.string(new StringBuilder(), b.toString()).toString()).isEqualTo(w.toString());
    }
  }

  @Test
  void writeThenRead_keepsNamesOrderRepeatsAndTypes() {
    Event e = new Event();
    e.add("EventID", "4624", Event.NUMBER);
    e.add("Image", "C:\\\\x.exe \"q\"", Event.STRING);
    e.add("Port", "0x10", Event.NUMBER);
    e.add("Image", "second", Event.STRING);
    e.add("Flag", "true", Event.BOOLEAN);
    e.add("Gone", null, Event.NULL);
    Event back = new Event();
    EventJson.read(EventJson.write(e), back);
    assertThat(back.size()).isEqualTo(6);
    assertThat(back.name(1)).isEqualTo("Image");
    assertThat(back.name(2)).isEqualTo("Image"); // a repeated name is one array, at its first place
    assertThat(back.value(2)).isEqualTo("second");
    assertThat(back.value(3)).isEqualTo("0x10");
    assertThat(back.type(3)).isEqualTo(Event.STRING); // not a JSON number: kept as text
    assertThat(EventJson.write(back)).isEqualTo(EventJson.write(e));
  }
}
