package org.lovcen.ingest.evtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Event;

/** Rendering of each value type as evtx_dump renders it. */
class ValueTypeTest {
  private final char[] scratch = new char[1 << 15];

  private List<String> render(int type, int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    Text t = new Text();
    String problem = ValueType.render(b, 0, b.length, type, t, scratch);
    assertThat(problem).isNull();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < t.count(); i++) {
      out.add(t.value(i) + "/" + t.type(i));
    }
    return out;
  }

  @Test
  void integers() {
    assertThat(render(ValueType.INT8, 0xff)).containsExactly("-1/" + Event.NUMBER);
    assertThat(render(ValueType.UINT8, 0xff)).containsExactly("255/" + Event.NUMBER);
    assertThat(render(ValueType.INT16, 0xfe, 0xff)).containsExactly("-2/" + Event.NUMBER);
    assertThat(render(ValueType.UINT32, 0xff, 0xff, 0xff, 0xff)).containsExactly("4294967295/" + Event.NUMBER);
    assertThat(render(ValueType.UINT64, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
        .containsExactly("18446744073709551615/" + Event.NUMBER);
    assertThat(render(ValueType.SIZE_T, 1, 0, 0, 0)).containsExactly("1/" + Event.NUMBER);
  }

  @Test
  void hexIntegersAreLowerCaseUnpadded() {
    assertThat(render(ValueType.HEX_INT32, 0xe4, 0x4b, 0x10, 0)).containsExactly("0x104be4/" + Event.STRING);
    assertThat(render(ValueType.HEX_INT64, 0, 0, 0, 0, 0, 0, 0, 0x80))
        .containsExactly("0x8000000000000000/" + Event.STRING);
  }

  @Test
  void realsBoolsAndNull() {
    assertThat(ValueType.formatReal(1.0)).isEqualTo("1.0");
    assertThat(ValueType.formatReal(1.5)).isEqualTo("1.5");
    assertThat(ValueType.formatReal(1e20)).isEqualTo("1e20");
    assertThat(ValueType.formatReal(0.0001)).isEqualTo("0.0001");
    assertThat(ValueType.formatReal(1.25e-7)).isEqualTo("1.25e-7");
    assertThat(render(ValueType.BOOL, 1, 0, 0, 0)).containsExactly("true/" + Event.BOOLEAN);
    assertThat(render(ValueType.NULL)).isEmpty();
  }

  @Test
  void guidSidBinaryStrings() {
    assertThat(render(ValueType.GUID, 0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69,
        0x8f, 0xfb, 0xd9)).containsExactly("5770385F-C22A-43E0-BF4C-06F5698FFBD9/" + Event.STRING);
    assertThat(render(ValueType.SID, 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0)).containsExactly("S-1-5-18/" + Event.STRING);
    assertThat(render(ValueType.BINARY, 0xab, 0x01)).containsExactly("AB01/" + Event.STRING);
    assertThat(render(ValueType.STRING, ' ', 0, 'a', 0, ' ', 0, 0, 0)).containsExactly("a/" + Event.STRING);
    assertThat(render(ValueType.STRING | ValueType.ARRAY, 'a', 0, 0, 0, 'b', 0, 0, 0))
        .containsExactly("a/" + Event.STRING, "b/" + Event.STRING);
  }

  @Test
  void times() {
    // 2026-04-17T05:24:53.0920519Z as FILETIME ticks
    long ticks = (1776403493L + 11_644_473_600L) * 10_000_000L + 920519;
    assertThat(Iso.filetime(ticks)).isEqualTo("2026-04-17T05:24:53.092051Z");
    assertThat(Iso.filetime(0)).isEqualTo("1601-01-01T00:00:00.000000Z");
    assertThat(render(ValueType.SYSTEMTIME, 0xea, 0x07, 4, 0, 5, 0, 17, 0, 5, 0, 24, 0, 53, 0, 92, 0))
        .containsExactly("2026-04-17T05:24:53.092000Z/" + Event.STRING);
  }

  @Test
  void malformedSizesAreRefused() {
    Text t = new Text();
    assertThat(ValueType.render(new byte[3], 0, 3, ValueType.UINT32, t, scratch)).contains("size 3");
    assertThat(ValueType.render(new byte[3], 0, 3, ValueType.STRING, t, scratch)).contains("odd");
    assertThat(ValueType.render(new byte[4], 0, 4, 0x7f, t, scratch)).contains("unknown");
  }
}
