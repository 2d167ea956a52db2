package org.lovcen.server;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/*
 * How and why: the web UI signs in with the same session tokens as every client, but keeps the
 * token in a cookie that scripts cannot read (HttpOnly; SameSite=Strict, so no other site's page
 * sends it; Secure when the request came over TLS, directly or through the reverse proxy). A
 * cookie is sent by the browser on its own, so a request that changes something must also prove
 * it comes from the UI's own page: it carries the CSRF token in a header, and only a page of this
 * origin can read the CSRF cookie to put it there (double submit). The CSRF token is a hash of
 * the session token, so the server keeps no extra state and a stolen CSRF token reveals nothing.
 */
/** The web UI's session cookie and its CSRF token. Stateless; thread-safe. */
final class UiSession {
  static final String COOKIE = "lovcen_session";
  static final String CSRF_COOKIE = "lovcen_csrf";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  private UiSession() {}

  /**
   * Sets the session and CSRF cookies for a new session token that expires at {@code expires}
   * (micros); returns the CSRF token.
   */
  static String open(Context ctx, String token, long expires) {
    long maxAge = Math.max(0, (expires - Api.now()) / 1_000_000);
    String csrf = csrf(token);
    String flags = "; Path=/; Max-Age=" + maxAge + "; SameSite=Strict" + (secure(ctx) ? "; Secure" : "");
    ctx.res().addHeader("Set-Cookie", COOKIE + "=" + token + flags + "; HttpOnly");
    ctx.res().addHeader("Set-Cookie", CSRF_COOKIE + "=" + csrf + flags);
    return csrf;
  }

  /** Clears both cookies (sign-out). */
  static void close(Context ctx) {
    if (ctx.cookie(COOKIE) != null) {
      String flags = "=; Path=/; Max-Age=0; SameSite=Strict" + (secure(ctx) ? "; Secure" : "");
      ctx.res().addHeader("Set-Cookie", COOKIE + flags + "; HttpOnly");
      ctx.res().addHeader("Set-Cookie", CSRF_COOKIE + flags);
    }
  }

  /**
   * The session token of the cookie, or null without one; 403 when the request changes something
   * and does not carry the matching CSRF header.
   */
  static String token(Context ctx) {
    String token = ctx.cookie(COOKIE);
    if (token == null || token.isBlank()) {
      return null;
    }
    if (!SAFE.contains(ctx.method().name())) {
      String sent = ctx.header(CSRF_HEADER);
      if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.US_ASCII),
          csrf(token).getBytes(StandardCharsets.US_ASCII))) {
        throw ApiError.forbidden("missing or wrong " + CSRF_HEADER + " header for a signed-in page");
      }
    }
    return token;
  }

  static String csrf(String token) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(("lovcen-csrf\0" + token).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean secure(Context ctx) {
    String proto = ctx.header("X-Forwarded-Proto");
    return "https".equalsIgnoreCase(ctx.scheme()) || (proto != null && proto.toLowerCase(Locale.ROOT).startsWith("https"));
  }
}
