package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;

/** Every example of the Sigma correlation specification's test folder, run over events written for it. */
class CorrelationSpecTest {
  @TempDir
  Path tmp;

  private static final String FAILED = "5638f7c0-ac70-491d-8465-2a65075e0d86";

  private String example(String name) {
    String y = Corr.example("correlation/" + name);
    assumeTrue(y != null, "shared spec folder absent");
    return y;
  }

  @Test
  void eventCount_firesOnHundredFailuresPerComputerInOneHour() {
    RuleSet set = Corr.load(tmp, example("event_count.yml"), Corr.base(FAILED, null, "failed"));
    List<Event> ev = new ArrayList<>();
    long r = 0;
    for (int i = 0; i < 100; i++) {
      ev.add(Corr.at(i * 30, r++, "Rule", "failed", "ComputerName", "A"));
      ev.add(Corr.at(i * 30 + 1, r++, "Rule", "failed", "ComputerName", i < 99 ? "B" : "C"));
      ev.add(Corr.at(i * 120 + 2, r++, "Rule", "failed", "ComputerName", "SLOW"));
    }
    ev.sort(java.util.Comparator.comparingLong(Event::timestamp));
    List<Alert> alerts = Corr.run(set, ev);
    assertThat(alerts).hasSize(1);
    Alert a = alerts.get(0);
    assertThat(a.kind()).isEqualTo("correlation");
    assertThat(a.ruleId()).isEqualTo("0e95725d-7320-415d-80f7-004da920fc11");
    assertThat(a.group()).containsExactly(Map.entry("ComputerName", "A"));
    assertThat(a.events()).hasSize(100);
    assertThat(a.timestamp()).isEqualTo(Corr.T0);
    assertThat(a.last()).isEqualTo(Corr.T0 + 99 * 30_000_000L);
  }

