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
import org.lovcen.sigma.RuleUploads;
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
  void upload_roundTripsWithItsInstitution_andMalformedRecordsAreRejectedWithTheReason() {
    RuleUploads.File mine = new RuleUploads.File(3, "mf", "ћирилица.yml", "title: x\n");
    RuleUploads.File national = new RuleUploads.File(4, null, "all.yml", "title: y\n");
    assertThat(UploadCodec.decode(UploadCodec.key(mine), UploadCodec.encode(mine))).isEqualTo(mine);
    assertThat(UploadCodec.decode(UploadCodec.key(national), UploadCodec.encode(national))).isEqualTo(national);
    assertThatThrownBy(() -> UploadCodec.decode("lovcen/x.yml", UploadCodec.encode(mine)))
        .isInstanceOf(KafkaRunnerException.class).hasMessageContaining("'lovcen/x.yml' is not an id");
    assertThatThrownBy(() -> UploadCodec.decode("3", "{\"name\":\"x.yml\"}".getBytes()))
        .isInstanceOf(KafkaRunnerException.class).hasMessageContaining("'yaml' are required");
    assertThatThrownBy(() -> UploadCodec.decode("3", "title: x".getBytes()))
        .isInstanceOf(KafkaRunnerException.class).hasMessageStartingWith("malformed upload 3");
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

  @Test
  void request_roundTripsWithItsExploits_andTheDrainMarkerIsNoRequest() {
    org.lovcen.web.Request r = new org.lovcen.web.Request(1_476_608_400_000_000L, "gov", "2001:db8::7", 404, -17,
        0, org.lovcen.web.Request.STATIC | org.lovcen.web.Request.QUERY, -1, "event", 123_456_789L);
    List<org.lovcen.web.WebStream.Exploit> exploits = List.of(new org.lovcen.web.WebStream.Exploit("rule-1",
        "Path traversal", Level.HIGH, List.of("attack.t1190")));
    RequestCodec.Item back = RequestCodec.decode(RequestCodec.encode(new Codec.Writer(), "mf", "gov", r, exploits));
    assertThat(back).isEqualTo(new RequestCodec.Item("mf", "gov", r, exploits));
    assertThat(RequestCodec.isDrain(RequestCodec.drain())).isTrue();
    assertThat(RequestCodec.isDrain(RequestCodec.encode(new Codec.Writer(), "mf", "gov", r, List.of()))).isFalse();
    assertThatThrownBy(() -> RequestCodec.decode(RequestCodec.drain())).isInstanceOf(KafkaRunnerException.class);
  }

  @Test
  void decision_roundTripsBesideAlertsOnTheAlertsTopic() {
    org.lovcen.web.WebStream.DecisionChange c = new org.lovcen.web.WebStream.DecisionChange(
        new org.lovcen.web.Decision("ban", "range", "103.41.0.0/24", 10, 20, "distributed flood on gov", "distributed_flood",
            "gov"), "mf", "gov", 7, true);
    assertThat(AlertCodec.decodeItem(AlertCodec.encode(c))).isEqualTo(new AlertCodec.DecisionItem(c));
    Alert a = new Alert("web", "scan", "Scanning", Level.MEDIUM, "Lovcen", List.of(), 10, "mf", "gov", null, -1,
        "event", 3, Map.of("reason", "x"), Map.of("sites", "gov"), 20, List.of());
    assertThat(AlertCodec.decodeItem(AlertCodec.encode(a))).isEqualTo(new AlertCodec.AlertItem(a));
    assertThatThrownBy(() -> AlertCodec.decodeItem("{\"kind\":\"decision\"}".getBytes()))
        .isInstanceOf(KafkaRunnerException.class).hasMessageContaining("no action");
    assertThatThrownBy(() -> AlertCodec.decodeItem("[1]".getBytes())).isInstanceOf(KafkaRunnerException.class);
  }
}
