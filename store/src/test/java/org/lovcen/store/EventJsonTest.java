package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lovcen.core.Event;

/** The stored form of an event's field table: exact round trips, and the one documented loss of type. */
class EventJsonTest {
  /** One field of an event: name, value, type tag. */
  record F(String name, String value, byte type) {
    static F of(Event e, int i) {
      return new F(e.name(i), e.value(i), e.type(i));
    }
  }

  static Event event(F... fields) {
    Event e = new Event();
    for (F f : fields) {
      e.add(f.name(), f.value(), f.type());
    }
    return e;
  }

  static List<F> fields(Event e) {
    List<F> out = new ArrayList<>();
    for (int i = 0; i < e.size(); i++) {
      out.add(F.of(e, i));
    }
    return out;
  }

  static List<F> roundTrip(Event e) {
    Event back = new Event();
    EventJson.read(EventJson.write(e), back);
    return fields(back);
  }

  static F s(String name, String value) {
    return new F(name, value, Event.STRING);
  }

  static F n(String name, String value) {
    return new F(name, value, Event.NUMBER);
  }

  static F b(String name, boolean value) {
    return new F(name, Boolean.toString(value), Event.BOOLEAN);
  }

  static F nul(String name) {
    return new F(name, null, Event.NULL);
  }

  @Test
  void write_distinctNames_oneJsonObjectInFieldOrder() {
    Event e = event(s("Image", "C:\\x.exe"), n("EventID", "1"), b("Elevated", true), nul("Parent"));
    assertThat(EventJson.write(e)).isEqualTo("{\"Image\":\"C:\\\\x.exe\",\"EventID\":1,\"Elevated\":true,\"Parent\":null}");
  }

  @Test
  void roundTrip_keepsNamesOrderAndTypes() {
    F[] in = {s("z", "last letter"), s("a", "first"), n("EventID", "4624"), n("Ratio", "-1.50e-3"), b("t", true),
        b("f", false), nul("none"), s("empty", ""), s("", "empty name")};
    assertThat(roundTrip(event(in))).containsExactly(in);
  }

  @Test
  void roundTrip_repeatedName_becomesArrayAndComesBackInOrder() {
    Event e = event(s("ip", "10.0.0.1"), n("ip", "7"), nul("ip"), b("ip", false), s("other", "x"));
    assertThat(EventJson.write(e)).isEqualTo("{\"ip\":[\"10.0.0.1\",7,null,false],\"other\":\"x\"}");
    assertThat(roundTrip(e)).containsExactly(fields(e).toArray(F[]::new));
  }

  @Test
  void roundTrip_repeatedNameNotAdjacent_groupsValuesAtFirstOccurrence() {
    // Documented: a JSON object has one member per name, so the values of a name come back together
    // where the name first occurred. Matching treats repeated names as "any of" and never sees order.
    Event e = event(s("a", "1"), s("b", "2"), s("a", "3"), s("c", "4"), s("b", "5"));
    assertThat(roundTrip(e)).containsExactly(s("a", "1"), s("a", "3"), s("b", "2"), s("b", "5"), s("c", "4"));
  }

  @Test
  void roundTrip_unicodeAndControlCharacters() {
    F[] in = {s("Korisnik", "Đorđe Šćepanović"), s("Grad", "Цетиње"), s("emoji", "😀 𝄞"), s("rtl", "שלום"),
        s("ctl", "tab\tnl\ncr\r bell\u0007 nul\u0000 del\u007f"), s("sep", "\u2028\u2029"), s("名前", "値")};
    assertThat(roundTrip(event(in))).containsExactly(in);
  }

