package org.lovcen.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One institution's rule switches and Sigma filters as the server publishes them on the settings
 * topic (key: the institution): JSON {@code {"disabled":[rule ids],"filters":{name: YAML}}}. Every
 * worker compiles them against its rules ({@code InstitutionRules}) and applies them to that
 * institution's matches, as the embedded detection does. Immutable.
 *
 * @param disabled ids of the rules the institution turned off
 * @param filters filter name to its YAML text
 */
public record InstitutionSettings(Set<String> disabled, Map<String, String> filters) {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public InstitutionSettings {
    disabled = Collections.unmodifiableSortedSet(new TreeSet<>(disabled == null ? Set.of() : disabled));
    filters = Collections.unmodifiableSortedMap(new TreeMap<>(filters == null ? Map.of() : filters));
  }

  /** True when the institution has neither switches nor filters. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isEmpty() {
    return disabled.isEmpty() && filters.isEmpty();
  }

  byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new KafkaRunnerException("cannot encode settings: " + e.getMessage(), e);
    }
  }

  /** @throws KafkaRunnerException when the bytes are not settings */
  static InstitutionSettings decode(byte[] value) {
    try {
      return JSON.readValue(value, InstitutionSettings.class);
    } catch (IOException e) {
      throw new KafkaRunnerException("malformed institution settings: " + e.getMessage(), e);
    }
  }
}
