package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;

/** Turns a rule match into an {@link Alert} that outlives the reused event. Thread-safe. */
public final class SigmaAlerts {
  private SigmaAlerts() {}

  /** Fields shown for every match when the event has them, after the rule's own fields. */
  private static final List<String> CONTEXT = List.of("Image", "CommandLine", "ParentImage", "User",
      "TargetFilename", "TargetObject", "TargetUserName", "IpAddress", "ServiceName", "QueryName", "DestinationIp",
      "ScriptBlockText");
  private static final int MAX_FIELDS = 8;

  /** What is derived once per rule. */
  public record RuleInfo(SigmaRule rule, List<String> keyFields) {
    public static RuleInfo of(SigmaRule rule) {
      Set<String> fields = new LinkedHashSet<>(rule.fields());
      for (SigmaRule.SearchIdentifier si : rule.detection().identifiers().values()) {
        for (List<SigmaRule.DetectionItem> g : si.groups()) {
          for (SigmaRule.DetectionItem i : g) {
            if (i.field() != null && !i.field().equals("EventID") && !i.field().equals("Provider_Name")) {
              fields.add(i.field());
            }
          }
        }
      }
      fields.addAll(CONTEXT);
      return new RuleInfo(rule, new ArrayList<>(fields));
    }
  }

  /** The alert of one rule match on {@code e}: the rule's identity and up to eight key fields of the event. */
  public static Alert sigma(RuleInfo info, Event e) {
    SigmaRule r = info.rule();
    Map<String, String> fields = new LinkedHashMap<>();
    for (String f : info.keyFields()) {
      if (fields.size() >= MAX_FIELDS) {
        break;
      }
      String v = e.get(f);
      if (v != null && !v.isEmpty()) {
        fields.put(f, v);
      }
    }
    return new Alert("sigma", r.id(), r.title(), r.level(), r.author(), r.tags(), e.timestamp(), e.institution(),
        e.host(), e.channel(), e.eventId(), e.source(), e.record(), fields, Map.of(), e.timestamp(), List.of());
  }
}
