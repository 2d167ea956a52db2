package org.lovcen.server.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.analysis.Evidence;
import org.lovcen.intel.Intel;
import org.lovcen.intel.Marking;
import org.lovcen.server.intel.IncidentExport;
import org.lovcen.server.intel.LiveIndicators;
import org.lovcen.server.taxii.TaxiiCollections;
import org.lovcen.store.CaseStore;
import org.lovcen.store.Database;
import org.lovcen.store.IncidentQuery;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Scope;
import org.lovcen.store.TaxiiStore;

/*
 * How and why: an action runs with the rights of the analyst who runs it: the hosts it contains
 * and the indicators it reads are those the analyst's scope sees, and sharing with partners and
 * changing the live indicators are the national CERT's (an institution analyst gets a refusal).
 * Its result is a small JSON document stored on the task and in the audit log. Retro-hunting
 * adds the case's indicators to the live set as source "case-<id>" (TLP:AMBER), which starts a
 * retro-hunt over the stored events of every institution; sharing adds them, as STIX indicators,
 * to a TAXII collection; containing marks the open incidents of the case's hosts "contained".
 */
/** Runs the actions of case tasks. Thread-safe. */
public final class CaseActions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An action that cannot run (why, for the analyst); {@code status} is the HTTP status to answer. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int status;

    public Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final LiveIndicators live;
  private final TaxiiStore taxii;
  private final TaxiiCollections collections;
  private final IncidentStore incidents;
  private final CaseSubject subject;
  private final String identity;

  public CaseActions(Database db, LiveIndicators live, String identity) {
    this.live = live;
    this.taxii = new TaxiiStore(db);
    this.collections = new TaxiiCollections(db, live);
    this.incidents = new IncidentStore(db);
    this.subject = new CaseSubject(db);
    this.identity = identity;
  }

  /**
   * Runs {@code action} for the case; {@code params} are the task's parameters overridden by the
   * request's. Returns the result to store.
   */
  public Map<String, Object> run(String action, Scope scope, boolean national, String user, CaseStore.Case c,
      IncidentRow incident, Map<String, Object> params) {
    return switch (action) {
      case "contain_host" -> contain(scope, c, incident, params);
      case "retro_hunt" -> retroHunt(scope, national, c);
      case "share_indicators" -> share(scope, national, user, c, params);
      case "block_sources" -> throw new Refused(409, "decisions are not kept by this server: block the sources "
          + "on the bouncers with 'lovcen decisions' and mark the task done");
      default -> throw new Refused(400, "unknown action '" + action + "'");
    };
  }

  private Map<String, Object> contain(Scope scope, CaseStore.Case c, IncidentRow incident, Map<String, Object> params) {
    List<CaseSubject.HostRef> targets = new ArrayList<>();
    if (params.get("hosts") instanceof List<?> given) {
      for (Object o : given) {
        if (o instanceof Map<?, ?> m && m.get("institution") != null && m.get("host") != null) {
          targets.add(new CaseSubject.HostRef(m.get("institution").toString(), m.get("host").toString()));
        }
      }
    } else {
      targets.addAll(subject.hosts(scope, c, incident));
    }
    if (targets.isEmpty()) {
      throw new Refused(400, "no host to contain: the case has no incident or campaign; give 'hosts'");
    }
    long now = System.currentTimeMillis() * 1000;
    List<Map<String, Object>> done = new ArrayList<>();
    for (CaseSubject.HostRef t : targets) {
      if (!scope.sees(t.institution())) {
        throw new Refused(403, "no access to institution '" + t.institution() + "'");
      }
      List<Long> ids = new ArrayList<>();
      for (IncidentRow r : incidents.list(scope, new IncidentQuery(null, null, t.institution(), t.host(), null, true,
          null, null, 1000, null)).items()) {
        incidents.update(scope, r.id(), "contained", null, now);
        ids.add(r.id());
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("institution", t.institution());
      m.put("host", t.host());
      m.put("incidents", ids);
      done.add(m);
    }
    return Map.of("contained", done);
  }

  private List<Evidence> indicators(Scope scope, CaseStore.Case c) {
    List<Evidence> out = subject.indicators(scope, c);
    if (out.isEmpty()) {
      throw new Refused(409, "the case has no indicators (hashes, domains, public addresses) to act on");
    }
    return out;
  }

  private static byte[] list(List<Evidence> indicators) {
    StringBuilder b = new StringBuilder();
    for (Evidence e : indicators) {
      if (!e.kind().equals("indicator")) {
        b.append(e.value()).append('\n');
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private Map<String, Object> retroHunt(Scope scope, boolean national, CaseStore.Case c) {
    if (!national) {
      throw new Refused(403, "retro-hunts over every institution are the national CERT's");
    }
    Intel.Loaded loaded = Intel.read(list(indicators(scope, c)), "case-" + c.id() + ".txt");
    LiveIndicators.Added added = live.add(loaded.indicators(), "case", "case-" + c.id(), Marking.AMBER);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("indicators", loaded.indicators().size());
    m.put("changed", added.changed());
    m.put("live", added.live());
    m.put("source", "case-" + c.id());
    return m;
  }

  private Map<String, Object> share(Scope scope, boolean national, String user, CaseStore.Case c,
      Map<String, Object> params) {
    if (!national) {
      throw new Refused(403, "sharing with partner CERTs is the national CERT's");
    }
    Object collection = params.get("collection");
    if (collection == null) {
      throw new Refused(400, "give the TAXII collection to share into: {\"collection\": \"<id or alias>\"}");
    }
    TaxiiStore.Collection target = taxii.collection(scope, collection.toString())
        .orElseThrow(() -> new Refused(404, "no such collection '" + collection + "'"));
    Intel.Loaded loaded = Intel.read(list(indicators(scope, c)), "case-" + c.id() + ".txt");
    try {
      String bundle = IncidentExport.write(new IncidentExport.Sighted(loaded.indicators(), Map.of()), "stix",
          identity);
      JsonNode objects = JSON.readTree(bundle).path("objects");
      Map<String, Object> added = collections.add(target, objects, user, null);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("collection", target.id());
      m.put("indicators", loaded.indicators().size());
      m.put("status", added);
      return m;
    } catch (IOException e) {
      throw new Refused(500, "cannot write the indicators: " + e.getMessage());
    }
  }
}
