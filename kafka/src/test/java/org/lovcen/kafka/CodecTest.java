package org.lovcen.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.EventRef;
import org.lovcen.core.Level;
import org.lovcen.sigma.CorrelationHit;
import org.junit.jupiter.api.Test;

class CodecTest {
  @Test
  void event_roundTripsHeaderFieldsAndTypes() {
    Event e = new Event();
    e.timestamp(1_661_140_800_123_456L);
    e.institution("mf");
    e.host("ws-01");
    e.channel("Security");
    e.provider("Microsoft-Windows-Security-Auditing");
    e.eventId(4625);
    e.source("mf/Security.jsonl");
    e.record(42);
    e.add("TargetUserName", "ana");
    e.add("LogonType", "3", Event.NUMBER);
    e.add("Elevated", "true", Event.BOOLEAN);
    e.add("Empty", null, Event.NULL);
    e.add("Multi", "a");
    e.add("Multi", "ћирилица ✓");
    Event back = new Event();
    back.institution("stale");
    EventCodec.decode(new EventCodec().encode(e), back);
    assertThat(back.toString()).isEqualTo(e.toString());
    assertThat(back.size()).isEqualTo(6);
    for (int i = 0; i < e.size(); i++) {
      assertThat(back.name(i)).isEqualTo(e.name(i));
      assertThat(back.value(i)).isEqualTo(e.value(i));
      assertThat(back.type(i)).isEqualTo(e.type(i));
    }
    assertThat(back.timestamp()).isEqualTo(e.timestamp());
    assertThat(back.institution()).isEqualTo("mf");
    assertThat(back.record()).isEqualTo(42);
    assertThat(EventCodec.key(e)).isEqualTo("mf/ws-01");
  }

  @Test
  void event_truncatedBytes_areRejected() {
    Event e = new Event();
    e.add("A", "value");
    byte[] b = new EventCodec().encode(e);
    assertThatThrownBy(() -> EventCodec.decode(java.util.Arrays.copyOf(b, b.length - 2), new Event()))
        .isInstanceOf(KafkaRunnerException.class).hasMessageContaining("truncated");
  }

  @Test
  void hit_roundTripsWithItsRulesFingerprint() {
    CorrelationHit h = new CorrelationHit(3, -5, "mf", null, new String[] {"a", null, ""}, "src", 7);
    HitCodec.Tagged t = HitCodec.decode(HitCodec.encode(new Codec.Writer(), -99L, h));
    assertThat(t.rules()).isEqualTo(-99L);
    assertThat(t.hit().input()).isEqualTo(3);
    assertThat(t.hit().timestamp()).isEqualTo(-5);
    assertThat(t.hit().values()).containsExactly("a", null, "");
    assertThat(t.hit().host()).isNull();
    assertThat(t.hit().record()).isEqualTo(7);
  }

  @Test
  void alert_roundTripsEveryField() {
    Alert a = new Alert("correlation", "id", "Title", Level.HIGH, "author", List.of("attack.t1110"), 10, "mf", null,
        null, -1, "s", 3, Map.of("correlation", "event_count"), Map.of("IpAddress", "10.0.0.1"), 20,
        List.of(new EventRef("s", 3, 10), new EventRef("s", 4, 20)));
    assertThat(AlertCodec.decode(AlertCodec.encode(a))).isEqualTo(a);
  }
}
