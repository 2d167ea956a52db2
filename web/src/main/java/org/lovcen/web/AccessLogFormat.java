package org.lovcen.web;

/**
 * Which access-log syntax to read: {@link #AUTO} (per line: JSON when it starts with
 * <code>{</code>, else common/combined with optional vhost and timing extras), {@link #CLF},
 * {@link #JSON}, or a custom nginx-style {@link #template(String) log_format}. Immutable.
 */
public final class AccessLogFormat {
  /** JSON or common/combined, decided per line. */
  public static final AccessLogFormat AUTO = new AccessLogFormat("auto", null);
  /** Common/combined (nginx, Apache), with or without vhost and request time. */
  public static final AccessLogFormat CLF = new AccessLogFormat("clf", null);
  /** JSON lines: nginx json, Caddy, ECS. */
  public static final AccessLogFormat JSON = new AccessLogFormat("json", null);

  private final String name;
  private final TemplateParser template;

  private AccessLogFormat(String name, TemplateParser template) {
    this.name = name;
    this.template = template;
  }

  /**
   * A format with named fields in nginx {@code log_format} syntax ({@code $remote_addr},
   * {@code $time_local}, {@code $request}, ...; see docs/WEB.md for the names understood).
   *
   * @throws AccessLogException when the template names no variable
   */
  public static AccessLogFormat template(String logFormat) {
    return new AccessLogFormat("template", TemplateParser.compile(logFormat));
  }

  /** {@code auto}, {@code clf}, {@code json}, or else a template. */
  public static AccessLogFormat parse(String s) {
    return switch (s) {
      case "auto" -> AUTO;
      case "clf", "combined", "common", "nginx", "apache" -> CLF;
      case "json", "caddy", "ecs" -> JSON;
      default -> template(s);
    };
  }

  /** A new parser for one thread. */
  LineParser newParser() {
    if (template != null) {
      return template.copy();
    }
    return switch (name) {
      case "clf" -> new ClfParser();
      case "json" -> new JsonLineParser();
      default -> new AutoParser();
    };
  }

  @Override
  public String toString() {
    return name;
  }

  /** JSON when the line opens an object, else common/combined. */
  private static final class AutoParser implements LineParser {
    private final ClfParser clf = new ClfParser();
    private final JsonLineParser json = new JsonLineParser();

    @Override
    public String parse(byte[] buf, int off, int len, AccessRecord r) {
      int i = off;
      while (i < off + len && (buf[i] == ' ' || buf[i] == '\t')) {
        i++;
      }
      return i < off + len && buf[i] == '{' ? json.parse(buf, i, off + len - i, r) : clf.parse(buf, off, len, r);
    }
  }
}
