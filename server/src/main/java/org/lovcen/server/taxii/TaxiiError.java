package org.lovcen.server.taxii;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answered as a TAXII 2.1 error message ({@code title}, {@code description},
 * {@code http_status}) with its HTTP status.
 */
final class TaxiiError extends RuntimeException {
  final int status;
  final String title;

  TaxiiError(int status, String title, String description) {
    super(description, null, false, false);
    this.status = status;
    this.title = title;
  }

  static TaxiiError badRequest(String description) {
    return new TaxiiError(400, "Bad request", description);
  }

  static TaxiiError unauthorized(String description) {
    return new TaxiiError(401, "Unauthorized", description);
  }

  static TaxiiError forbidden(String description) {
    return new TaxiiError(403, "Forbidden", description);
  }

  static TaxiiError notFound(String description) {
    return new TaxiiError(404, "Not found", description);
  }

  /** The error message resource. */
  Map<String, Object> body() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", title);
    m.put("description", getMessage());
    m.put("http_status", Integer.toString(status));
    return m;
  }
}
