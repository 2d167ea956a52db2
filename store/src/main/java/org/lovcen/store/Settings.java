package org.lovcen.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The server's small state tables: per-institution rule switches and filters, idempotency
 * records of ingest requests, and loop cursors. Thread-safe.
 */
public final class Settings {
  /** A Sigma filter (YAML) an institution applies to its alerts. */
  public record Filter(long id, String institution, String name, String yaml) {}

  /** What an earlier request with the same idempotency key was answered. */
  public record Receipt(int accepted, int rejected, long firstEvent) {}

  private final Database db;

  public Settings(Database db) {
    this.db = db;
  }

  /** Enables or disables a rule for an institution visible in scope; false when not visible. */
  public boolean setRuleEnabled(Scope scope, String institution, String ruleId, boolean enabled) {
    if (!scope.sees(institution)) {
      return false;
    }
    db.jdbi().useTransaction(h -> {
      h.createUpdate("DELETE FROM rule_settings WHERE institution_id = :i AND rule_id = :r").bind("i", institution)
          .bind("r", ruleId).execute();
      h.createUpdate("INSERT INTO rule_settings (institution_id, rule_id, enabled, updated) VALUES (:i, :r, :e, :u)")
          .bind("i", institution).bind("r", ruleId).bind("e", enabled ? 1 : 0).bind("u", Directory.now()).execute();
    });
    return true;
  }

  /** Rules switched off, per institution (all institutions: the detector's view). */
  public Map<String, Set<String>> disabledRules() {
    Map<String, Set<String>> out = new HashMap<>();
    db.jdbi().useHandle(h -> h.createQuery("SELECT institution_id, rule_id FROM rule_settings WHERE enabled = 0")
        .map((r, c) -> Map.entry(r.getString(1), r.getString(2)))
        .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(e.getValue())));
    return out;
  }

  /** Disabled rule ids of one institution visible in scope. */
  public Set<String> disabledRules(Scope scope, String institution) {
    return scope.sees(institution) ? disabledRules().getOrDefault(institution, Set.of()) : Set.of();
  }

  public Filter addFilter(Scope scope, String institution, String name, String yaml) {
    if (!scope.sees(institution)) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("INSERT INTO filters (institution_id, name, yaml, created) "
        + "VALUES (:i, :n, :y, :c) RETURNING id, institution_id, name, yaml").bind("i", institution).bind("n", name)
        .bind("y", yaml).bind("c", Directory.now())
        .map((r, c) -> new Filter(r.getLong(1), r.getString(2), r.getString(3), r.getString(4))).one());
  }

  public List<Filter> filters(Scope scope) {
    Where w = Where.scoped(scope, "institution_id", null);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT id, institution_id, name, yaml FROM filters"
        + w.sql() + " ORDER BY id")).map((r, c) -> new Filter(r.getLong(1), r.getString(2), r.getString(3),
        r.getString(4))).list());
  }

  public boolean deleteFilter(Scope scope, long id) {
    Where w = Where.scoped(scope, "institution_id", null).and("id = ?", id);
    return db.jdbi().withHandle(h -> w.bind(h.createUpdate("DELETE FROM filters" + w.sql())).execute()) > 0;
  }

  /** The receipt of an earlier request with this key, or null. */
  public Receipt receipt(String institution, String key) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT accepted, rejected, first_event FROM ingest_batches WHERE "
        + "institution_id = :i AND idem_key = :k").bind("i", institution).bind("k", key)
        .map((r, c) -> new Receipt(r.getInt(1), r.getInt(2), r.getLong(3))).findOne().orElse(null));
  }

  /** The receipt of an earlier request with this key, read in the caller's transaction, or null. */
  public Receipt receipt(Handle h, String institution, String key) {
    return h.createQuery("SELECT accepted, rejected, first_event FROM ingest_batches WHERE "
        + "institution_id = :i AND idem_key = :k").bind("i", institution).bind("k", key)
        .map((r, c) -> new Receipt(r.getInt(1), r.getInt(2), r.getLong(3))).findOne().orElse(null);
  }

  /** Records a receipt in the caller's transaction; false when the key was already used. */
  public boolean recordReceipt(Handle h, String institution, String key, Receipt r) {
    return h.createUpdate("INSERT INTO ingest_batches (institution_id, idem_key, accepted, rejected, first_event, "
        + "created) VALUES (:i, :k, :a, :r, :f, :c) ON CONFLICT (institution_id, idem_key) DO NOTHING")
        .bind("i", institution).bind("k", key).bind("a", r.accepted()).bind("r", r.rejected())
        .bind("f", r.firstEvent()).bind("c", Directory.now()).execute() > 0;
  }

  public long cursor(String name) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT value FROM cursors WHERE name = :n").bind("n", name)
        .mapTo(Long.class).findOne().orElse(0L));
  }

  /** Sets a cursor in the caller's transaction. */
  public void setCursor(Handle h, String name, long value) {
    h.createUpdate("DELETE FROM cursors WHERE name = :n").bind("n", name).execute();
    h.createUpdate("INSERT INTO cursors (name, value) VALUES (:n, :v)").bind("n", name).bind("v", value).execute();
  }
}
