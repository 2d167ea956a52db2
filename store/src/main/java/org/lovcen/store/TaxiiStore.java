package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/*
 * How and why: the sharing rules are in the SQL of the one object query that every read endpoint
 * uses (objects, one object, versions, manifest), so no endpoint can forget them: an object is
 * served only when its effective marking (its own, or the collection's default when it has none)
 * is not TLP:RED and not above what the collection may carry, and, for a partner, only when the
 * partner may read the collection. Versions: "last" and "first" are taken over every stored
 * version of the object, before the sharing rule, so that an object whose newest version is
 * TLP:RED is not served as its older, less restricted version.
 *
 * date_added is assigned here, strictly increasing within a collection (the previous value plus
 * one microsecond when the clock has not moved on): paging by added_after or next is then exact.
 */
/** TAXII 2.1 collections, their access lists, objects and status resources. Thread-safe. */
public final class TaxiiStore {
  /** TLP rank of TLP:RED (the order of the intel module's Marking). */
  public static final int RED = 5;

  /**
   * A collection as one caller sees it.
   *
   * @param maxMarking highest TLP rank it may carry
   * @param defaultMarking the rank an object without a marking counts as
   * @param canRead whether the caller may read objects
   * @param canWrite whether the caller may add objects
   */
  public record Collection(String id, String title, String description, String alias, int maxMarking,
      int defaultMarking, boolean canRead, boolean canWrite, long created) {}

  /** One partner's rights on a collection. */
  public record Access(String partner, boolean read, boolean write) {}

  /** An object to add: its identity, version (micros and as written), TLP rank and JSON. */
  public record NewObject(String objectId, String type, String specVersion, long version, String versionText,
      int marking, String json) {}

  /** A stored object version; {@code json} is null when the query did not ask for it. */
  public record StoredObject(String objectId, String type, String specVersion, long version, String versionText,
      long dateAdded, int marking, String json) {}

  /**
   * An object query (TAXII filtering).
   *
   * @param addedAfter only versions added after this (micros), or null
   * @param ids exact object ids (any of), empty for all
   * @param types object types (any of), empty for all
   * @param versions any of {@code first}, {@code last}, {@code all} or a version in micros (as text)
   * @param specVersions any of these spec versions, empty for all
   * @param limit page size; one more row is read to know whether there are more
   */
  public record ObjectQuery(Long addedAfter, List<String> ids, List<String> types, List<String> versions,
      List<String> specVersions, int limit, boolean withObject) {}

  /** A page of objects in date_added order; {@code more} when the query has further results. */
  public record ObjectPage(List<StoredObject> items, boolean more) {}

  /** A stored status resource; {@code details} is its JSON (successes, failures, pendings). */
  public record Status(String id, String collection, String user, String status, long requestTs, int total,
      int success, int failure, int pending, String details) {}

  private static final String COLLECTION = "id, title, description, alias, max_marking, default_marking, created";
  private final Database db;

  public TaxiiStore(Database db) {
    this.db = db;
  }

  // ---- collections ----

  /** Creates a collection with its partners' rights. */
  public void createCollection(Collection c, List<Access> access) {
    db.jdbi().useTransaction(h -> {
      h.createUpdate("INSERT INTO taxii_collections (" + COLLECTION + ") VALUES (:id, :t, :d, :a, :max, :def, :c)")
          .bind("id", c.id()).bind("t", c.title()).bind("d", c.description() == null ? "" : c.description())
          .bind("a", c.alias()).bind("max", c.maxMarking()).bind("def", c.defaultMarking())
          .bind("c", c.created()).execute();
      setAccess(h, c.id(), access);
    });
  }

  /** Replaces a collection's title, description, alias, markings and (when not null) its access list. */
  public boolean updateCollection(Collection c, List<Access> access) {
    return db.jdbi().inTransaction(h -> {
      int n = h.createUpdate("UPDATE taxii_collections SET title = :t, description = :d, alias = :a, "
          + "max_marking = :max, default_marking = :def WHERE id = :id").bind("id", c.id()).bind("t", c.title())
          .bind("d", c.description() == null ? "" : c.description()).bind("a", c.alias())
          .bind("max", c.maxMarking()).bind("def", c.defaultMarking()).execute();
      if (n > 0 && access != null) {
        h.createUpdate("DELETE FROM taxii_access WHERE collection_id = :id").bind("id", c.id()).execute();
        setAccess(h, c.id(), access);
      }
      return n > 0;
    });
  }

