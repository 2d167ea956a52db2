package org.lovcen.store;

import java.util.List;
import java.util.Optional;

/**
 * Institutions, partners, users and tokens. Thread-safe.
 *
 * <p>Lists take a scope: an institution analyst sees its own institution and its users; a
 * partner sees none of them.
 */
public final class Directory {
  /** An institution. {@code syslogSources}: comma-separated addresses or CIDR ranges its syslog comes from. */
  public record Institution(String id, String name, int retentionDays, String syslogSources) {}

  public record Partner(String id, String name) {}

  public record User(long id, String name, Role role, String institution, String partner, boolean disabled) {
    public Scope scope() {
      return role.scope(institution, partner);
    }
  }

  /** What a presented token stands for. {@code user} for API and session tokens, {@code institution} for ingest. */
  public record TokenGrant(long id, String kind, User user, String institution, Long expires) {}

  /** A token's metadata (never the token). */
  public record TokenInfo(long id, String kind, String name, Long user, String institution, long created, Long expires,
      boolean revoked) {}

  private final Database db;

  public Directory(Database db) {
    this.db = db;
  }

  public Institution createInstitution(String id, String name, int retentionDays, String syslogSources) {
    if (!id.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
      throw new IllegalArgumentException("institution id '" + id + "' must be 1-64 of a-z, 0-9, '-', '_'");
    }
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO institutions (id, name, retention_days, syslog_sources, "
        + "created) VALUES (:id, :n, :r, :s, :c)").bind("id", id).bind("n", name).bind("r", retentionDays)
        .bind("s", syslogSources == null ? "" : syslogSources).bind("c", now()).execute());
    return new Institution(id, name, retentionDays, syslogSources == null ? "" : syslogSources);
  }

  /** Changes an institution's name, retention or syslog sources (null keeps a value); empty when unknown. */
  public Optional<Institution> updateInstitution(String id, String name, Integer retentionDays, String syslogSources) {
    Optional<Institution> old = institution(Scope.NATIONAL, id);
    if (old.isEmpty()) {
      return old;
    }
    Institution n = new Institution(id, name == null ? old.get().name() : name,
        retentionDays == null ? old.get().retentionDays() : retentionDays,
        syslogSources == null ? old.get().syslogSources() : syslogSources);
    if (n.retentionDays() < 1) {
      throw new IllegalArgumentException("retention_days must be at least 1");
    }
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE institutions SET name = :n, retention_days = :r, "
        + "syslog_sources = :s WHERE id = :id").bind("n", n.name()).bind("r", n.retentionDays())
        .bind("s", n.syslogSources()).bind("id", id).execute());
    return Optional.of(n);
  }

  public Optional<Institution> institution(Scope scope, String id) {
    return institutions(scope).stream().filter(i -> i.id().equals(id)).findFirst();
  }

  public List<Institution> institutions(Scope scope) {
    Where w = Where.scoped(scope, "id", null);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT id, name, retention_days, syslog_sources FROM "
        + "institutions" + w.sql() + " ORDER BY id"))
        .map((r, c) -> new Institution(r.getString(1), r.getString(2), r.getInt(3), r.getString(4))).list());
  }

  public Partner createPartner(String id, String name) {
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO partners (id, name, created) VALUES (:id, :n, :c)")
        .bind("id", id).bind("n", name).bind("c", now()).execute());
    return new Partner(id, name);
  }

  public List<Partner> partners() {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, name FROM partners ORDER BY id")
        .map((r, c) -> new Partner(r.getString(1), r.getString(2))).list());
  }

  /** Creates a user; the password is hashed here. Institution analysts need an institution, partners a partner. */
  public User createUser(String name, String password, Role role, String institution, String partner) {
    String weak = Passwords.weakness(password);
    if (weak != null) {
      throw new IllegalArgumentException(weak);
    }
    if (role == Role.INSTITUTION_ANALYST && institution == null) {
      throw new IllegalArgumentException("an institution analyst needs an institution");
    }
    if (role == Role.PARTNER && partner == null) {
      throw new IllegalArgumentException("a partner user needs a partner");
    }
    String inst = role == Role.INSTITUTION_ANALYST ? institution : null;
    String part = role == Role.PARTNER ? partner : null;
    String hash = Passwords.hash(password);
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO users (name, password_hash, role, institution_id, "
        + "partner_id, created) VALUES (:n, :h, :r, :i, :p, :c)").bind("n", name).bind("h", hash)
        .bind("r", role.id()).bind("i", inst).bind("p", part).bind("c", now()).execute());
    return user(name).orElseThrow();
  }

  public Optional<User> user(String name) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, name, role, institution_id, partner_id, disabled FROM "
        + "users WHERE name = :n").bind("n", name).map(Directory::user).findOne());
  }

  /** Users visible in scope: all for national, the institution's own otherwise, none for partners. */
  public List<User> users(Scope scope) {
    Where w = Where.scoped(scope, "institution_id", null);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT id, name, role, institution_id, partner_id, "
        + "disabled FROM users" + w.sql() + " ORDER BY name")).map(Directory::user).list());
  }

  /** The user when name and password match and the account is enabled. */
  public Optional<User> authenticate(String name, String password) {
    record Row(User user, String hash) {}
    Optional<Row> row = db.jdbi().withHandle(h -> h.createQuery("SELECT id, name, role, institution_id, partner_id, "
        + "disabled, password_hash FROM users WHERE name = :n").bind("n", name)
        .map((r, c) -> new Row(user(r, c), r.getString(7))).findOne());
    if (row.isEmpty()) {
      Passwords.verify(password, DUMMY); // same work whether or not the user exists
      return Optional.empty();
    }
    boolean ok = Passwords.verify(password, row.get().hash());
    return ok && !row.get().user().disabled() ? Optional.of(row.get().user()) : Optional.empty();
  }

  private static final String DUMMY = Passwords.hash("not-a-real-password-at-all");

  public void setDisabled(String name, boolean disabled) {
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE users SET disabled = :d WHERE name = :n")
        .bind("d", disabled ? 1 : 0).bind("n", name).execute());
  }

  /**
   * Issues a token and returns it; it is not stored and cannot be shown again. {@code kind}:
   * {@code ingest} (needs institution), {@code api} or {@code session} (need user), {@code bouncer}
   * (a decisions API key; with an institution, limited to its decisions), {@code metrics} (reads
   * the Prometheus metrics, nothing else).
   */
  public String issueToken(String kind, String name, Long userId, String institution, Long expiresMicros) {
    String token = Tokens.generate(kind);
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO tokens (token_hash, kind, name, user_id, institution_id, "
        + "created, expires) VALUES (:h, :k, :n, :u, :i, :c, :e)").bind("h", Tokens.hash(token)).bind("k", kind)
        .bind("n", name == null ? "" : name).bind("u", userId).bind("i", institution).bind("c", now())
        .bind("e", expiresMicros).execute());
    return token;
  }

  /** What a token grants, when it is known, not revoked, not expired and its user enabled. */
  public Optional<TokenGrant> resolveToken(String token, long nowMicros) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT t.id, t.kind, t.institution_id, t.expires, u.id, u.name, "
        + "u.role, u.institution_id, u.partner_id, u.disabled FROM tokens t LEFT JOIN users u ON u.id = t.user_id "
        + "WHERE t.token_hash = :h AND t.revoked = 0 AND (t.expires IS NULL OR t.expires > :now)")
        .bind("h", Tokens.hash(token)).bind("now", nowMicros).map((r, c) -> {
          long exp = r.getLong(4);
          Long expires = r.wasNull() ? null : exp;
          r.getLong(5);
          User u = r.wasNull() ? null : new User(r.getLong(5), r.getString(6), Role.of(r.getString(7)),
              r.getString(8), r.getString(9), r.getInt(10) != 0);
          return new TokenGrant(r.getLong(1), r.getString(2), u, r.getString(3), expires);
        }).findOne()).filter(g -> g.user() == null ? g.kind().equals("ingest") : !g.user().disabled());
  }

  /**
   * What a bouncer key grants (a token of kind {@code bouncer}: the decisions of its institution,
   * or of all when it has none), when it is known, not revoked and not expired. Bouncer keys
   * are never accepted by {@link #resolveToken}.
   */
  public Optional<TokenGrant> resolveBouncer(String key, long nowMicros) {
    return resolveKey(key, "bouncer", nowMicros);
  }

  /**
   * What a token of a kind without a user grants ({@code bouncer}: decisions; {@code metrics}:
   * the Prometheus metrics), when it is of that kind, known, not revoked and not expired. Such
   * tokens are never accepted by {@link #resolveToken}, nor one kind for another.
   */
  public Optional<TokenGrant> resolveKey(String key, String kind, long nowMicros) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, kind, institution_id, expires FROM tokens "
        + "WHERE token_hash = :h AND kind = :k AND user_id IS NULL AND revoked = 0 "
        + "AND (expires IS NULL OR expires > :now)")
        .bind("h", Tokens.hash(key)).bind("k", kind).bind("now", nowMicros).map((r, c) -> {
          long exp = r.getLong(4);
          return new TokenGrant(r.getLong(1), r.getString(2), null, r.getString(3), r.wasNull() ? null : exp);
        }).findOne());
  }

  public List<TokenInfo> tokens(Scope scope) {
    Where w = Where.scoped(scope, "institution_id", null);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT id, kind, name, user_id, institution_id, created, "
        + "expires, revoked FROM tokens" + w.sql() + " ORDER BY id")).map((r, c) -> {
          long u = r.getLong(4);
          Long user = r.wasNull() ? null : u;
          long e = r.getLong(7);
          Long exp = r.wasNull() ? null : e;
          return new TokenInfo(r.getLong(1), r.getString(2), r.getString(3), user, r.getString(5), r.getLong(6), exp,
              r.getInt(8) != 0);
        }).list());
  }

  /** Revokes a token by id (or a session by its value's hash owner); true when it existed. */
  public boolean revokeToken(long id) {
    return db.jdbi().withHandle(h -> h.createUpdate("UPDATE tokens SET revoked = 1 WHERE id = :id").bind("id", id)
        .execute()) > 0;
  }

  private static User user(java.sql.ResultSet r, org.jdbi.v3.core.statement.StatementContext c)
      throws java.sql.SQLException {
    return new User(r.getLong(1), r.getString(2), Role.of(r.getString(3)), r.getString(4), r.getString(5),
        r.getInt(6) != 0);
  }

  static long now() {
    return System.currentTimeMillis() * 1000;
  }
}
