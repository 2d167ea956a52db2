package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/*
 * How and why: every change to a case, its tasks, comments and evidence is written together with
 * its audit row in one transaction, so the audit log cannot miss a change nor record one that did
 * not happen. Reads and writes take a scope like the other repositories: a case of an institution
 * is visible to the national CERT and to that institution; a case of the national CERT itself
 * (institution null: a campaign spans institutions) to the national CERT only; partners see no
 * case. A change outside the scope answers null, exactly like a case that does not exist.
 */
/** Cases, their tasks, comments, evidence and audit log. Thread-safe. */
public final class CaseStore {
  /** Case statuses; {@code closed} ends a case. */
  public static final List<String> STATUSES = List.of("open", "in_progress", "contained", "closed");
  /** Task statuses. */
  public static final List<String> TASK_STATUSES = List.of("open", "in_progress", "done", "skipped");
  private static final String COLUMNS = "id, title, description, status, level, institution_id, incident_id, "
      + "campaign_id, assignee, due, techniques, playbooks, created_by, created, updated";
  private static final String TASK_COLUMNS = "id, case_id, position, title, description, status, assignee, due, "
      + "playbook, action, params, result, created, updated";
  private static final String EVIDENCE_COLUMNS = "id, case_id, kind, ref, note, media_type, sha256, added_by, created";

  private final Database db;

  public CaseStore(Database db) {
    this.db = db;
  }

  /** A case. {@code institution} is null for the national CERT's own cases. */
  public record Case(long id, String title, String description, String status, String level, String institution,
      Long incident, Long campaign, String assignee, Long due, List<String> techniques, List<String> playbooks,
      String createdBy, long created, long updated) {}

  /** A task of a case; {@code action} (or null) names what running it does, {@code result} what it did. */
  public record Task(long id, long caseId, int position, String title, String description, String status,
      String assignee, Long due, String playbook, String action, Map<String, Object> params, Object result,
      long created, long updated) {}

  /** A task before it is stored. */
  public record NewTask(String title, String description, String playbook, String action, Map<String, Object> params,
      String assignee, Long due) {}

  public record Comment(long id, long caseId, String author, String text, long created) {}

  /** Evidence attached to a case (the content of a file is read with {@link #evidenceContent}). */
  public record Evidence(long id, long caseId, String kind, String ref, String note, String mediaType, String sha256,
      String addedBy, long created) {}

  /** One audit entry: who did what to which part of the case, with the values before and after. */
  public record Audit(long id, long caseId, String actor, long ts, String action, String target, Object before,
      Object after) {}

  // ---- cases ----

  private static Where scoped(Scope scope, String column) {
    Where w = new Where();
    switch (scope) {
      case Scope.National n -> { }
      case Scope.OfInstitution o -> w.and(column + " = ?", o.institution());
      case Scope.Partner p -> w.and("1 = 0");
    }
    return w;
  }

  /** Whether a case of {@code institution} (null: national) may be created in scope. */
  public static boolean mayOwn(Scope scope, String institution) {
    return switch (scope) {
      case Scope.National n -> true;
      case Scope.OfInstitution o -> o.institution().equals(institution);
      case Scope.Partner p -> false;
    };
  }

