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
import org.lovcen.store.CampaignStore;
import org.lovcen.store.CaseStore;
import org.lovcen.store.Database;
import org.lovcen.store.DecisionRow;
import org.lovcen.store.DecisionStore;
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
 * to a TAXII collection; containing marks the open incidents of the case's hosts "contained";
 * blocking stores ban decisions (origin "case") for the case's public addresses, one per address
 * and institution concerned (the incident's, the campaign's institutions the analyst sees, or the
 * case's own), which the bouncers then pull from /v1/decisions.
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
  private final DecisionStore decisions;
  private final CampaignStore campaigns;
  private final long decisionMicros;

  /**
   * @param decisionMicros how long a block lasts unless the run says ({@code duration_minutes})
   */
  public CaseActions(Database db, LiveIndicators live, String identity, long decisionMicros) {
    this.decisions = new DecisionStore(db);
    this.campaigns = new CampaignStore(db);
    this.decisionMicros = decisionMicros;
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
      case "block_sources" -> block(scope, user, c, incident, params);
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

  private Map<String, Object> block(Scope scope, String user, CaseStore.Case c, IncidentRow incident,
      Map<String, Object> params) {
    List<String> sources = new ArrayList<>();
    if (params.get("sources") instanceof List<?> given) {
      given.forEach(o -> sources.add(String.valueOf(o).trim()));
    } else {
      for (Evidence e : subject.indicators(scope, c)) {
        if (e.kind().equals("address")) {
          sources.add(e.value());
        }
      }
    }
    if (sources.isEmpty()) {
      throw new Refused(409, "the case has no public address to block; give 'sources'");
    }
    for (String v : sources) {
      try {
        org.lovcen.web.Cidr.parse(v);
      } catch (RuntimeException e) {
        throw new Refused(400, "'" + v + "' is not an IPv4 or IPv6 address or network");
      }
    }
    java.util.Set<String> institutions = new java.util.TreeSet<>();
    if (incident != null) {
      institutions.add(incident.institution());
    } else if (c.campaign() != null) {
      List<CampaignStore.Host> hosts = campaigns.hosts(scope, c.campaign());
      (hosts == null ? List.<CampaignStore.Host>of() : hosts).forEach(h -> institutions.add(h.institution()));
    } else if (c.institution() != null) {
      institutions.add(c.institution());
    }
    if (institutions.isEmpty()) {
      throw new Refused(409, "the case concerns no institution whose bouncers could block");
    }
    long minutes = params.get("duration_minutes") instanceof Number n ? Math.max(1, Math.min(n.longValue(),
        525_600)) : Math.max(1, decisionMicros / 60_000_000L);
    long now = System.currentTimeMillis() * 1000;
    String reason = "case #" + c.id() + ": " + c.title();
    List<Map<String, Object>> made = new ArrayList<>();
    for (String inst : institutions) {
      for (String v : sources) {
        DecisionRow d = decisions.create(scope, inst, v.contains("/") ? "range" : "ip", v, "ban", reason, "case", user,
            now + minutes * 60_000_000L, null, incident != null && incident.institution().equals(inst)
                ? incident.id() : null, now);
        if (d == null) {
          throw new Refused(403, "no access to institution '" + inst + "'");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("institution", inst);
        m.put("value", v);
        m.put("minutes", minutes);
        made.add(m);
      }
    }
    return Map.of("decisions", made);
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
