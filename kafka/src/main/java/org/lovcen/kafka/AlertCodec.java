package org.lovcen.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lovcen.core.Alert;
import org.lovcen.web.Decision;
import org.lovcen.web.WebStream;

/**
 * The records of the alerts topic, as JSON, so that other consumers (a SIEM, a script) can read
 * the topic too: an {@link Alert} with the record's own field names, or a decision the website
 * detectors proposed or changed, {@code {"kind":"decision", ...}} (as {@code hunt --format jsonl}
 * writes decisions after the alerts). Thread-safe.
 */
public final class AlertCodec {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private AlertCodec() {}

  /** A record of the alerts topic. */
  public sealed interface Item permits AlertItem, DecisionItem {}

  /** An alert. */
  public record AlertItem(Alert alert) implements Item {}

  /** A website decision proposed or changed. */
  public record DecisionItem(WebStream.DecisionChange change) implements Item {}

  public static byte[] encode(Alert a) {
    try {
      return JSON.writeValueAsBytes(a);
    } catch (IOException e) {
      throw new KafkaRunnerException("cannot encode alert: " + e.getMessage(), e);
    }
  }

  /**
   * A decision change: {@code kind} {@code decision}, the institution and site (as logged), the
   * decision's fields (times in micros), {@code remaining_micros} (how long it lasts after the
   * newest log time) and {@code proposal} (new, not an extension).
   */
  public static byte[] encode(WebStream.DecisionChange c) {
    Decision d = c.decision();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", "decision");
    m.put("institution", c.institution());
    m.put("site", c.site());
    m.put("action", d.action());
    m.put("scope", d.scope());
    m.put("value", d.value());
    m.put("since", d.since());
    m.put("until", d.until());
    m.put("reason", d.reason());
    m.put("detector", d.detector());
    m.put("remaining_micros", c.remainingMicros());
    m.put("proposal", c.proposal());
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new KafkaRunnerException("cannot encode decision: " + e.getMessage(), e);
    }
  }

  /** @throws KafkaRunnerException when the bytes are not an alert */
  public static Alert decode(byte[] value) {
    try {
      return JSON.readValue(value, Alert.class);
    } catch (IOException e) {
      throw new KafkaRunnerException("malformed alert: " + e.getMessage(), e);
    }
  }

  /** @throws KafkaRunnerException when the bytes are neither an alert nor a decision */
  public static Item decodeItem(byte[] value) {
    try {
      JsonNode n = JSON.readTree(value);
      if (n == null || !n.isObject()) {
        throw new KafkaRunnerException("malformed record: not a JSON object");
      }
      if (!"decision".equals(n.path("kind").asText())) {
        return new AlertItem(JSON.treeToValue(n, Alert.class));
      }
      String site = n.path("site").asText(null);
      Decision d = new Decision(text(n, "action"), text(n, "scope"), text(n, "value"), n.path("since").asLong(),
          n.path("until").asLong(), n.path("reason").asText(null), text(n, "detector"), site);
      return new DecisionItem(new WebStream.DecisionChange(d, text(n, "institution"), site,
          n.path("remaining_micros").asLong(), n.path("proposal").asBoolean()));
    } catch (IOException e) {
      throw new KafkaRunnerException("malformed record: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new KafkaRunnerException("malformed decision: no " + field);
    }
    return v.asText();
  }
}
