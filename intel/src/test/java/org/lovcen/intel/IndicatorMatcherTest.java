package org.lovcen.intel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/** Matching per indicator type, lifecycle and merging across sources. */
class IndicatorMatcherTest {
  static final Source PARTNER = new Source("CERT-X", "x.json", 80, Marking.AMBER, -1);

  static IndicatorSet set(String... typeValue) {
    List<Indicator> all = new ArrayList<>();
    for (String tv : typeValue) {
      String[] p = tv.split(" ", 2);
      all.add(Indicator.of(Observable.of(ObservableType.valueOf(p[0]), p[1]), PARTNER));
    }
    return IndicatorSet.compile(all);
  }

  static Event event(String... fieldValue) {
    Event e = new Event();
    e.timestamp(Timestamps.parse("2022-08-22T10:00:00Z"));
    e.source("test.jsonl");
    for (int i = 0; i < fieldValue.length; i += 2) {
      e.add(fieldValue[i], fieldValue[i + 1]);
    }
    return e;
  }

  static List<Alert> match(IndicatorSet s, Event e) {
    List<Alert> out = new ArrayList<>();
    s.matcher().match(e, out::add);
    return out;
  }

  @ParameterizedTest(name = "{0} {1} vs {2}={3}: {4}")
  @CsvSource({
      "IPV4, 198.51.100.77, DestinationIp, 198.51.100.77, true",
      "IPV4, 198.51.100.77, DestinationIp, 198.51.100.78, false",
      "IPV4, 198.51.100.77, source.ip, ::ffff:198.51.100.77, true",
      "IPV4, 10.0.0.0/8, SourceIp, 10.255.255.255, true",
      "IPV4, 10.0.0.0/8, SourceIp, 11.0.0.0, false",
      "IPV4, 10.0.0.0/8, SourceIp, 9.255.255.255, false",
      "IPV4, 192.0.2.128/25, IpAddress, 192.0.2.128, true",
      "IPV4, 192.0.2.128/25, IpAddress, 192.0.2.127, false",
      "IPV4, 0.0.0.0/0, IpAddress, 8.8.8.8, true",
      "IPV4, 192.0.2.1/31, IpAddress, 192.0.2.0, true",
      "IPV6, 2001:db8::1, DestinationIp, 2001:0DB8:0:0:0:0:0:1, true",
      "IPV6, 2001:db8::/32, DestinationIp, 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true",
      "IPV6, 2001:db8::/32, DestinationIp, 2001:db9::, false",
      "IPV6, 2001:db8:0:0:8000::/65, destination.ip, 2001:db8::8000:0:0:1, true",
      "IPV6, 2001:db8:0:0:8000::/65, destination.ip, 2001:db8::7fff:0:0:1, false",
      "IPV6, fe80::/10, SourceIp, fe80::1%eth0, true",
      "DOMAIN, telemetry-msn.net, QueryName, api.telemetry-msn.net, true",
      "DOMAIN, telemetry-msn.net, QueryName, API.Telemetry-MSN.net., true",
      "DOMAIN, telemetry-msn.net, QueryName, telemetry-msn.net, true",
      "DOMAIN, telemetry-msn.net, QueryName, xtelemetry-msn.net, false",
      "DOMAIN, api.telemetry-msn.net, DestinationHostname, telemetry-msn.net, false",
      "DOMAIN, example.com, url.full, https://www.example.com:8443/x, true",
      "URL, http://evil.example/a/b?c=1, url.full, HTTP://EVIL.example:80/a/b?c=1#top, true",
      "URL, http://evil.example/a/b, url.original, http://evil.example/a/B, false",
      "URL, http://evil.example, url.full, https://evil.example/, true",
      "IPV4, 203.0.113.47, url.full, http://203.0.113.47:8080/inv.ps1, true",
      "SHA256, 4BAC27393BDD9777CE02453256C5577CD02275510B2227F473D03F533924F877, Hashes, "
          + "'MD5=00,SHA256=4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877,IMPHASH=11', true",
      "MD5, cead3f77f6cda6ec00f57d76c9a6879f, Hashes, 'SHA1=aa,MD5=CEAD3F77F6CDA6EC00F57D76C9A6879F', true",
      "MD5, cead3f77f6cda6ec00f57d76c9a6879f, Hashes, 'IMPHASH=CEAD3F77F6CDA6EC00F57D76C9A6879F', false",
      "SHA1, da39a3ee5e6b4b0d3255bfef95601890afd80709, file.hash.sha1, DA39A3EE5E6B4B0D3255BFEF95601890AFD80709, true",
      "FILE_NAME, mk64.exe, Image, C:\\Windows\\Temp\\MK64.EXE, true",
      "FILE_NAME, mk64.exe, TargetFilename, C:\\Windows\\Temp\\mk64.exe.bak, false",
      "FILE_NAME, mk64.exe, CommandLine, mk64.exe, false"})
  void match_perType(String type, String value, String field, String fieldValue, boolean hit) {
    assertThat(match(set(type + " " + value), event(field, fieldValue))).hasSize(hit ? 1 : 0);
  }

