package org.lovcen.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.lovcen.core.Alert;

/**
 * An {@link Alert} on the alerts topic: JSON with the record's own field names, so that other
 * consumers (a SIEM, a script) can read the topic too. Thread-safe.
 */
public final class AlertCodec {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private AlertCodec() {}

  public static byte[] encode(Alert a) {
    try {
      return JSON.writeValueAsBytes(a);
    } catch (IOException e) {
      throw new KafkaRunnerException("cannot encode alert: " + e.getMessage(), e);
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
}