  /** Creates a case with its tasks and audit entries; null when the scope may not own it. */
  public Case create(Scope scope, Case c, List<NewTask> tasks, String actor, long now) {
    if (!mayOwn(scope, c.institution())) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      long id = h.createQuery("INSERT INTO cases (title, description, status, level, institution_id, incident_id, "
          + "campaign_id, assignee, due, techniques, playbooks, created_by, created, updated) VALUES (:t, :d, :s, :l, "
          + ":i, :inc, :camp, :a, :due, :tech, :pb, :by, :c, :c) RETURNING id").bind("t", Dialect.text(c.title()))
          .bind("d", Dialect.text(c.description())).bind("s", c.status()).bind("l", c.level()).bind("i", c.institution())
          .bind("inc", c.incident()).bind("camp", c.campaign()).bind("a", c.assignee()).bind("due", c.due())
          .bind("tech", Json.write(c.techniques())).bind("pb", Json.write(c.playbooks())).bind("by", actor)
          .bind("c", now).mapTo(Long.class).one();
      Case stored = get(h, id);
      audit(h, id, actor, now, "case.create", "case", null, caseJson(stored));
      int pos = 0;
      for (NewTask t : tasks) {
        insertTask(h, id, ++pos, t, actor, now);
      }
      return stored;
    });
  }

  public Case get(Scope scope, long id) {
    Where w = scoped(scope, "institution_id").and("id = ?", id);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM cases" + w.sql()))
        .map(CaseStore::caseRow).findOne().orElse(null));
  }

  private static Case get(Handle h, long id) {
    return h.createQuery("SELECT " + COLUMNS + " FROM cases WHERE id = :id").bind("id", id).map(CaseStore::caseRow)
        .one();
  }

  /** Cases visible in scope, most recently updated first, with optional filters. */
  public Page<Case> list(Scope scope, String institution, String status, Long campaign, Long incident, String assignee,
      int limit, String cursor) {
    Where w = scoped(scope, "institution_id").andIf(institution, "institution_id = ?").andIf(status, "status = ?")
        .andIf(campaign, "campaign_id = ?").andIf(incident, "incident_id = ?").andIf(assignee, "assignee = ?");
    long total = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*) FROM cases" + w.sql()))
        .mapTo(Long.class).one());
    Cursor.after(w, cursor, "updated", "id");
    List<Case> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM cases" + w.sql()
        + " ORDER BY updated DESC, id DESC LIMIT " + (limit + 1))).map(CaseStore::caseRow).list());
    return Pages.of(rows, limit, total, c -> new Cursor(c.updated(), c.id()));
  }

  /**
   * An open case and its tasks' progress: all tasks, done, skipped, and overdue (open or in progress
   * past their due time); {@code overdue} also holds when the case itself is past its due time.
   */
  public record Progress(Case c, int tasks, int done, int skipped, int overdueTasks, boolean overdue) {}

  /** How many cases are open (not closed) and how many of them are overdue (the case or a task). */
  public record OpenCount(long open, long overdue) {}

  /** Per case: its tasks, done, skipped and overdue, in SQL. */
  private static final String PROGRESS = " FROM cases c LEFT JOIN (SELECT case_id, COUNT(*) AS n, "
      + "SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done, "
      + "SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS skipped, "
      + "SUM(CASE WHEN status IN ('open', 'in_progress') AND due < :now THEN 1 ELSE 0 END) AS late "
      + "FROM case_tasks WHERE case_id IN (SELECT id FROM cases WHERE status <> 'closed') GROUP BY case_id) p "
      + "ON p.case_id = c.id";
  private static final String LATE = "(CASE WHEN c.due < :now OR COALESCE(p.late, 0) > 0 THEN 1 ELSE 0 END)";

  /**
   * The open cases in scope (of one institution when given) with their tasks' progress, the overdue
   * first, then the most recently updated; at most {@code limit}. Aggregated in SQL.
   */
  public List<Progress> openProgress(Scope scope, String institution, long now, int limit) {
    Where w = openCases(scope, institution);
    String columns = "c." + COLUMNS.replace(", ", ", c.");
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + columns + ", COALESCE(p.n, 0), "
        + "COALESCE(p.done, 0), COALESCE(p.skipped, 0), COALESCE(p.late, 0), " + LATE + PROGRESS + w.sql()
        + " ORDER BY " + LATE + " DESC, c.updated DESC, c.id DESC LIMIT " + Math.max(1, limit)).bind("now", now))
        .map((r, c) -> new Progress(caseRow(r, c), r.getInt(16), r.getInt(17), r.getInt(18), r.getInt(19),
            r.getInt(20) == 1)).list());
  }

  /** The open cases in scope (of one institution when given) and the overdue among them, counted in SQL. */
  public OpenCount openCount(Scope scope, String institution, long now) {
    Where w = openCases(scope, institution);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*), COALESCE(SUM(" + LATE + "), 0)"
        + PROGRESS + w.sql()).bind("now", now)).map((r, c) -> new OpenCount(r.getLong(1), r.getLong(2))).one());
  }

  private static Where openCases(Scope scope, String institution) {
    return scoped(scope, "c.institution_id").and("c.status <> 'closed'").andIf(institution, "c.institution_id = ?");
  }

  /** Cases (national view) of an incident or campaign, for reports. */
  public List<Case> of(Long incident, Long campaign) {
    Where w = new Where().andIf(incident, "incident_id = ?").andIf(campaign, "campaign_id = ?");
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM cases" + w.sql()
        + " ORDER BY id")).map(CaseStore::caseRow).list());
  }

  /**
   * Changes a case's fields (a null argument leaves the field; an empty assignee clears it, a due
   * of 0 clears it), one audit entry per field that changed; null when not visible.
   */
  public Case update(Scope scope, long id, String title, String status, String assignee, Long due, String actor,
      long now) {
    if (status != null && !STATUSES.contains(status)) {
      throw new IllegalArgumentException("unknown status '" + status + "' (" + String.join(", ", STATUSES) + ")");
    }
    if (get(scope, id) == null) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      Case old = get(h, id);
      field(h, id, "title", old.title(), title, actor, now);
      field(h, id, "status", old.status(), status, actor, now);
      field(h, id, "assignee", old.assignee(), assignee == null ? null : assignee.isEmpty() ? "" : assignee, actor, now);
      if (due != null) {
        field(h, id, "due", old.due(), due == 0 ? 0L : due, actor, now);
      }
      return get(h, id);
    });
  }

  private static void field(Handle h, long id, String column, Object before, Object after, String actor, long now) {
    if (after == null) {
      return;
    }
    Object value = after instanceof String s && s.isEmpty() ? null : after instanceof Long l && l == 0 ? null : after;
    if (Objects.equals(before, value)) {
      return;
    }
    h.createUpdate("UPDATE cases SET " + column + " = :v, updated = :u WHERE id = :id").bind("v", value)
        .bind("u", now).bind("id", id).execute();
    audit(h, id, actor, now, "case.update", column, before, value);
  }

  // ---- tasks ----

  public List<Task> tasks(Scope scope, long caseId) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT " + TASK_COLUMNS + " FROM case_tasks WHERE case_id = :c "
        + "ORDER BY position, id").bind("c", caseId).map(CaseStore::taskRow).list());
  }

  public Task task(Scope scope, long caseId, long taskId) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> task(h, caseId, taskId));
  }

  private static Task task(Handle h, long caseId, long taskId) {
    return h.createQuery("SELECT " + TASK_COLUMNS + " FROM case_tasks WHERE case_id = :c AND id = :t")
        .bind("c", caseId).bind("t", taskId).map(CaseStore::taskRow).findOne().orElse(null);
  }

  /** Adds a task at the end; null when the case is not visible. */
  public Task addTask(Scope scope, long caseId, NewTask t, String actor, long now) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      int pos = h.createQuery("SELECT COALESCE(MAX(position), 0) FROM case_tasks WHERE case_id = :c").bind("c", caseId)
          .mapTo(Integer.class).one();
      long id = insertTask(h, caseId, pos + 1, t, actor, now);
      touch(h, caseId, now);
      return task(h, caseId, id);
    });
  }

  private static long insertTask(Handle h, long caseId, int position, NewTask t, String actor, long now) {
    long id = h.createQuery("INSERT INTO case_tasks (case_id, position, title, description, status, assignee, due, "
        + "playbook, action, params, created, updated) VALUES (:c, :p, :t, :d, 'open', :a, :due, :pb, :act, :params, "
        + ":now, :now) RETURNING id").bind("c", caseId).bind("p", position).bind("t", Dialect.text(t.title()))
        .bind("d", Dialect.text(t.description() == null ? "" : t.description())).bind("a", t.assignee())
        .bind("due", t.due()).bind("pb", t.playbook()).bind("act", t.action())
        .bind("params", Json.write(t.params() == null ? Map.of() : t.params())).bind("now", now).mapTo(Long.class)
        .one();
    audit(h, caseId, actor, now, "task.create", "task " + id, null, taskJson(task(h, caseId, id)));
    return id;
  }

  /** Changes a task's status, assignee or due time (null leaves a field), audited; null when not visible. */
  public Task updateTask(Scope scope, long caseId, long taskId, String status, String assignee, Long due, String actor,
      long now) {
    if (status != null && !TASK_STATUSES.contains(status)) {
      throw new IllegalArgumentException("unknown task status '" + status + "' (" + String.join(", ", TASK_STATUSES)
          + ")");
    }
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      Task old = task(h, caseId, taskId);
      if (old == null) {
        return null;
      }
      taskField(h, old, "status", old.status(), status, actor, now);
      taskField(h, old, "assignee", old.assignee(), assignee, actor, now);
      if (due != null) {
        taskField(h, old, "due", old.due(), due, actor, now);
      }
      touch(h, caseId, now);
      return task(h, caseId, taskId);
    });
  }

  private static void taskField(Handle h, Task t, String column, Object before, Object after, String actor, long now) {
    if (after == null) {
      return;
    }
    Object value = after instanceof String s && s.isEmpty() ? null : after instanceof Long l && l == 0 ? null : after;
    if (Objects.equals(before, value)) {
      return;
    }
    h.createUpdate("UPDATE case_tasks SET " + column + " = :v, updated = :u WHERE id = :id").bind("v", value)
        .bind("u", now).bind("id", t.id()).execute();
    audit(h, t.caseId(), actor, now, "task.update", "task " + t.id() + " " + column, before, value);
  }

  /** Records what running a task's action did and marks the task done, audited; null when not visible. */
  public Task recordAction(Scope scope, long caseId, long taskId, Object result, String actor, long now) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      Task old = task(h, caseId, taskId);
      if (old == null) {
        return null;
      }
      h.createUpdate("UPDATE case_tasks SET result = :r, status = 'done', updated = :u WHERE id = :id")
          .bind("r", Json.write(result)).bind("u", now).bind("id", taskId).execute();
      audit(h, caseId, actor, now, "task.action", "task " + taskId + " " + old.action(), old.result(), result);
      if (!old.status().equals("done")) {
        audit(h, caseId, actor, now, "task.update", "task " + taskId + " status", old.status(), "done");
      }
      touch(h, caseId, now);
      return task(h, caseId, taskId);
    });
  }

  private static void touch(Handle h, long caseId, long now) {
    h.createUpdate("UPDATE cases SET updated = :u WHERE id = :id").bind("u", now).bind("id", caseId).execute();
  }

  // ---- comments, evidence, audit ----

  public Comment addComment(Scope scope, long caseId, String author, String text, long now) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      Comment c = h.createQuery("INSERT INTO case_comments (case_id, author, text, created) VALUES (:c, :a, :t, :n) "
          + "RETURNING id, case_id, author, text, created").bind("c", caseId).bind("a", author)
          .bind("t", Dialect.text(text)).bind("n", now).map((r, x) -> new Comment(r.getLong(1), r.getLong(2),
              r.getString(3), r.getString(4), r.getLong(5))).one();
      audit(h, caseId, author, now, "comment.add", "comment " + c.id(), null, text);
      touch(h, caseId, now);
      return c;
    });
  }

  public List<Comment> comments(Scope scope, long caseId) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, case_id, author, text, created FROM case_comments "
        + "WHERE case_id = :c ORDER BY id").bind("c", caseId).map((r, x) -> new Comment(r.getLong(1), r.getLong(2),
            r.getString(3), r.getString(4), r.getLong(5))).list());
  }

  /** Attaches evidence (file content base64 with its media type and SHA-256, or null for references); audited. */
  public Evidence addEvidence(Scope scope, long caseId, String kind, String ref, String note, String mediaType,
      String sha256, String contentBase64, String actor, long now) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      Evidence e = h.createQuery("INSERT INTO case_evidence (case_id, kind, ref, note, media_type, sha256, content, "
          + "added_by, created) VALUES (:c, :k, :r, :n, :m, :s, :content, :a, :t) RETURNING " + EVIDENCE_COLUMNS)
          .bind("c", caseId).bind("k", kind).bind("r", Dialect.text(ref)).bind("n", Dialect.text(note == null ? "" : note))
          .bind("m", mediaType).bind("s", sha256).bind("content", contentBase64).bind("a", actor).bind("t", now)
          .map(CaseStore::evidenceRow).one();
      Map<String, Object> after = new LinkedHashMap<>();
      after.put("kind", kind);
      after.put("ref", ref);
      if (sha256 != null) {
        after.put("sha256", sha256);
      }
      audit(h, caseId, actor, now, "evidence.add", "evidence " + e.id(), null, after);
      touch(h, caseId, now);
      return e;
    });
  }

  public List<Evidence> evidence(Scope scope, long caseId) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT " + EVIDENCE_COLUMNS + " FROM case_evidence WHERE "
        + "case_id = :c ORDER BY id").bind("c", caseId).map(CaseStore::evidenceRow).list());
  }

  /** The base64 content of a file attached to a visible case, or null. */
  public String evidenceContent(Scope scope, long caseId, long evidenceId) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT content FROM case_evidence WHERE case_id = :c AND id = :e")
        .bind("c", caseId).bind("e", evidenceId).mapTo(String.class).findOne().orElse(null));
  }

  /** The audit log of a visible case, oldest first; null when not visible. */
  public List<Audit> audit(Scope scope, long caseId) {
    if (get(scope, caseId) == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, case_id, actor, ts, action, target, before_value, "
        + "after_value FROM case_audit WHERE case_id = :c ORDER BY id").bind("c", caseId)
        .map((r, x) -> new Audit(r.getLong(1), r.getLong(2), r.getString(3), r.getLong(4), r.getString(5),
            r.getString(6), r.getString(7) == null ? null : Json.any(r.getString(7)),
            r.getString(8) == null ? null : Json.any(r.getString(8)))).list());
  }

  /** Writes an audit entry in the caller's transaction. */
  public static void audit(Handle h, long caseId, String actor, long ts, String action, String target, Object before,
      Object after) {
    h.createUpdate("INSERT INTO case_audit (case_id, actor, ts, action, target, before_value, after_value) VALUES "
        + "(:c, :a, :ts, :act, :t, :b, :af)").bind("c", caseId).bind("a", actor).bind("ts", ts).bind("act", action)
        .bind("t", target).bind("b", before == null ? null : Json.write(before))
        .bind("af", after == null ? null : Json.write(after)).execute();
  }

  /** Writes an audit entry of a visible case in its own transaction (actions that ran outside the store). */
  public boolean audit(Scope scope, long caseId, String actor, long ts, String action, String target, Object before,
      Object after) {
    if (get(scope, caseId) == null) {
      return false;
    }
    db.jdbi().useTransaction(h -> audit(h, caseId, actor, ts, action, target, before, after));
    return true;
  }

  // ---- rows ----

  private static Map<String, Object> caseJson(Case c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", c.title());
    m.put("status", c.status());
    m.put("institution", c.institution());
    m.put("incident", c.incident());
    m.put("campaign", c.campaign());
    m.put("playbooks", c.playbooks());
    return m;
  }

  private static Map<String, Object> taskJson(Task t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", t.title());
    m.put("status", t.status());
    m.put("playbook", t.playbook());
    m.put("action", t.action());
    return m;
  }

  private static Long nullableLong(ResultSet r, int i) throws SQLException {
    long v = r.getLong(i);
    return r.wasNull() ? null : v;
  }

  static Case caseRow(ResultSet r, StatementContext c) throws SQLException {
    return new Case(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
        nullableLong(r, 7), nullableLong(r, 8), r.getString(9), nullableLong(r, 10), Json.strings(r.getString(11)),
        Json.strings(r.getString(12)), r.getString(13), r.getLong(14), r.getLong(15));
  }

  @SuppressWarnings("unchecked")
  static Task taskRow(ResultSet r, StatementContext c) throws SQLException {
    String result = r.getString(12);
    return new Task(r.getLong(1), r.getLong(2), r.getInt(3), r.getString(4), r.getString(5), r.getString(6),
        r.getString(7), nullableLong(r, 8), r.getString(9), r.getString(10),
        (Map<String, Object>) Json.any(r.getString(11)), result == null ? null : Json.any(result), r.getLong(13),
        r.getLong(14));
  }

  static Evidence evidenceRow(ResultSet r, StatementContext c) throws SQLException {
    return new Evidence(r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
        r.getString(7), r.getString(8), r.getLong(9));
  }
}
