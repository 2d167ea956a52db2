package org.lovcen.store;

import java.util.List;
import java.util.Objects;

/**
 * Sigma rule files uploaded through the API, national ({@code institution} null: they run on every
 * institution's events) or one institution's. Who sees which: the national CERT every upload; an
 * institution the national ones and its own; a partner none. Thread-safe.
 */
public final class RuleUploadStore {
  /** One uploaded file. */
  public record Upload(long id, String institution, String name, String yaml, long created, String createdBy) {}

  private static final String COLUMNS = "id, institution_id, name, yaml, created, created_by";

  private final Database db;

  public RuleUploadStore(Database db) {
    this.db = db;
  }

  /**
   * Stores an upload for {@code institution} (null: national) when the scope may own it: the
   * national CERT any, an institution its own; null otherwise.
   */
  public Upload add(Scope scope, String institution, String name, String yaml, String user, long now) {
    if (!mayOwn(scope, institution)) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("INSERT INTO rule_uploads (institution_id, name, yaml, created, "
        + "created_by) VALUES (:i, :n, :y, :c, :u) RETURNING " + COLUMNS).bind("i", institution).bind("n", name)
        .bind("y", yaml).bind("c", now).bind("u", user).map((r, c) -> new Upload(r.getLong(1), r.getString(2),
            r.getString(3), r.getString(4), r.getLong(5), r.getString(6))).one());
  }

  /** The uploads visible in scope, oldest first. */
  public List<Upload> list(Scope scope) {
    Where w = visible(scope);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM rule_uploads" + w.sql()
        + " ORDER BY id")).map((r, c) -> new Upload(r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
        r.getLong(5), r.getString(6))).list());
  }

  /** One upload visible in scope, or null. */
  public Upload get(Scope scope, long id) {
    return list(scope).stream().filter(u -> u.id() == id).findFirst().orElse(null);
  }

  /** Deletes an upload the scope may own (a national one: the national CERT only); false otherwise. */
  public boolean delete(Scope scope, long id) {
    Upload u = get(scope, id);
    if (u == null || !mayOwn(scope, u.institution())) {
      return false;
    }
    return db.jdbi().withHandle(h -> h.createUpdate("DELETE FROM rule_uploads WHERE id = :id").bind("id", id)
        .execute()) > 0;
  }

  /** Whether the scope may add or delete uploads of {@code institution} (null: national). */
  public static boolean mayOwn(Scope scope, String institution) {
    return switch (scope) {
      case Scope.National n -> true;
      case Scope.OfInstitution o -> Objects.equals(o.institution(), institution);
      case Scope.Partner p -> false;
    };
  }

  private static Where visible(Scope scope) {
    return switch (scope) {
      case Scope.National n -> new Where();
      case Scope.OfInstitution o -> new Where().and("institution_id IS NULL OR institution_id = ?", o.institution());
      case Scope.Partner p -> Where.scoped(p, "institution_id", null);
    };
  }
}