  private static void setAccess(Handle h, String collection, List<Access> access) {
    for (Access a : access) {
      h.createUpdate("INSERT INTO taxii_access (collection_id, partner_id, can_read, can_write) VALUES "
          + "(:c, :p, :r, :w)").bind("c", collection).bind("p", a.partner()).bind("r", a.read() ? 1 : 0)
          .bind("w", a.write() ? 1 : 0).execute();
    }
  }

  /**
   * The collections the scope may see, with its rights: every one for the national scope (read
   * and write), those a partner may read or write for a partner, none for an institution.
   */
  public List<Collection> collections(Scope scope) {
    return switch (scope) {
      case Scope.National n -> db.jdbi().withHandle(h -> h.createQuery("SELECT " + COLLECTION + ", 1, 1 FROM "
          + "taxii_collections ORDER BY created, id").map(TaxiiStore::collectionRow).list());
      case Scope.Partner p -> db.jdbi().withHandle(h -> h.createQuery("SELECT c.id, c.title, c.description, "
          + "c.alias, c.max_marking, c.default_marking, c.created, a.can_read, a.can_write FROM taxii_collections c "
          + "JOIN taxii_access a ON a.collection_id = c.id WHERE a.partner_id = :p AND (a.can_read = 1 OR "
          + "a.can_write = 1) ORDER BY c.created, c.id").bind("p", p.partner()).map(TaxiiStore::collectionRow).list());
      case Scope.OfInstitution o -> List.of();
    };
  }

  /** One collection (by id or alias) as the scope sees it; empty when absent or invisible to it. */
  public Optional<Collection> collection(Scope scope, String idOrAlias) {
    return collections(scope).stream().filter(c -> c.id().equals(idOrAlias) || idOrAlias.equals(c.alias()))
        .findFirst();
  }

