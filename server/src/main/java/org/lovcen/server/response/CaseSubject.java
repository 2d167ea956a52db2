package org.lovcen.server.response;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lovcen.analysis.Evidence;
import org.lovcen.store.AlertQuery;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.CampaignStore;
import org.lovcen.store.CaseStore;
import org.lovcen.store.Database;
import org.lovcen.store.EventStore;
import org.lovcen.store.Scope;
import org.lovcen.store.StoredEvent;

/*
 * How and why: what a case is about decides what its actions act on. The indicators of a case are
 * the strong evidence (hashes, domains, public addresses, indicator matches) of its incident's
 * alerts or of its campaign's links, plus indicator values attached to it by hand; its hosts are
 * the incident's host or the campaign's hosts. Everything is read in the caller's scope, so an
 * institution's case never reaches another institution's hosts.
 */
/** The indicators and hosts a case is about. Thread-safe. */
public final class CaseSubject {
  /** Evidence kinds that are indicators (worth hunting, sharing or blocking). */
  static final Set<String> INDICATOR_KINDS = Set.of("hash", "domain", "address", "indicator");

  /** A host of an institution. */
  public record HostRef(String institution, String host) {}

  private final AlertStore alerts;
  private final EventStore events;
  private final CampaignStore campaigns;
  private final CaseStore cases;

  public CaseSubject(Database db) {
    this.alerts = new AlertStore(db);
    this.events = new EventStore(db);
    this.campaigns = new CampaignStore(db);
    this.cases = new CaseStore(db);
  }

  /** The indicators of an incident's alerts (at most 1000 alerts read). */
  public List<Evidence> ofIncident(Scope scope, long incident) {
    Set<Evidence> out = new LinkedHashSet<>();
    for (AlertRow a : alerts.list(scope, new AlertQuery(null, null, null, null, null, null, null, incident, null, 1000,
        null)).items()) {
      StoredEvent e = a.eventRef() == null || scope instanceof Scope.Partner ? null : events.get(scope, a.eventRef());
      for (Evidence x : CampaignTracker.sighting(new CampaignStore.Sighting(a, e == null ? null : e.fields()))
          .evidence()) {
        if (INDICATOR_KINDS.contains(x.kind())) {
          out.add(x);
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** The indicators of a campaign's links visible in scope. */
  @SuppressWarnings("unchecked")
  public List<Evidence> ofCampaign(Scope scope, long campaign) {
    Set<Evidence> out = new LinkedHashSet<>();
    List<CampaignStore.Link> links = campaigns.links(scope, campaign);
    for (CampaignStore.Link l : links == null ? List.<CampaignStore.Link>of() : links) {
      if (l.evidence() instanceof List<?> list) {
        for (Object o : list) {
          Map<String, Object> m = (Map<String, Object>) o;
          String kind = String.valueOf(m.get("kind"));
          if (INDICATOR_KINDS.contains(kind)) {
            out.add(new Evidence(kind, String.valueOf(m.get("value"))));
          }
        }
      }
    }
    return new ArrayList<>(out);
  }

  /** The indicators of a case: its subject's and those attached to it. */
  public List<Evidence> indicators(Scope scope, CaseStore.Case c) {
    Set<Evidence> out = new LinkedHashSet<>();
    if (c.incident() != null) {
      out.addAll(ofIncident(scope, c.incident()));
    }
    if (c.campaign() != null) {
      out.addAll(ofCampaign(scope, c.campaign()));
    }
    List<CaseStore.Evidence> attached = cases.evidence(scope, c.id());
    for (CaseStore.Evidence e : attached == null ? List.<CaseStore.Evidence>of() : attached) {
      if (e.kind().equals("indicator")) {
        out.add(new Evidence(kindOf(e.ref()), e.ref()));
      }
    }
    return new ArrayList<>(out);
  }

  /** The hosts of a case: its incident's host, its campaign's hosts visible in scope, hosts attached to it. */
  public List<HostRef> hosts(Scope scope, CaseStore.Case c, org.lovcen.store.IncidentRow incident) {
    Set<HostRef> out = new LinkedHashSet<>();
    if (incident != null) {
      out.add(new HostRef(incident.institution(), incident.host()));
    }
    if (c.campaign() != null) {
      List<CampaignStore.Host> hs = campaigns.hosts(scope, c.campaign());
      for (CampaignStore.Host h : hs == null ? List.<CampaignStore.Host>of() : hs) {
        out.add(new HostRef(h.institution(), h.host()));
      }
    }
    return new ArrayList<>(out);
  }

  /** The kind of a bare indicator value: a hash, an address or a domain. */
  static String kindOf(String v) {
    String s = v.trim();
    if (s.matches("(?i)[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}")) {
      return "hash";
    }
    if (s.matches("[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*") || s.contains("/")) {
      return "address";
    }
    return "domain";
  }
}
