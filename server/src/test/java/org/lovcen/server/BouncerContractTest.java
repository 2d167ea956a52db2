package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lovcen.web.Decision;

/** Calls the decisions API on loopback as a CrowdSec stream bouncer does. */
class BouncerContractTest {
  private static final String KEY = "test-bouncer-key";
  private final MutableClock clock = new MutableClock();
  private DecisionsApi api;
  private int port;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() {
    api = new DecisionsApi(List.of(KEY), clock);
    port = api.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (key != null) {
      b.header("X-Api-Key", key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Decision ban(String scope, String value, long minutes) {
    return new Decision("ban", scope, value, 0, minutes * 60_000_000L, "distributed flood on gov", "distributed_flood",
        "gov");
  }

  @Test
  void stream_startupThenDeltasThenExpiry() throws Exception {
    api.update(DecisionsApi.fromNow(List.of(ban("ip", "203.0.113.7", 60), ban("range", "198.51.100.0/24", 240)),
        clock.millis()));
    clock.advance(1); // a change in the very millisecond of a pull comes again at the next pull
    JsonNode first = json.readTree(get("/v1/decisions/stream?startup=true", KEY).body());
    assertThat(first.get("new")).hasSize(2);
    assertThat(first.get("deleted").isNull()).isTrue();
    JsonNode d = first.get("new").get(0);
    assertThat(d.get("scope").asText()).isEqualTo("Ip");
    assertThat(d.get("type").asText()).isEqualTo("ban");
    assertThat(d.get("value").asText()).isEqualTo("203.0.113.7");
    assertThat(d.get("origin").asText()).isEqualTo("lovcen");
    assertThat(d.get("duration").asText()).isEqualTo("59m59.999s");
    assertThat(d.get("id").asLong()).isPositive();
    assertThat(d.get("scenario").asText()).startsWith("lovcen/distributed_flood");
    assertThat(first.get("new").get(1).get("scope").asText()).isEqualTo("Range");

    clock.advance(1_000);
    JsonNode none = json.readTree(get("/v1/decisions/stream", KEY).body());
    assertThat(none.get("new").isNull()).isTrue();
    assertThat(none.get("deleted").isNull()).isTrue();

    List<DecisionsApi.Served> more = new java.util.ArrayList<>(DecisionsApi.fromNow(
        List.of(ban("ip", "203.0.113.7", 60), ban("range", "198.51.100.0/24", 240)), clock.millis() - 1_000));
    clock.advance(1_000);
    more.add(new DecisionsApi.Served(3, ban("ip", "192.0.2.99", 10), clock.millis(), clock.millis() + 600_000));
    api.update(more);
    JsonNode delta = json.readTree(get("/v1/decisions/stream", KEY).body());
    assertThat(delta.get("new")).hasSize(1);
    assertThat(delta.get("new").get(0).get("value").asText()).isEqualTo("192.0.2.99");

    clock.advance(3_600_000);
    JsonNode expired = json.readTree(get("/v1/decisions/stream", KEY).body());
    assertThat(expired.get("new").isNull()).isTrue();
    assertThat(expired.get("deleted")).extracting(n -> n.get("value").asText())
        .containsExactlyInAnyOrder("203.0.113.7", "192.0.2.99");
  }

  @Test
  void decisions_byIpAndRange_nullWhenNone() throws Exception {
    api.update(DecisionsApi.fromNow(List.of(ban("range", "198.51.100.0/24", 240)), clock.millis()));
    JsonNode hit = json.readTree(get("/v1/decisions?ip=198.51.100.42", KEY).body());
    assertThat(hit).hasSize(1);
    assertThat(hit.get(0).get("value").asText()).isEqualTo("198.51.100.0/24");
    assertThat(get("/v1/decisions?ip=203.0.113.1", KEY).body()).isEqualTo("null");
  }

  @Test
  void missingOrWrongKey_isForbidden() throws Exception {
    assertThat(get("/v1/decisions", null).statusCode()).isEqualTo(403);
    HttpResponse<String> r = get("/v1/decisions/stream?startup=true", "wrong");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("access forbidden");
  }

  @Test
  void goDuration_formats() {
    assertThat(DecisionsApi.goDuration(3_599_500)).isEqualTo("59m59.5s");
    assertThat(DecisionsApi.goDuration(14_400_000)).isEqualTo("4h0m0s");
    assertThat(DecisionsApi.goDuration(1_200)).isEqualTo("1.2s");
  }

  private static final class MutableClock extends Clock {
    private long millis = Instant.parse("2016-10-16T09:00:00Z").toEpochMilli();

    void advance(long ms) {
      millis += ms;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