  @Test
  void alert_carriesIndicatorSourceMarkingAndEvent() {
    Alert a = match(set("DOMAIN api.telemetry-msn.net"), event("QueryName", "api.telemetry-msn.net", "Image",
        "C:\\x.exe")).get(0);
    assertThat(a.kind()).isEqualTo("indicator");
    assertThat(a.author()).isEqualTo("CERT-X");
    assertThat(a.fields()).containsEntry("QueryName", "api.telemetry-msn.net").containsEntry("Image", "C:\\x.exe");
    assertThat(a.group()).containsEntry("type", "domain-name").containsEntry("value", "api.telemetry-msn.net")
        .containsEntry("marking", "TLP:AMBER").containsEntry("sources", "CERT-X|80|tlp:amber")
        .containsEntry("field", "QueryName").containsEntry("pattern", "[domain-name:value = 'api.telemetry-msn.net']");
    assertThat(a.source()).isEqualTo("test.jsonl");
  }

  @Test
  void oneAlertPerIndicatorAndEvent_evenWhenSeveralFieldsHit() {
    IndicatorSet s = set("DOMAIN telemetry-msn.net");
    assertThat(match(s, event("QueryName", "api.telemetry-msn.net", "DestinationHostname", "telemetry-msn.net")))
        .hasSize(1);
  }

  @Test
  void nestedCidrs_andExactAddress_allMatch() {
    IndicatorSet s = set("IPV4 10.0.0.0/8", "IPV4 10.1.0.0/16", "IPV4 10.1.2.3", "IPV4 10.2.0.0/16");
    assertThat(match(s, event("DestinationIp", "10.1.2.3"))).hasSize(3);
  }

  @Test
  void expiry_isRelativeToEventTime() {
    long from = Timestamps.parse("2022-08-01T00:00:00Z");
    long until = Timestamps.parse("2022-08-22T10:00:00Z");
    Indicator i = Indicator.of(Observable.of(ObservableType.IPV4, "198.51.100.77"), PARTNER).withValidity(from, until);
    IndicatorSet s = IndicatorSet.compile(List.of(i));
    Event e = event("DestinationIp", "198.51.100.77");
    assertThat(match(s, e)).isEmpty();
    e.timestamp(until - 1);
    assertThat(match(s, e)).hasSize(1);
    e.timestamp(from - 1);
    assertThat(match(s, e)).isEmpty();
    e.timestamp(Event.NO_TIME);
    assertThat(match(s, e)).hasSize(1);
  }

  @Test
  void revocation_andNewestVersionWins() {
    Observable o = Observable.of(ObservableType.DOMAIN, "evil.example");
    Indicator v1 = new Indicator("indicator--1", "v1", "", List.of(List.of(o)), Long.MIN_VALUE, Long.MAX_VALUE, false,
        List.of(), List.of(), List.of(), "", List.of(), "2022-01-01T00:00:00Z", List.of(PARTNER));
    Indicator v2 = new Indicator("indicator--1", "v2", "", List.of(List.of(o)), Long.MIN_VALUE, Long.MAX_VALUE, true,
        List.of(), List.of(), List.of(), "", List.of(), "2022-02-01T00:00:00Z", List.of(PARTNER));
    assertThat(IndicatorSet.compile(List.of(v1, v2)).size()).isZero();
    assertThat(IndicatorSet.compile(List.of(v2.withSources(List.of(PARTNER)), v1)).size()).isZero();
    assertThat(IndicatorSet.compile(List.of(v1)).size()).isOne();
  }

  @Test
  void deduplication_keepsEverySourceWithItsConfidence() {
    Observable o = Observable.of(ObservableType.IPV4, "198.51.100.77");
    Source y = new Source("CERT-Y", "y.csv", 40, Marking.GREEN, -1);
    IndicatorSet s = IndicatorSet.compile(List.of(Indicator.of(o, PARTNER), Indicator.of(Observable.of(
        ObservableType.IPV4, "198.51.100.77/32"), y)));
    assertThat(s.size()).isOne();
    Indicator merged = s.indicators().get(0);
    assertThat(merged.sources()).containsExactly(PARTNER, y);
    assertThat(merged.confidence()).isEqualTo(80);
    assertThat(merged.marking()).isEqualTo(Marking.AMBER);
    Alert a = match(s, event("DestinationIp", "198.51.100.77")).get(0);
    assertThat(a.group().get("sources")).isEqualTo("CERT-X|80|tlp:amber;CERT-Y|40|tlp:green");
    assertThat(a.author()).isEqualTo("CERT-X, CERT-Y");
  }

  @Test
  void conjunction_needsEveryObservableInTheSameEvent() {
    IndicatorSet s = IndicatorSet.compile(List.of(new Indicator(null, "", "", Pattern.parse(
        "[file:name = 'wdupd.exe' AND file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']").clauses(),
        Long.MIN_VALUE, Long.MAX_VALUE, false, List.of(), List.of(), List.of(), "", List.of(), "", List.of(PARTNER))));
    assertThat(match(s, event("Image", "C:\\Windows\\Temp\\wdupd.exe", "Hashes",
        "MD5=CEAD3F77F6CDA6EC00F57D76C9A6879F"))).hasSize(1);
    assertThat(match(s, event("Image", "C:\\Windows\\Temp\\other.exe", "Hashes",
        "MD5=CEAD3F77F6CDA6EC00F57D76C9A6879F"))).isEmpty();
  }

  @Test
  void unrelatedFields_andEmptySet_matchNothing() {
    assertThat(match(IndicatorSet.EMPTY, event("DestinationIp", "1.2.3.4"))).isEmpty();
    assertThat(match(set("IPV4 1.2.3.4"), event("CommandLine", "ping 1.2.3.4"))).isEmpty();
    assertThat(match(set("IPV4 1.2.3.4"), event("DestinationIp", "not an address"))).isEmpty();
  }
}
