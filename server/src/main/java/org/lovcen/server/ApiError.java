package org.lovcen.server;

/**
 * An error answered as an RFC 9457 problem document: status, a short type slug (the problem
 * type URI is {@code https://lovcen.org/problems/<slug>}), and a detail naming what was wrong.
 */
public class ApiError extends RuntimeException {
  final int status;
  final String slug;
  /** Every problem of an input with its location (a rule file's lines), or empty. */
  final java.util.List<String> problems;

  public ApiError(int status, String slug, String detail) {
    this(status, slug, detail, java.util.List.of());
  }

  public ApiError(int status, String slug, String detail, java.util.List<String> problems) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.problems = java.util.List.copyOf(problems);
  }

  static ApiError badRequest(String detail) {
    return new ApiError(400, "bad-request", detail);
  }

  static ApiError unauthorized(String detail) {
    return new ApiError(401, "unauthorized", detail);
  }

  static ApiError forbidden(String detail) {
    return new ApiError(403, "forbidden", detail);
  }

  static ApiError notFound(String what) {
    return new ApiError(404, "not-found", what + " not found");
  }

  /** Titles of the statuses the API answers. */
  static String title(int status) {
    return switch (status) {
      case 308 -> "Permanent redirect";
      case 400 -> "Bad request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 409 -> "Conflict";
      case 413 -> "Content too large";
      case 415 -> "Unsupported media type";
      case 422 -> "Unprocessable content";
      case 429 -> "Too many requests";
      case 503 -> "Service unavailable";
      default -> status >= 500 ? "Internal server error" : "Error";
    };
  }
}