  @Test
  void eventCountEcs_groupsByDottedField() {
    RuleSet set = Corr.load(tmp, example("event_count_ecs.yml"), Corr.base(FAILED, null, "q"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      ev.add(Corr.at(i, i, "Rule", "q", "dns.question.name", i % 6 == 0 ? "rare.example" : "evil.example"));
    }
    List<Alert> alerts = Corr.run(set, ev);
    assertThat(alerts).extracting(Alert::group).containsExactly(Map.of("dns.question.name", "evil.example"));
  }

  private RuleSet recon(String example) {
    return Corr.load(tmp, example(example), Corr.base("a0000000-0000-4000-8000-00000000000a", "recon_cmd_a", "a"),
        Corr.base("b0000000-0000-4000-8000-00000000000b", "recon_cmd_b", "b"),
        Corr.base("c0000000-0000-4000-8000-00000000000c", "recon_cmd_c", "c"));
  }

  private static Event recon(double s, long r, String which, String host, String user) {
    return Corr.at(s, r, "Rule", which, "ComputerName", host, "User", user);
  }

  @Test
  void temporal_allRulesWithinFiveMinutesOnOneHostAndUser_anyOrder() {
    RuleSet set = recon("temporal.yml");
    List<Event> ev = List.of(
        recon(0, 1, "c", "H1", "u1"), recon(60, 2, "a", "H1", "u1"), recon(200, 3, "b", "H1", "u1"),
        recon(0, 4, "a", "H2", "u2"), recon(100, 5, "b", "H2", "u2"), recon(250, 6, "c", "H2", "other"),
        recon(1000, 7, "a", "H3", "u3"), recon(1200, 8, "b", "H3", "u3"), recon(1400, 9, "c", "H3", "u3"));
    List<Alert> alerts = Corr.run(set, sorted(ev));
    assertThat(alerts).extracting(Alert::group).containsExactly(Map.of("ComputerName", "H1", "User", "u1"));
    assertThat(alerts.get(0).events()).hasSize(3);
  }

  @Test
  void temporalOrdered_onlyInTheOrderOfTheRules() {
    RuleSet set = recon("temporal_ordered.yml");
    List<Event> ev = List.of(
        recon(0, 1, "a", "H1", "u1"), recon(60, 2, "b", "H1", "u1"), recon(200, 3, "c", "H1", "u1"),
        recon(0, 4, "c", "H2", "u2"), recon(60, 5, "b", "H2", "u2"), recon(120, 6, "a", "H2", "u2"));
    List<Alert> alerts = Corr.run(set, sorted(ev));
    assertThat(alerts).extracting(Alert::group).containsExactly(Map.of("ComputerName", "H1", "User", "u1"));
  }

  @Test
  void valueAvg_firesWhenTheMeanExceedsTheLimit() {
    RuleSet set = Corr.load(tmp, example("value_avg.yml"), Corr.base("d0000000-0000-4000-8000-00000000000d",
        "rule_a_id", "net"));
    List<Event> ev = List.of(
        Corr.at(0, 1, "Rule", "net", "SourceIP", "10.0.0.1", "User", "u", "BytesOut", "400"),
        Corr.at(60, 2, "Rule", "net", "SourceIP", "10.0.0.1", "User", "u", "BytesOut", "700"),
        Corr.at(0, 3, "Rule", "net", "SourceIP", "10.0.0.2", "User", "u", "BytesOut", "100"),
        Corr.at(60, 4, "Rule", "net", "SourceIP", "10.0.0.2", "User", "u", "BytesOut", "200"));
    assertThat(Corr.run(set, sorted(ev))).extracting(Alert::group)
        .containsExactly(Map.of("SourceIP", "10.0.0.1", "User", "u"));
  }

  @Test
  void valueCount_distinctUsersPerComputerAndWorkstation() {
    RuleSet set = Corr.load(tmp, example("value_count.yml"), Corr.base(FAILED, null, "failed"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      ev.add(Corr.at(i, 2 * i, "Rule", "failed", "ComputerName", "DC", "WorkstationName", "W1", "User", "u" + i));
      ev.add(Corr.at(i, 2 * i + 1, "Rule", "failed", "ComputerName", "DC", "WorkstationName", "W2", "User",
          "u" + (i % 99)));
    }
    List<Alert> alerts = Corr.run(set, ev);
    assertThat(alerts).extracting(Alert::group).containsExactly(Map.of("ComputerName", "DC", "WorkstationName", "W1"));
  }

  @Test
  void valuePercentile_ofNonNumericValues_neverFires_asPySigma() {
    RuleSet set = Corr.load(tmp, example("value_percentile.yml"), Corr.base("e0000000-0000-4000-8000-00000000000e",
        "process_creation", "proc"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ev.add(Corr.at(i, i, "Rule", "proc", "ComputerName", "H", "Image", i == 7 ? "C:\\rare.exe" : "C:\\x.exe"));
    }
    assertThat(Corr.run(set, ev)).isEmpty();
  }

  @Test
  void valuePercentile_numericField_comparesThe95thPercentile() {
    String rule = example("value_percentile.yml").replace("field: Image", "field: Size");
    RuleSet set = Corr.load(tmp, rule, Corr.base("e0000000-0000-4000-8000-00000000000e", "process_creation", "proc"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ev.add(Corr.at(i, i, "Rule", "proc", "ComputerName", "LOW", "Size", "1"));
      ev.add(Corr.at(i, 100 + i, "Rule", "proc", "ComputerName", "HIGH", "Size", i < 10 ? "5" : "1"));
    }
    assertThat(Corr.run(set, sorted(ev))).extracting(Alert::group).containsExactly(Map.of("ComputerName", "LOW"));
  }

  @Test
  void valueSum_firesWhenTheSumExceedsTheLimitWithinTheHour() {
    RuleSet set = Corr.load(tmp, example("value_sum.yml"), Corr.base("f0000000-0000-4000-8000-00000000000f",
        "website_access", "web"));
    List<Event> ev = List.of(
        Corr.at(0, 1, "Rule", "web", "SourceIP", "a", "User", "u", "bytes_sent", "400000"),
        Corr.at(600, 2, "Rule", "web", "SourceIP", "a", "User", "u", "bytes_sent", "400000"),
        Corr.at(1200, 3, "Rule", "web", "SourceIP", "a", "User", "u", "bytes_sent", "400000"),
        Corr.at(0, 4, "Rule", "web", "SourceIP", "b", "User", "u", "bytes_sent", "600000"),
        Corr.at(4000, 5, "Rule", "web", "SourceIP", "b", "User", "u", "bytes_sent", "600000"));
    List<Alert> alerts = Corr.run(set, sorted(ev));
    assertThat(alerts).extracting(Alert::group).containsExactly(Map.of("SourceIP", "a", "User", "u"));
    assertThat(alerts.get(0).last()).isEqualTo(Corr.T0 + 1200_000_000L);
  }

  @Test
  void chainedExample_failedLoginsFollowedBySuccess_andGenerateFalseHidesTheReferencedRules() {
    String chain = """
        title: Correlation - Multiple Failed Logins Followed by Successful Login
        id: b180ead8-d58f-40b2-ae54-c8940995b9b6
        correlation:
            type: temporal_ordered
            rules:
                - multiple_failed_login
                - successful_login
            group-by:
                - User
            timespan: 10m
        level: high
        ---
        title: Multiple failed logons
        id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
        name: multiple_failed_login
        correlation:
            type: event_count
            rules:
                - failed_login
            group-by:
                - User
            timespan: 10m
            condition:
                gte: 10
        """;
    RuleSet set = Corr.load(tmp, chain, Corr.base("53ba33fd-3a50-4468-a5ef-c583635cfa92", "failed_login", "fail"),
        Corr.base("4d0a2c83-c62c-4ed4-b475-c7e23a9269b8", "successful_login", "ok"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ev.add(Corr.at(i * 10, i, "Rule", "fail", "User", "bob"));
      ev.add(Corr.at(i * 10 + 1, 100 + i, "Rule", "fail", "User", i < 9 ? "eve" : "x" + i));
    }
    ev.add(Corr.at(200, 50, "Rule", "ok", "User", "bob"));
    ev.add(Corr.at(201, 51, "Rule", "ok", "User", "eve"));
    List<Alert> alerts = Corr.run(set, sorted(ev));
    assertThat(alerts).extracting(Alert::ruleId, Alert::group).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("a8418a5a-5fc4-46b5-b23b-6c73beb19d41", Map.of("User", "bob")),
        org.assertj.core.groups.Tuple.tuple("b180ead8-d58f-40b2-ae54-c8940995b9b6", Map.of("User", "bob")));
    Correlations c = set.correlations();
    assertThat(c.hidden("a8418a5a-5fc4-46b5-b23b-6c73beb19d41")).isTrue();
    assertThat(c.hidden("b180ead8-d58f-40b2-ae54-c8940995b9b6")).isFalse();
    assertThat(set.rules()).allMatch(c::hidden);
  }

  @Test
  void aliases_groupByDifferentFieldsOfDifferentRules() {
    String corr = """
        title: internal error then connection
        id: 11111111-1111-4111-8111-111111111111
        correlation:
            type: temporal
            rules:
                - internal_error
                - new_network_connection
            group-by:
                - internal_ip
                - remote_ip
            timespan: 10s
            aliases:
                internal_ip:
                    internal_error: destination.ip
                    new_network_connection: source.ip
                remote_ip:
                    internal_error: source.ip
                    new_network_connection: destination.ip
        """;
    RuleSet set = Corr.load(tmp, corr, Corr.base("22222222-2222-4222-8222-222222222222", "internal_error", "500"),
        Corr.base("33333333-3333-4333-8333-333333333333", "new_network_connection", "conn"));
    List<Event> ev = List.of(
        Corr.at(0, 1, "Rule", "500", "destination.ip", "10.0.0.5", "source.ip", "203.0.113.9"),
        Corr.at(5, 2, "Rule", "conn", "source.ip", "10.0.0.5", "destination.ip", "203.0.113.9"),
        Corr.at(6, 3, "Rule", "conn", "source.ip", "203.0.113.9", "destination.ip", "10.0.0.5"));
    List<Alert> alerts = Corr.run(set, ev);
    assertThat(alerts).extracting(Alert::group)
        .containsExactly(Map.of("internal_ip", "10.0.0.5", "remote_ip", "203.0.113.9"));
    assertThat(alerts.get(0).events()).extracting(org.lovcen.core.EventRef::record).containsExactly(1L, 2L);
  }

  @Test
  void problems_areReportedWithFileAndPosition() {
    String bad = """
        title: broken
        id: 44444444-4444-4444-8444-444444444444
        correlation:
            type: event_cnt
            rules:
                - nowhere
            timespan: 5 minutes
        """;
    String unknownRef = """
        title: dangling
        id: 55555555-5555-4555-8555-555555555555
        correlation:
            type: event_count
            rules:
                - nowhere
            timespan: 5m
            condition:
                gte: 2
        """;
    String extended = """
        title: extended
        correlation:
            type: temporal
            rules: [a, b]
            timespan: 5m
            condition: a and not b
        """;
    RuleSet set = Corr.load(tmp, bad, unknownRef, extended);
    List<RuleSet.Issue> errors = set.report().errors();
    assertThat(errors).extracting(RuleSet.Issue::reason).anyMatch(r -> r.contains("line 4") && r.contains("event_cnt"))
        .anyMatch(r -> r.contains("line 7") && r.contains("5 minutes"))
        .anyMatch(r -> r.contains("'nowhere'"));
    assertThat(errors).allMatch(i -> i.path().endsWith(".yml"));
    assertThat(set.report().unsupported()).extracting(RuleSet.Issue::reason).anyMatch(r -> r.contains("extended"));
    assertThat(set.correlations().isEmpty()).isTrue();
  }

  static List<Event> sorted(List<Event> ev) {
    List<Event> out = new ArrayList<>(ev);
    out.sort(java.util.Comparator.comparingLong((Event e) -> e.timestamp()).thenComparingLong(Event::record));
    return out;
  }
}
