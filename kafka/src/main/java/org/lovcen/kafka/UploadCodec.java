package org.lovcen.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.lovcen.sigma.RuleUploads;

/**
 * A rule file uploaded through the server's API as a record of the uploads topic: key the upload's
 * id, value JSON {@code {"institution": id or null, "name": file name, "yaml": text}}. The owner
 * travels in the same record as the text, so a worker never runs an institution's rule for the
 * others, not even for the moment between two records. Thread-safe (stateless).
 */
final class UploadCodec {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private record Value(String institution, String name, String yaml) {}

  private UploadCodec() {}

  static String key(RuleUploads.File f) {
    return Long.toString(f.id());
  }

  static byte[] encode(RuleUploads.File f) {
    try {
      return JSON.writeValueAsBytes(new Value(f.institution(), f.name(), f.yaml()));
    } catch (IOException e) {
      throw new KafkaRunnerException("cannot encode upload " + f.id() + ": " + e.getMessage(), e);
    }
  }

  /** @throws KafkaRunnerException when the key is not an id or the value not an upload */
  static RuleUploads.File decode(String key, byte[] value) {
    long id;
    try {
      id = Long.parseLong(key);
    } catch (NumberFormatException e) {
      throw new KafkaRunnerException("upload key '" + key + "' is not an id");
    }
    Value v;
    try {
      v = JSON.readValue(value, Value.class);
    } catch (IOException e) {
      throw new KafkaRunnerException("malformed upload " + key + ": " + e.getMessage(), e);
    }
    if (v.name() == null || v.yaml() == null) {
      throw new KafkaRunnerException("malformed upload " + key + ": 'name' and 'yaml' are required");
    }
    return new RuleUploads.File(id, v.institution(), v.name(), v.yaml());
  }
}
