package org.lovcen.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Security events as one JSON object per line on the logger {@code lovcen.security}, for the
 * journal or a SIEM: sign-ins, lockouts, sign-outs; users, partners, institutions (who may send
 * syslog as one) and tokens created, changed or revoked; rules switched, filters added or deleted,
 * rules reloaded (what detection sees); incidents shared with partners; decisions; and every
 * access denied (403) or token rejected (401). Never a password, a token or a hash: names,
 * addresses, ids and outcomes only. Thread-safe.
 */
public final class SecurityLog {
  /** The logger's name. */
  public static final String LOGGER = "lovcen.security";
  private static final System.Logger LOG = System.getLogger(LOGGER);
  private static final ObjectMapper JSON = new ObjectMapper();

  private SecurityLog() {}

  /**
   * @param event what happened ({@code login.ok}, {@code login.failed}, {@code login.locked}, …)
   * @param actor the user acting or attempting (a name), or null
   * @param address the client address, or null
   * @param detail further names and ids, alternating key and value
   */
  public static void event(String event, String actor, String address, String... detail) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("event", event);
    if (actor != null) {
      m.put("actor", actor.length() > 200 ? actor.substring(0, 200) : actor);
    }
    if (address != null) {
      m.put("address", address);
    }
    for (int i = 0; i + 1 < detail.length; i += 2) {
      m.put(detail[i], detail[i + 1]);
    }
    String line;
    try {
      line = JSON.writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      line = m.toString();
    }
    System.Logger.Level level = event.endsWith(".failed") || event.endsWith(".locked") || event.endsWith(".denied")
        || event.endsWith(".rejected") || event.equals("rule.disabled") ? System.Logger.Level.WARNING
        : System.Logger.Level.INFO;
    LOG.log(level, line);
  }
}
