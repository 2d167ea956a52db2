package org.lovcen.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.SqlStatement;

/** A WHERE clause built from conditions and their bound values. Not thread-safe; one per query. */
final class Where {
  private final List<String> terms = new ArrayList<>();
  private final Map<String, Object> binds = new LinkedHashMap<>();
  private int n;

  /** Starts with the scope's condition on {@code institutionColumn} (and, for partners, shared incidents). */
  static Where scoped(Scope scope, String institutionColumn, String incidentColumn) {
    Where w = new Where();
    switch (scope) {
      case Scope.National n -> { }
      case Scope.OfInstitution o -> w.and(institutionColumn + " = ?", o.institution());
      case Scope.Partner p -> {
        if (incidentColumn == null) {
          w.terms.add("1 = 0");
        } else {
          w.and(incidentColumn + " IN (SELECT incident_id FROM shares WHERE partner_id = ?)", p.partner());
        }
      }
    }
    return w;
  }

  /** Adds a condition; each {@code ?} in it takes the next value. */
  Where and(String condition, Object... values) {
    StringBuilder b = new StringBuilder();
    int v = 0;
    for (int i = 0; i < condition.length(); i++) {
      char c = condition.charAt(i);
      if (c == '?') {
        String name = "w" + n++;
        binds.put(name, values[v++]);
        b.append(':').append(name);
      } else {
        b.append(c);
      }
    }
    terms.add("(" + b + ")");
    return this;
  }

  /** Adds a condition written with named parameters ({@code :p}), renamed to stay unique. */
  Where andNamed(String condition, Map<String, Object> params) {
    String c = condition;
    for (Map.Entry<String, Object> p : params.entrySet()) {
      String name = "w" + n++;
      binds.put(name, p.getValue());
      c = c.replaceAll(":" + p.getKey() + "\\b", ":" + name);
    }
    terms.add("(" + c + ")");
    return this;
  }

  /** Adds the condition when value is not null. */
  Where andIf(Object value, String condition) {
    return value == null ? this : and(condition, value);
  }

  String sql() {
    return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
  }

  <S extends SqlStatement<S>> S bind(S statement) {
    binds.forEach(statement::bind);
    return statement;
  }
}