  @Test
  void roundTrip_backslashesAndQuotes() {
    F[] in = {s("Image", "C:\\Windows\\System32\\cmd.exe"), s("CommandLine", "cmd /c \"echo \\\"hi\\\"\" & dir \\\\srv\\c$"),
        s("trailing", "ends with \\"), s("only", "\\"), s("q", "\""), s("u", "\\u0041 is not A"),
        s("na\"me\\with", "odd name")};
    assertThat(roundTrip(event(in))).containsExactly(in);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "12", "-12", "1.5", "1.50", "1e3", "1E+3", "2.5e-7", "123456789012345678901234567890",
      "0.000000000000000000001"})
  void roundTrip_jsonNumber_staysNumberWithItsText(String number) {
    assertThat(roundTrip(event(n("x", number)))).containsExactly(n("x", number));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0x1F", "+1", "01", "1.", ".5", "NaN", "Infinity", "1,5", " 1", "", "12abc"})
  void roundTrip_numberThatIsNotJson_comesBackAsStringWithItsText(String number) {
    assertThat(roundTrip(event(n("x", number)))).containsExactly(s("x", number));
  }

  @ParameterizedTest
  @ValueSource(strings = {"True", "FALSE", "1", "yes", ""})
  void roundTrip_booleanThatIsNotJson_comesBackAsStringWithItsText(String value) {
    // Regression: Boolean.parseBoolean turned "1" and "yes" into false and "True" into true.
    assertThat(roundTrip(event(new F("x", value, Event.BOOLEAN)))).containsExactly(s("x", value));
  }

  @Test
  void read_appendsToTheEvent() {
    Event into = event(s("kept", "1"));
    EventJson.read("{\"a\":\"b\"}", into);
    assertThat(fields(into)).containsExactly(s("kept", "1"), s("a", "b"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1,2]", "\"text\"", "{\"a\":", "not json"})
  void read_notAnObject_throwsStoreException(String json) {
    assertThatThrownBy(() -> EventJson.read(json, new Event())).isInstanceOf(StoreException.class);
  }

  @Test
  void roundTrip_seededRandomFieldTables_exact() {
    Random rnd = new Random(9106);
    for (int round = 0; round < 5_000; round++) {
      List<F> in = new ArrayList<>();
      int size = rnd.nextInt(12);
      for (int i = 0; i < size; i++) {
        in.add(randomField(rnd));
      }
      Event e = event(in.toArray(F[]::new));
      assertThat(roundTrip(e)).as("round %d: %s", round, EventJson.write(e)).containsExactlyElementsOf(expected(in));
    }
  }

  /** What a field table reads back as: names grouped at first occurrence, non-JSON numbers and booleans as text. */
  private static List<F> expected(List<F> in) {
    Map<String, List<F>> byName = new LinkedHashMap<>();
    for (F f : in) {
      byte type = f.type();
      if (type == Event.NUMBER && !EventJson.isJsonNumber(f.value())
          || type == Event.BOOLEAN && !f.value().equals("true") && !f.value().equals("false")) {
        type = Event.STRING;
      }
      byName.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(new F(f.name(), f.value(), type));
    }
    return byName.values().stream().flatMap(List::stream).toList();
  }

  private static final String[] NAMES = {"Image", "CommandLine", "EventID", "a.b.c", "with space", "q\"uote",
      "back\\slash", "Ünïcödé", "", "ip"};
  private static final String[] NUMBERS = {"0", "-1", "42", "3.14", "1e10", "-2.5E-3", "18446744073709551615", "0x10",
      "1.", "+5"};

  private static F randomField(Random rnd) {
    String name = rnd.nextInt(4) == 0 ? randomText(rnd, 6) : NAMES[rnd.nextInt(NAMES.length)];
    return switch (rnd.nextInt(5)) {
      case 0 -> new F(name, NUMBERS[rnd.nextInt(NUMBERS.length)], Event.NUMBER);
      case 1 -> new F(name, rnd.nextInt(6) == 0 ? "True" : Boolean.toString(rnd.nextBoolean()), Event.BOOLEAN);
      case 2 -> new F(name, null, Event.NULL);
      default -> new F(name, randomText(rnd, 20), Event.STRING);
    };
  }

  private static final String SPECIAL = "\"\\/%_*'\t\n\u0000{}[]:,";

  /** Text from a mix of ASCII (with JSON's special characters), Latin and Cyrillic letters, and astral symbols. */
  static String randomText(Random rnd, int maxLength) {
    StringBuilder b = new StringBuilder();
    int n = rnd.nextInt(maxLength + 1);
    for (int i = 0; i < n; i++) {
      int cp = switch (rnd.nextInt(6)) {
        case 0 -> SPECIAL.charAt(rnd.nextInt(SPECIAL.length()));
        case 1 -> 0x20 + rnd.nextInt(0x5f);
        case 2 -> rnd.nextInt(0x20);
        case 3 -> 0xc0 + rnd.nextInt(0x180);
        case 4 -> 0x400 + rnd.nextInt(0x100);
        default -> 0x1f300 + rnd.nextInt(0x300);
      };
      b.appendCodePoint(cp);
    }
    return b.toString();
  }

  private static final java.util.regex.Pattern JSON_NUMBER =
      java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

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
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    String alphabet = "0123456789-+.eEx ";
    for (int n = 0; n < 200_000; n++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(8);
      for (int i = 0; i < len; i++) {
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String s = b.toString();
      assertThat(EventJson.isJsonNumber(s)).as(s).isEqualTo(JSON_NUMBER.matcher(s).matches());
    }
  }

  /** The hand-written string encoder (store writer's path) against Jackson's generator, on random text. */
  @Test
  void string_writesWhatJacksonWrites() throws java.io.IOException {
    com.fasterxml.jackson.core.JsonFactory f = new com.fasterxml.jackson.core.JsonFactory();
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
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
}
