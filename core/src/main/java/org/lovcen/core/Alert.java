package org.lovcen.core;

import java.util.List;
import java.util.Map;

/**
 * The one alert record every detector emits (Sigma rule matches, correlations, and later
 * indicator and website detectors). Immutable.
 *
 * @param kind {@code sigma}, {@code correlation}, {@code indicator}, {@code web}
 * @param ruleId the rule's or detector's id
 * @param ruleTitle human title
 * @param level severity
 * @param author the rule author (kept: the Detection Rule License requires it)
 * @param tags ATT&CK and other tags as the rule gives them
 * @param timestamp micros since the epoch of the (first) event
 * @param institution the institution, or null when unknown
 * @param host host or site
 * @param channel event channel, or null
 * @param eventId EventID, or -1
 * @param source input the event came from
 * @param record record number or line in {@code source}
 * @param fields key fields of the event, in display order
 * @param group group-by values of a correlation (empty for single events)
 * @param last micros of the last contributing event (equals {@code timestamp} for single events)
 * @param events contributing events (empty for single events: the event is {@code source/record})
 */
public record Alert(
    String kind,
    String ruleId,
    String ruleTitle,
    Level level,
    String author,
    List<String> tags,
    long timestamp,
    String institution,
    String host,
    String channel,
    int eventId,
    String source,
    long record,
    Map<String, String> fields,
    Map<String, String> group,
    long last,
    List<EventRef> events) {}
