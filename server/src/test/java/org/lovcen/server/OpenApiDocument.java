package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/*
 * How and why: the published document leaves response objects open (a new field is a compatible
 * change for clients), but the contract test must notice a field the code returns and the document
 * does not name. So responses are validated against a closed copy: every schema with "properties"
 * and no "additionalProperties" gets "additionalProperties": false. The copy is registered with
 * the JSON Schema validator under one IRI and schemas are addressed by JSON pointer into it, so
 * $refs to components resolve as in the document. Formats (date-time, uri) are asserted, not just
 * annotated.
 */
/** The served OpenAPI document, for tests: its operations, and responses checked against it. */
final class OpenApiDocument {
  static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final String IRI = "https://lovcen.org/test/openapi.json";

  /** The document as published. */
  final JsonNode doc;
  private final JsonNode closed;
  private final SchemaRegistry registry;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private OpenApiDocument(JsonNode doc) {
    this.doc = doc;
    this.closed = close(doc.deepCopy());
    this.registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(),
        b -> b.schemas(Map.of(IRI, closed.toString())));
  }

  /** The document of the server's class path (what GET /api/v1/openapi.json serves). */
  static OpenApiDocument load() {
    try (InputStream in = Api.class.getResourceAsStream("openapi.json")) {
      return of(TestServer.JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static OpenApiDocument of(JsonNode doc) {
    return new OpenApiDocument(doc);
  }

  /** Every documented operation as {@code "GET /api/v1/events"}, sorted. */
  TreeSet<String> operations() {
    TreeSet<String> out = new TreeSet<>();
    doc.path("paths").properties().forEach(p -> {
      for (String m : METHODS) {
        if (p.getValue().has(m)) {
          out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
        }
      }
    });
    return out;
  }

  /** The node a local {@code $ref} ("#/components/...") points at, or null. */
  JsonNode target(String ref) {
    if (!ref.startsWith("#")) {
      return null;
    }
    JsonNode n = doc.at(ref.substring(1));
    return n.isMissingNode() ? null : n;
  }

  /**
   * Checks one response of {@code METHOD template} against the document: its status must be
   * documented, its media type too, and a JSON body must validate against the schema. Returns
   * the problems found (empty when it conforms).
   */
  List<String> check(String method, String template, int status, String contentType, String body) {
    String where = method + " " + template + " -> " + status;
    String opPointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT);
    if (doc.at(opPointer).isMissingNode()) {
      return List.of(where + ": the operation is not documented");
    }
    String pointer = opPointer + "/responses/" + status;
    JsonNode response = doc.at(pointer);
    if (response.isMissingNode()) {
      return List.of(where + ": the status is not documented (body " + abbreviate(body) + ")");
    }
    if (response.has("$ref")) {
      pointer = response.get("$ref").asText().substring(1);
      response = doc.at(pointer);
    }
    JsonNode content = response.get("content");
    if (content == null) {
      return body == null || body.isEmpty() ? List.of() : List.of(where + ": documented without a body, got "
          + abbreviate(body));
    }
    String media = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!content.has(media)) {
      return List.of(where + ": media type '" + media + "' is not documented (" + names(content) + ")");
    }
    if (!media.endsWith("json")) {
      return List.of();
    }
    return validate(where, pointer + "/content/" + escape(media) + "/schema", body);
  }

  /** Validates a JSON text against the schema at a JSON pointer of the document. */
  List<String> validate(String where, String schemaPointer, String body) {
    JsonNode instance;
    try {
      instance = TestServer.JSON.readTree(body);
    } catch (IOException e) {
      return List.of(where + ": not JSON: " + abbreviate(body));
    }
    Schema schema = schemas.computeIfAbsent(schemaPointer, p -> registry.getSchema(SchemaLocation.of(IRI + "#"
        + p.replace("{", "%7B").replace("}", "%7D"))));
    List<String> out = new ArrayList<>();
    schema.validate(instance, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)))
        .forEach(e -> out.add(where + ": " + e));
    return out;
  }

  /** The JSON pointer of a component schema. */
  static String component(String name) {
    return "/components/schemas/" + name;
  }

  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private static String names(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return String.join(", ", out);
  }

  private static String abbreviate(String s) {
    return s == null ? "null" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  /** Closes every object schema that names its properties and says nothing about others. */
  private static JsonNode close(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.path("properties").isObject() && !o.has("additionalProperties")) {
        o.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext();) {
        close(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(OpenApiDocument::close);
    }
    return node;
  }
}
