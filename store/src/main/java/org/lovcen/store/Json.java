package org.lovcen.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** JSON text columns: small lists and maps. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new StoreException("cannot encode " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  static List<String> strings(String json) {
    return read(json, new TypeReference<List<String>>() {});
  }

  static Map<String, String> stringMap(String json) {
    return read(json, new TypeReference<Map<String, String>>() {});
  }

  static Object any(String json) {
    return read(json, new TypeReference<Object>() {});
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new StoreException("corrupt JSON column: " + e.getOriginalMessage(), e);
    }
  }
}
