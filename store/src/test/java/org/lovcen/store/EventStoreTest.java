package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lovcen.store.Rows.DAY;
import static org.lovcen.store.Rows.HOUR;
import static org.lovcen.store.Rows.MINUTE;
import static org.lovcen.store.Rows.T0;
import static org.lovcen.store.Rows.event;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Event;

/** Raw events on both databases: insert, replay, search, paging and retention. */
class EventStoreTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();
  private EventStore events;

  private Database open(String kind) {
    Database db = DBS.empty(kind, dir);
    events = new EventStore(db);
    return db;
  }

  @AfterAll
  static void close() {
    DBS.close();
  }

  /** A search over every institution with field conditions and free text; no time, host or paging. */
  private List<Long> ids(Map<String, String> fields, String text) {
    return ids(Scope.NATIONAL, new EventQuery(null, null, null, null, fields, text, 1000, null));
  }

  private List<Long> ids(Scope scope, EventQuery q) {
    return events.search(scope, q).items().stream().map(StoredEvent::id).toList();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_inTransaction_getReturnsTheEventAsStored(String kind) {
    Database db = open(kind);
    Event e = new Event();
    e.timestamp(T0 + 123_456);
    e.institution("a");
    e.host("ws-01");
    e.channel("Microsoft-Windows-Sysmon/Operational");
    e.provider("Microsoft-Windows-Sysmon");
    e.eventId(1);
    e.source("C:\\logs\\sysmon.evtx");
    e.record(77);
    e.add("Image", "C:\\Windows\\System32\\cmd.exe");
    e.add("ProcessId", "4242", Event.NUMBER);
    e.add("Elevated", "true", Event.BOOLEAN);
    e.add("Parent", null);
    e.add("Hash", "SHA256=AB");
    e.add("Hash", "MD5=CD");
    StoredEvent in = event(5, e);
    db.jdbi().useTransaction(h -> events.insert(h, List.of(in)));

    StoredEvent out = events.get(Scope.NATIONAL, 5);
    assertThat(out).isEqualTo(in);
    Event back = out.toEvent(new Event());
    assertThat(back.toString()).isEqualTo(e.toString());
    assertThat(back.type(1)).isEqualTo(Event.NUMBER);
    assertThat(back.type(2)).isEqualTo(Event.BOOLEAN);
    assertThat(back.type(3)).isEqualTo(Event.NULL);
    assertThat(events.get(Scope.NATIONAL, 6)).isNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_transactionRolledBack_storesNothing(String kind) {
    Database db = open(kind);
    assertThatThrownBy(() -> db.jdbi().useTransaction(h -> {
      events.insert(h, List.of(event(1, "a", T0, "h"), event(2, "a", T0, "h")));
      throw new IllegalStateException("writer failed after the insert");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(events.maxId()).isZero();
    assertThat(events.after(Scope.NATIONAL, 0, 10)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_emptyList_doesNothing(String kind) {
    Database db = open(kind);
    db.jdbi().useTransaction(h -> events.insert(h, List.of()));
    assertThat(events.maxId()).isZero();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_duplicateId_failsTheWholeBatch(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h")));
    assertThatThrownBy(() -> Rows.insert(db, List.of(event(2, "a", T0, "h"), event(1, "a", T0, "h"))))
        .isInstanceOf(RuntimeException.class);
    assertThat(events.maxId()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void maxId_isTheHighestIdOrZero(String kind) {
    Database db = open(kind);
    assertThat(events.maxId()).isZero();
    Rows.insert(db, List.of(event(7, "a", T0, "h"), event(3, "b", T0, "h")));
    assertThat(events.maxId()).isEqualTo(7);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void after_returnsIdOrderAboveTheMarkUpToTheLimit(String kind) {
    Database db = open(kind);
    // Inserted out of id order and with times against id order: replay follows ids only.
    Rows.insert(db, List.of(event(4, "a", T0, "h"), event(2, "a", T0 + 5 * HOUR, "h"), event(3, "b", T0 - DAY, "h"),
        event(1, "a", T0 + HOUR, "h")));
    assertThat(events.after(Scope.NATIONAL, 0, 10)).extracting(StoredEvent::id).containsExactly(1L, 2L, 3L, 4L);
    assertThat(events.after(Scope.NATIONAL, 1, 2)).extracting(StoredEvent::id).containsExactly(2L, 3L);
    assertThat(events.after(Scope.NATIONAL, 4, 10)).isEmpty();
    assertThat(events.after(new Scope.OfInstitution("a"), 1, 10)).extracting(StoredEvent::id).containsExactly(2L, 4L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_timeRange_fromInclusiveToExclusive(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0 - 1, "h"), event(2, "a", T0, "h"), event(3, "a", T0 + HOUR - 1, "h"),
        event(4, "a", T0 + HOUR, "h")));
    EventQuery q = new EventQuery(T0, T0 + HOUR, null, null, null, null, 100, null);
    assertThat(ids(Scope.NATIONAL, q)).containsExactly(3L, 2L);
    assertThat(events.search(Scope.NATIONAL, q).total()).isEqualTo(2);
    assertThat(ids(Scope.NATIONAL, new EventQuery(T0, null, null, null, null, null, 100, null)))
        .containsExactly(4L, 3L, 2L);
    assertThat(ids(Scope.NATIONAL, new EventQuery(null, T0, null, null, null, null, 100, null))).containsExactly(1L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_institutionAndHost_exact(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "ws-01"), event(2, "a", T0, "WS-01"), event(3, "b", T0, "ws-01"),
        event(4, "a", T0, "ws-011")));
    assertThat(ids(Scope.NATIONAL, new EventQuery(null, null, "a", null, null, null, 100, null)))
        .containsExactly(4L, 2L, 1L);
    assertThat(ids(Scope.NATIONAL, new EventQuery(null, null, null, "ws-01", null, null, 100, null)))
        .containsExactly(3L, 1L);
    assertThat(ids(Scope.NATIONAL, new EventQuery(null, null, "a", "ws-01", null, null, 100, null)))
        .containsExactly(1L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_fieldExact_ignoresCaseButNotSurroundingText(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "User", "Administrator"), event(2, "a", T0, "h", "User", "ADMINISTRATOR"),
        event(3, "a", T0, "h", "User", "administrator2"), event(4, "a", T0, "h", "Other", "administrator")));
    assertThat(ids(Map.of("User", "administrator"), null)).containsExactly(2L, 1L);
    assertThat(ids(Map.of("user", "administrator"), null)).as("field names are exact").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_fieldWildcard_starMatchesAnyRun(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "Image", "C:\\Windows\\System32\\cmd.exe"),
        event(2, "a", T0, "h", "Image", "C:\\Windows\\SysWOW64\\cmd.exe"),
        event(3, "a", T0, "h", "Image", "C:\\Users\\bob\\cmd.exe.bak"),
        event(4, "a", T0, "h", "Image", "")));
    assertThat(ids(Map.of("Image", "*\\cmd.exe"), null)).containsExactly(2L, 1L);
    assertThat(ids(Map.of("Image", "c:\\windows\\*"), null)).containsExactly(2L, 1L);
    assertThat(ids(Map.of("Image", "*system32*"), null)).containsExactly(1L);
    assertThat(ids(Map.of("Image", "C:*cmd*"), null)).containsExactly(3L, 2L, 1L);
    assertThat(ids(Map.of("Image", "*"), null)).containsExactly(4L, 3L, 2L, 1L);
    assertThat(ids(Map.of("Image", ""), null)).containsExactly(4L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_fieldBackslashPath_exactAndIgnoringCase(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "Image", "C:\\Windows\\System32\\cmd.exe"),
        event(2, "a", T0, "h", "Image", "C:\\Windows\\System32\\\\cmd.exe"),
        event(3, "a", T0, "h", "Image", "C:/Windows/System32/cmd.exe"),
        event(4, "a", T0, "h", "Share", "\\\\srv\\c$\\"),
        event(5, "a", T0, "h", "Image", "C:\\Windows\\System32\\cmd.exe\\")));
    assertThat(ids(Map.of("Image", "C:\\Windows\\System32\\cmd.exe"), null)).containsExactly(1L);
    assertThat(ids(Map.of("Image", "c:\\windows\\system32\\CMD.EXE"), null)).containsExactly(1L);
    assertThat(ids(Map.of("Share", "\\\\srv\\c$\\"), null)).containsExactly(4L);
    assertThat(ids(Map.of("Image", "*.exe\\"), null)).containsExactly(5L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_fieldValueWithLikeCharacters_matchesThemLiterally(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "v", "100%"), event(2, "a", T0, "h", "v", "1000"),
        event(3, "a", T0, "h", "v", "a_b"), event(4, "a", T0, "h", "v", "axb"),
        event(5, "a", T0, "h", "v", "%_%"), event(6, "a", T0, "h", "v", "x")));
    assertThat(ids(Map.of("v", "100%"), null)).containsExactly(1L);
    assertThat(ids(Map.of("v", "a_b"), null)).containsExactly(3L);
    assertThat(ids(Map.of("v", "%_%"), null)).containsExactly(5L);
    assertThat(ids(Map.of("v", "%"), null)).isEmpty();
    assertThat(ids(Map.of("v", "_"), null)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_fieldValueWithQuotes(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "CommandLine", "powershell -c \"iex 'x'\""),
        event(2, "a", T0, "h", "CommandLine", "it's"), event(3, "a", T0, "h", "CommandLine", "\"")));
    assertThat(ids(Map.of("CommandLine", "powershell -c \"iex 'x'\""), null)).containsExactly(1L);
    assertThat(ids(Map.of("CommandLine", "*\"iex*"), null)).containsExactly(1L);
    assertThat(ids(Map.of("CommandLine", "it's"), null)).containsExactly(2L);
    assertThat(ids(Map.of("CommandLine", "\""), null)).containsExactly(3L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_fieldNamesWithDotsSpacesAndQuotes(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "source.ip", "10.0.0.1"), event(2, "a", T0, "h", "Logon Type", "3"),
        event(3, "a", T0, "h", "odd\"name", "q"), event(4, "a", T0, "h", "back\\slash", "b"),
        event(5, "a", T0, "h", "source", "10.0.0.1"), event(6, "a", T0, "h", "it's", "apostrophe")));
    assertThat(ids(Map.of("source.ip", "10.0.0.1"), null)).containsExactly(1L);
    assertThat(ids(Map.of("Logon Type", "3"), null)).containsExactly(2L);
    assertThat(ids(Map.of("odd\"name", "q"), null)).containsExactly(3L);
    assertThat(ids(Map.of("back\\slash", "b"), null)).containsExactly(4L);
    assertThat(ids(Map.of("it's", "apostrophe"), null)).containsExactly(6L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_repeatedField_matchesAnyOfItsValues(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "related.ip", "10.0.0.1", "related.ip", "192.0.2.7"),
        event(2, "a", T0, "h", "related.ip", "192.0.2.7"), event(3, "a", T0, "h", "related.ip", "10.0.0.9")));
    assertThat(ids(Map.of("related.ip", "192.0.2.7"), null)).containsExactly(2L, 1L);
    assertThat(ids(Map.of("related.ip", "10.*"), null)).containsExactly(3L, 1L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_numberBooleanAndNullFields_matchTheirText(String kind) {
    Database db = open(kind);
    List<StoredEvent> rows = new ArrayList<>();
    String[][] values = {{"4624", "true", "1.50"}, {"4625", "false", "2.50e3"}, {"46240", "true", "-0"}};
    for (int i = 0; i < values.length; i++) {
      Event e = new Event();
      e.institution("a");
      e.timestamp(T0);
      e.add("EventID", values[i][0], Event.NUMBER);
      e.add("Elevated", values[i][1], Event.BOOLEAN);
      e.add("Ratio", values[i][2], Event.NUMBER);
      e.add("Parent", null);
      rows.add(event(i + 1, e));
    }
    Rows.insert(db, rows);
    assertThat(ids(Map.of("EventID", "4624"), null)).containsExactly(1L);
    assertThat(ids(Map.of("EventID", "462*"), null)).containsExactly(3L, 2L, 1L);
    assertThat(ids(Map.of("Elevated", "true"), null)).containsExactly(3L, 1L);
    assertThat(ids(Map.of("Elevated", "FALSE"), null)).containsExactly(2L);
    assertThat(ids(Map.of("Ratio", "1.50"), null)).containsExactly(1L);
    assertThat(ids(Map.of("Ratio", "2.50e3"), null)).containsExactly(2L);
    assertThat(ids(Map.of("Ratio", "-0"), null)).containsExactly(3L);
    assertThat(ids(Map.of("Parent", "*"), null)).as("null is no value").isEmpty();
    assertThat(ids(Map.of("Parent", "null"), null)).isEmpty();
    assertThat(ids(Map.of("Missing", "*"), null)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_severalConditions_allMustHold(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h1", "User", "bob", "Image", "cmd.exe"),
        event(2, "a", T0, "h1", "User", "bob", "Image", "pwsh.exe"),
        event(3, "a", T0, "h2", "User", "bob", "Image", "cmd.exe"),
        event(4, "b", T0, "h1", "User", "bob", "Image", "cmd.exe")));
    Map<String, String> f = new LinkedHashMap<>();
    f.put("User", "bob");
    f.put("Image", "cmd.exe");
    assertThat(ids(Scope.NATIONAL, new EventQuery(null, null, "a", "h1", f, "bo", 100, null))).containsExactly(1L);
    assertThat(ids(Scope.NATIONAL, new EventQuery(null, null, null, null, f, "pwsh", 100, null))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_freeText_substringOfAnyValueIgnoringCase(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "CommandLine", "Invoke-Mimikatz -DumpCreds"),
        event(2, "a", T0, "h", "Image", "C:\\Windows\\System32\\cmd.exe"),
        event(3, "a", T0, "h", "Message", "say \"hello\" to C:\\temp\\"),
        event(4, "a", T0, "h", "Message", "100% done_ok")));
    assertThat(ids(Map.of(), "mimikatz")).containsExactly(1L);
    assertThat(ids(Map.of(), "MIMIKATZ -dump")).containsExactly(1L);
    assertThat(ids(Map.of(), "System32\\cmd")).containsExactly(2L);
    assertThat(ids(Map.of(), "C:\\Windows\\System32\\cmd.exe")).containsExactly(2L);
    assertThat(ids(Map.of(), "\"hello\"")).containsExactly(3L);
    assertThat(ids(Map.of(), "temp\\")).containsExactly(3L);
    assertThat(ids(Map.of(), "0% d")).containsExactly(4L);
    assertThat(ids(Map.of(), "e_o")).containsExactly(4L);
    assertThat(ids(Map.of(), "e%o")).isEmpty();
    assertThat(ids(Map.of(), "mimi*creds")).containsExactly(1L);
    assertThat(ids(Map.of(), "   ")).as("blank text does not filter").hasSize(4);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_freeText_looksInValuesNotInNamesOrJsonSyntax(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "CommandLine", "whoami", "Path", "C:\\temp\\"),
        event(2, "a", T0, "h", "Note", "a CommandLine was logged")));
    assertThat(ids(Map.of(), "CommandLine")).containsExactly(2L);
    assertThat(ids(Map.of(), "\":\"")).isEmpty();
    assertThat(ids(Map.of(), ",")).isEmpty();
    assertThat(ids(Map.of(), "\"")).as("a value ending in a backslash has no quote").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_freeText_findsNumbersBooleansAndRepeatedValues(String kind) {
    Database db = open(kind);
    Event e = new Event();
    e.institution("a");
    e.timestamp(T0);
    e.add("EventID", "4624", Event.NUMBER);
    e.add("Ratio", "1.50", Event.NUMBER);
    e.add("Elevated", "true", Event.BOOLEAN);
    e.add("ip", "10.0.0.1");
    e.add("ip", "192.0.2.77");
    Rows.insert(db, List.of(event(1, e), event(2, "a", T0, "h", "x", "y")));
    assertThat(ids(Map.of(), "462")).containsExactly(1L);
    assertThat(ids(Map.of(), "1.50")).containsExactly(1L);
    assertThat(ids(Map.of(), "TRUE")).containsExactly(1L);
    assertThat(ids(Map.of(), "2.77")).containsExactly(1L);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_eventWithNulCharacter_doesNotBreakSearches(String kind) {
    // Regression: PostgreSQL cannot turn the JSON escape \u0000 into text, so one such event (an attacker can
    // send one in a URL or syslog line) made every field search over it fail.
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "Url", "/etc/passwd\u0000.png", "User", "bob"),
        event(2, "a", T0, "h", "User", "bob", "Literal", "\\u0000 is text")));
    assertThat(ids(Map.of("User", "bob"), null)).containsExactly(2L, 1L);
    assertThat(ids(Map.of("Url", "/etc/passwd*"), null)).containsExactly(1L);
    assertThat(ids(Map.of("Literal", "\\u0000 is text"), null)).containsExactly(2L);
    assertThat(ids(Map.of(), "passwd")).containsExactly(1L);
    assertThat(ids(Map.of(), "bob")).containsExactly(2L, 1L);
    assertThat(events.get(Scope.NATIONAL, 1).toEvent(new Event()).get("Url")).isEqualTo("/etc/passwd\u0000.png");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void insert_nulCharacterInHeader_isStoredAsReplacementCharacter(String kind) {
    // PostgreSQL text cannot hold U+0000; a host name from a hostile syslog line must not fail the whole batch.
    Database db = open(kind);
    Event e = new Event();
    e.institution("a");
    e.timestamp(T0);
    e.host("evil\u0000host");
    e.channel("c\u0000");
    e.provider("p\u0000");
    e.source("s\u0000");
    Rows.insert(db, List.of(event(1, e), event(2, "a", T0, "fine")));
    StoredEvent out = events.get(Scope.NATIONAL, 1);
    assertThat(out.host()).isEqualTo("evil\uFFFDhost");
    assertThat(List.of(out.channel(), out.provider(), out.source())).containsExactly("c\uFFFD", "p\uFFFD", "s\uFFFD");
    assertThat(events.get(Scope.NATIONAL, 2)).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_nonAsciiText_exactCaseMatchesOnBoth(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h", "Grad", "Цетиње"), event(2, "a", T0, "h", "Korisnik", "Šćepanović")));
    assertThat(ids(Map.of("Grad", "Цетиње"), null)).containsExactly(1L);
    assertThat(ids(Map.of("Korisnik", "*ćep*"), null)).containsExactly(2L);
    assertThat(ids(Map.of(), "Цети")).containsExactly(1L);
    // Case folding of non-ASCII letters: PostgreSQL's ILIKE folds them, SQLite's LIKE folds ASCII only.
    List<Long> folded = ids(Map.of(), "цетиње");
    assertThat(folded).isEqualTo(kind.equals("postgresql") ? List.of(1L) : List.of());
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_pagingOverEqualTimestamps_neverLosesOrRepeatsARow(String kind) {
    Database db = open(kind);
    List<StoredEvent> rows = new ArrayList<>();
    // 53 events over 5 distinct times, ids interleaved across times, two institutions.
    for (int i = 1; i <= 53; i++) {
      rows.add(event(i, i % 7 == 0 ? "b" : "a", T0 + (i * 37 % 5) * MINUTE, "h", "n", Integer.toString(i)));
    }
    Rows.insert(db, rows);
    for (int limit : new int[] {1, 4, 5, 10, 52, 53, 54}) {
      for (Scope scope : List.of(Scope.NATIONAL, new Scope.OfInstitution("a"))) {
        List<StoredEvent> expected = rows.stream().filter(e -> scope.sees(e.institution()))
            .sorted((x, y) -> x.ts() != y.ts() ? Long.compare(y.ts(), x.ts()) : Long.compare(y.id(), x.id())).toList();
        List<StoredEvent> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
          Page<StoredEvent> p = events.search(scope, new EventQuery(null, null, null, "h", Map.of("n", "*"), null, limit,
              cursor));
          assertThat(p.total()).isEqualTo(expected.size());
          assertThat(p.items()).hasSizeLessThanOrEqualTo(limit);
          seen.addAll(p.items());
          cursor = p.next();
          pages++;
        } while (cursor != null && pages < 100);
        assertThat(seen).as("limit %d, scope %s", limit, scope).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(Math.max(1, (expected.size() + limit - 1) / limit));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_lastPageExactlyFull_hasNoNextCursor(String kind) {
    Database db = open(kind);
    Rows.insert(db, List.of(event(1, "a", T0, "h"), event(2, "a", T0, "h")));
    Page<StoredEvent> p = events.search(Scope.NATIONAL, new EventQuery(null, null, null, null, null, null, 2, null));
    assertThat(p.items()).hasSize(2);
    assertThat(p.next()).isNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_invalidCursor_isRejected(String kind) {
    open(kind);
    for (String cursor : List.of("x", "12", "1.x", ".")) {
      assertThatThrownBy(() -> events.search(Scope.NATIONAL, new EventQuery(null, null, null, null, null, null, 10, cursor)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(cursor);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_limitIsClampedTo1To1000(String kind) {
    Database db = open(kind);
    List<StoredEvent> rows = new ArrayList<>();
    for (int i = 1; i <= 1001; i++) {
      rows.add(event(i, "a", T0 + i, "h"));
    }
    Rows.insert(db, rows);
    assertThat(events.search(Scope.NATIONAL, new EventQuery(null, null, null, null, null, null, 0, null)).items())
        .hasSize(1);
    Page<StoredEvent> big = events.search(Scope.NATIONAL, new EventQuery(null, null, null, null, null, null, 5000, null));
    assertThat(big.items()).hasSize(1000);
    assertThat(big.total()).isEqualTo(1001);
    assertThat(big.next()).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void deleteOlderThan_dropsWholeDaysBeforeTheCutoffOfOneInstitution(String kind) {
    Database db = open(kind);
    long now = T0 + 15 * HOUR; // day D = day(T0)
    Rows.insert(db, List.of(
        event(1, "a", T0 - 3 * DAY + 23 * HOUR, "h"), // day D-3: older than 2 days
        event(2, "a", T0 - 2 * DAY, "h"),             // day D-2, first micro: kept
        event(3, "a", T0 - 2 * DAY - 1, "h"),         // last micro of day D-3
        event(4, "a", T0, "h"),
        event(5, "b", T0 - 10 * DAY, "h"),            // other institution: untouched
        event(6, "a", -DAY, "h")));                   // before the epoch: day -1
    assertThat(events.deleteOlderThan("a", 2, now)).isEqualTo(3);
    assertThat(events.after(Scope.NATIONAL, 0, 10)).extracting(StoredEvent::id).containsExactly(2L, 4L, 5L);
    assertThat(events.deleteOlderThan("a", 2, now)).isZero();
    assertThat(events.deleteOlderThan("b", 0, now)).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void search_seededRandomEvents_agreeWithAReferenceFilter(String kind) {
    // Differential: field conditions and free text against a plain Java model of the documented semantics.
    Database db = open(kind);
    java.util.Random rnd = new java.util.Random(4624);
    String[] values = {"cmd.exe", "CMD.EXE", "C:\\Windows\\cmd.exe", "a_b", "a%b", "axb", "say \"hi\"", "x\\", "", "bob",
        "Bob Smith", "100%"};
    String[] names = {"Image", "User", "odd name", "dot.ted"};
    List<StoredEvent> rows = new ArrayList<>();
    for (int i = 1; i <= 120; i++) {
      List<String> nv = new ArrayList<>();
      for (int k = rnd.nextInt(4); k >= 0; k--) {
        nv.add(names[rnd.nextInt(names.length)]);
        nv.add(values[rnd.nextInt(values.length)]);
      }
      rows.add(event(i, "a", T0 + rnd.nextInt(3) * MINUTE, "h", nv.toArray(String[]::new)));
    }
    Rows.insert(db, rows);
    String[] patterns = {"cmd.exe", "*cmd.exe", "c:\\windows\\*", "a_b", "a%b", "*\\", "say \"hi\"", "", "*", "bob*",
        "*%", "*_*"};
    for (String name : names) {
      for (String pattern : patterns) {
        Set<Long> expected = new HashSet<>();
        for (StoredEvent e : rows) {
          Event ev = e.toEvent(new Event());
          for (int i = 0; i < ev.size(); i++) {
            if (ev.name(i).equals(name) && likeModel(ev.value(i), pattern, false)) {
              expected.add(e.id());
            }
          }
        }
        assertThat(new HashSet<>(ids(Map.of(name, pattern), null))).as("%s = %s", name, pattern).isEqualTo(expected);
      }
    }
    for (String text : new String[] {"cmd", "\\cmd", "\"hi", "a_", "%b", "smith", "x\\", "Image"}) {
      Set<Long> expected = new HashSet<>();
      for (StoredEvent e : rows) {
        Event ev = e.toEvent(new Event());
        for (int i = 0; i < ev.size(); i++) {
          if (likeModel(ev.value(i), text, true)) {
            expected.add(e.id());
          }
        }
      }
      assertThat(new HashSet<>(ids(Map.of(), text))).as("text %s", text).isEqualTo(expected);
    }
  }

  /** The documented matching: {@code *} any run, everything else literal, ASCII case ignored. */
  private static boolean likeModel(String value, String pattern, boolean contains) {
    StringBuilder re = new StringBuilder(contains ? "(?s).*" : "(?s)");
    for (String part : pattern.split("\\*", -1)) {
      re.append(java.util.regex.Pattern.quote(part)).append(".*");
    }
    re.setLength(re.length() - 2);
    if (contains) {
      re.append(".*");
    }
    return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.CASE_INSENSITIVE).matcher(value).matches();
  }
}