  /** The partners' rights on a collection (national scope only; empty otherwise). */
  public List<Access> access(Scope scope, String collection) {
    if (!(scope instanceof Scope.National)) {
      return List.of();
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT partner_id, can_read, can_write FROM taxii_access WHERE "
        + "collection_id = :c ORDER BY partner_id").bind("c", collection)
        .map((r, c) -> new Access(r.getString(1), r.getInt(2) != 0, r.getInt(3) != 0)).list());
  }

  // ---- objects ----

  /**
   * Adds object versions to a collection in one transaction. A version already stored (same id
   * and version) is left as it is and reported as such. Callers serialise adds to one collection.
   *
   * @return per object, in order: its date_added, or -1 when that version was already stored
   */
  public long[] addObjects(String collection, List<NewObject> objects, long nowMicros) {
    return db.jdbi().inTransaction(h -> {
      long last = h.createQuery("SELECT COALESCE(MAX(date_added), 0) FROM taxii_objects WHERE collection_id = :c")
          .bind("c", collection).mapTo(Long.class).one();
      long[] out = new long[objects.size()];
      for (int i = 0; i < objects.size(); i++) {
        NewObject o = objects.get(i);
        boolean known = h.createQuery("SELECT COUNT(*) FROM taxii_objects WHERE collection_id = :c AND object_id = :o "
            + "AND version = :v").bind("c", collection).bind("o", o.objectId()).bind("v", o.version())
            .mapTo(Long.class).one() > 0;
        if (known) {
          out[i] = -1;
          continue;
        }
        last = Math.max(nowMicros, last + 1);
        h.createUpdate("INSERT INTO taxii_objects (collection_id, object_id, type, spec_version, version, "
            + "version_text, date_added, marking, object) VALUES (:c, :o, :t, :s, :v, :vt, :d, :m, :j)")
            .bind("c", collection).bind("o", o.objectId()).bind("t", o.type()).bind("s", o.specVersion())
            .bind("v", o.version()).bind("vt", o.versionText()).bind("d", last).bind("m", o.marking())
            .bind("j", Dialect.text(o.json())).execute();
        out[i] = last;
      }
      return out;
    });
  }

  /**
   * A page of the object versions of a collection the scope may read, in date_added order, after
   * the sharing rules (see the opening comment). Empty when the scope may not read the collection.
   */
  public ObjectPage objects(Scope scope, String collection, ObjectQuery q) {
    Where w = new Where().and("o.collection_id = ?", collection);
    switch (scope) {
      case Scope.National n -> { }
      case Scope.Partner p -> w.and("EXISTS (SELECT 1 FROM taxii_access a WHERE a.collection_id = o.collection_id "
          + "AND a.partner_id = ? AND a.can_read = 1)", p.partner());
      case Scope.OfInstitution i -> w.and("1 = 0");
    }
    String effective = "(CASE WHEN o.marking = 0 THEN c.default_marking ELSE o.marking END)";
    w.and(effective + " <> " + RED + " AND " + effective + " <= c.max_marking");
    w.andIf(q.addedAfter(), "o.date_added > ?");
    in(w, "o.object_id", q.ids());
    in(w, "o.type", q.types());
    in(w, "o.spec_version", q.specVersions());
    versions(w, q.versions());
    String columns = "o.object_id, o.type, o.spec_version, o.version, o.version_text, o.date_added, o.marking, "
        + (q.withObject() ? "o.object" : "NULL");
    List<StoredObject> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + columns
        + " FROM taxii_objects o JOIN taxii_collections c ON c.id = o.collection_id" + w.sql()
        + " ORDER BY o.date_added LIMIT " + (q.limit() + 1))).map(TaxiiStore::object).list());
    boolean more = rows.size() > q.limit();
    return new ObjectPage(more ? List.copyOf(rows.subList(0, q.limit())) : rows, more);
  }

  private static void in(Where w, String column, List<String> values) {
    if (values == null || values.isEmpty()) {
      return;
    }
    w.and(column + " IN (" + "?, ".repeat(values.size() - 1) + "?)", values.toArray());
  }

  private static void versions(Where w, List<String> versions) {
    if (versions == null || versions.isEmpty() || versions.contains("all")) {
      return;
    }
    List<String> terms = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (String v : versions) {
      switch (v) {
        case "last" -> terms.add("NOT EXISTS (SELECT 1 FROM taxii_objects n WHERE n.collection_id = o.collection_id "
            + "AND n.object_id = o.object_id AND n.version > o.version)");
        case "first" -> terms.add("NOT EXISTS (SELECT 1 FROM taxii_objects n WHERE n.collection_id = o.collection_id "
            + "AND n.object_id = o.object_id AND n.version < o.version)");
        default -> {
          // an object without modified or created has its date_added as version
          terms.add("o.version = ? OR (o.version = 0 AND o.date_added = ?)");
          values.add(Long.parseLong(v));
          values.add(Long.parseLong(v));
        }
      }
    }
    w.and(String.join(" OR ", terms), values.toArray());
  }

  // ---- status ----

  public void saveStatus(Status s) {
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO taxii_status (id, collection_id, user_name, status, "
        + "request_ts, total, success, failure, pending, details) VALUES (:id, :c, :u, :s, :ts, :t, :ok, :f, :p, :d)")
        .bind("id", s.id()).bind("c", s.collection()).bind("u", s.user()).bind("s", s.status())
        .bind("ts", s.requestTs()).bind("t", s.total()).bind("ok", s.success()).bind("f", s.failure())
        .bind("p", s.pending()).bind("d", Dialect.text(s.details())).execute());
  }

  /** A status resource; the national scope sees all, others only those {@code user} created. */
  public Optional<Status> status(Scope scope, String user, String id) {
    Where w = new Where().and("id = ?", id);
    if (!(scope instanceof Scope.National)) {
      w.and("user_name = ?", user);
    }
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT id, collection_id, user_name, status, request_ts, "
        + "total, success, failure, pending, details FROM taxii_status" + w.sql()))
        .map((r, c) -> new Status(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
            r.getInt(6), r.getInt(7), r.getInt(8), r.getInt(9), r.getString(10))).findOne());
  }

  private static Collection collectionRow(ResultSet r, StatementContext c) throws SQLException {
    return new Collection(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5), r.getInt(6),
        r.getInt(8) != 0, r.getInt(9) != 0, r.getLong(7));
  }

  private static StoredObject object(ResultSet r, StatementContext c) throws SQLException {
    return new StoredObject(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getString(5),
        r.getLong(6), r.getInt(7), r.getString(8));
  }
}
