package org.lovcen.server.taxii;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.lovcen.store.Directory;
import org.lovcen.store.Role;

/*
 * How and why: TAXII clients authenticate with HTTP Basic (most feed tools) or a bearer token.
 * A password check costs an Argon2id hash (tens of milliseconds, by design), and a client paging
 * through a collection sends the same credentials with every request; so a successful check is
 * remembered for a few minutes under a salted hash of name and password (never the password), and
 * the user is read again on every request, so that a disabled account stops at once.
 */
/** Resolves a TAXII request's credentials into a user. Thread-safe. */
final class TaxiiAuth {
  private static final long REMEMBER_MILLIS = 5 * 60_000;
  private static final int REMEMBERED = 256;
  private final Directory directory;
  private final byte[] salt = new byte[16];
  private final Map<String, Long> remembered = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> e) {
      return size() > REMEMBERED;
    }
  };

  TaxiiAuth(Directory directory) {
    this.directory = directory;
    new SecureRandom().nextBytes(salt);
  }

  /** The caller; 401 without valid credentials, 403 for users without TAXII access. */
  Directory.User user(Context ctx) {
    String h = ctx.header("Authorization");
    Directory.User u;
    if (h != null && h.regionMatches(true, 0, "Basic ", 0, 6)) {
      u = basic(h.substring(6).trim());
    } else if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      u = directory.resolveToken(h.substring(7).trim(), System.currentTimeMillis() * 1000)
          .map(Directory.TokenGrant::user).orElse(null);
    } else {
      throw TaxiiError.unauthorized("send HTTP Basic credentials or 'Authorization: Bearer <token>'");
    }
    if (u == null) {
      throw TaxiiError.unauthorized("unknown user, wrong password, or an unknown, expired or revoked token");
    }
    if (u.role() == Role.INSTITUTION_ANALYST) {
      throw TaxiiError.forbidden("TAXII is for partner CERTs and the national CERT");
    }
    return u;
  }

  private Directory.User basic(String encoded) {
    String pair;
    try {
      pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = pair.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String name = pair.substring(0, colon);
    String key = key(pair);
    Long at;
    synchronized (remembered) {
      at = remembered.get(key);
    }
    if (at != null && System.currentTimeMillis() - at < REMEMBER_MILLIS) {
      Optional<Directory.User> u = directory.user(name);
      if (u.isPresent() && !u.get().disabled()) {
        return u.get();
      }
    }
    Optional<Directory.User> u = directory.authenticate(name, pair.substring(colon + 1));
    if (u.isPresent()) {
      synchronized (remembered) {
        remembered.put(key, System.currentTimeMillis());
      }
    }
    return u.orElse(null);
  }

  private String key(String pair) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(salt);
      return HexFormat.of().formatHex(d.digest(pair.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
