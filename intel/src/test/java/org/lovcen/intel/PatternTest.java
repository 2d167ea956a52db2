package org.lovcen.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The patterning language of STIX 2.1 (section 9), with the specification's examples. */
class PatternTest {
  /** Pattern examples of the specification (section 9.9) and of its indicator examples. */
  @ParameterizedTest
  @ValueSource(strings = {
      "[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]",
      "[ url:value = 'http://x4z9arb.cn/4712/' ]",
      "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = "
          + "'2001:0db8:dead:beef:dead:beef:dead:0001/128']",
      "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
      "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
      "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = "
          + "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
      "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR "
          + "windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\"
          + "CryptoLocker_0388']",
      "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
      "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
      "[x-usb-device:usbdrive.serial_number = '575833304152303234323330']",
      "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY "
          + "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] "
          + "WITHIN 300 SECONDS",
      "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] "
          + "REPEATS 5 TIMES WITHIN 1800 SECONDS",
      "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR "
          + "file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = "
          + "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = "
          + "'HKEY_LOCAL_MACHINE\\\\foo\\\\bar'] WITHIN 300 SECONDS",
      "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = "
          + "'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND "
          + "user-account:account_login = 'Paul']",
      "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES "
          + "'\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
      "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
      "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
      "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
      "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
      "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
      "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] START t'2016-06-01T00:00:00Z' STOP "
          + "t'2016-07-01T00:00:00Z'",
      "[network-traffic:src_port = 12345 AND network-traffic:dst_port NOT IN (22, 80)]",
      "[file:extensions.'windows-pebinary-ext'.sections[*].name LIKE '%text%']",
      "[process:name = 'x' AND process:pid > -1 AND process:is_hidden = true AND file:content = b'AQID']",
      "([file:name = 'a'] OR [file:name = 'b']) WITHIN 10 SECONDS",
      "[EXISTS windows-registry-key:values]"})
  void specificationExamples_parse(String text) {
    Pattern p = Pattern.parse(text);
    assertThat(p.text()).isEqualTo(text);
    assertThat(p.root()).isNotNull();
  }

  @Test
  void clauses_ofAddressDisjunction_areOnePerValue_normalised() {
    List<List<Observable>> c = Pattern.parse("[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = "
        + "'203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']").clauses();
    assertThat(c).containsExactly(List.of(new Observable(ObservableType.IPV4, "198.51.100.1")),
        List.of(new Observable(ObservableType.IPV4, "203.0.113.33")),
        List.of(new Observable(ObservableType.IPV6, "2001:db8:dead:beef:dead:beef:dead:1")));
  }

  @Test
  void clauses_distributeAndOverOr() {
    List<List<Observable>> c = Pattern.parse("[(file:name = 'a.exe' OR file:name = 'b.exe') AND "
        + "file:hashes.MD5 = 'CEAD3F77F6CDA6EC00F57D76C9A6879F']").clauses();
    Observable md5 = new Observable(ObservableType.MD5, "cead3f77f6cda6ec00f57d76c9a6879f");
    assertThat(c).containsExactly(List.of(new Observable(ObservableType.FILE_NAME, "a.exe"), md5),
        List.of(new Observable(ObservableType.FILE_NAME, "b.exe"), md5));
  }

  @Test
  void clauses_ofObservationOr_andInAndIssubset() {
    assertThat(Pattern.parse("[domain-name:value IN ('a.example', 'b.example')] OR [url:value = "
        + "'HTTP://Example.COM:80/x#frag']").clauses()).containsExactly(
        List.of(new Observable(ObservableType.DOMAIN, "a.example")),
        List.of(new Observable(ObservableType.DOMAIN, "b.example")),
        List.of(new Observable(ObservableType.URL, "http://example.com/x")));
    assertThat(Pattern.parse("[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']")
        .clauses()).containsExactly(List.of(new Observable(ObservableType.IPV6, "2001:db8:dead:beef::/64")));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [file:name = 'x'] WITHIN 300 SECONDS|FOLLOWEDBY",
      "[file:name = 'a'] AND [file:name = 'b']|observation operator AND",
      "[file:name = 'a'] REPEATS 5 TIMES|qualifier REPEATS",
      "[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'|qualifier START STOP",
      "[process:command_line MATCHES 'x']|operator MATCHES",
      "[ipv4-addr:value != '1.2.3.4']|operator !=",
      "[domain-name:value NOT = 'a.example']|NOT =",
      "[x509-certificate:issuer = 'CN=WEBMAIL']|object path x509-certificate:issuer",
      "[EXISTS windows-registry-key:values]|EXISTS",
      "[file:size = 12]|int literal"})
  void clauses_reportUnsupportedConstructs_withReason(String row) {
    String[] parts = row.split("\\|");
    assertThatThrownBy(() -> Pattern.parse(parts[0]).clauses()).isInstanceOfSatisfying(IntelException.class, e -> {
      assertThat(e.unsupported()).isTrue();
      assertThat(e.reason()).contains(parts[1]);
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "|1|expected '[' or '('",
      "[file:name = 'x'|17|expected ']'",
      "[file:name = 'x]|14|unterminated string",
      "[file:name 'x']|12|comparison operator",
      "[:name = 'x']|2|object type",
      "[file:name = 'x'] WITHIN SECONDS|26|expected a value",
      "[file:created = t'2014-01-13']|17|timestamp",
      "[file:name = 'x'] junk|19|unexpected",
      "[file:magic_number_hex = h'ffd']|26|hex literal",
      "[file:name = 'a\\x']|16|escaped"})
  void parse_rejectsMalformedPatterns_withColumn(String row) {
    String[] parts = row.split("\\|");
    assertThatThrownBy(() -> Pattern.parse(parts[0])).isInstanceOfSatisfying(IntelException.class, e -> {
      assertThat(e.unsupported()).isFalse();
      assertThat(e.position()).isEqualTo("column " + parts[1]);
      assertThat(e.reason()).contains(parts[2]);
    });
  }

  @Test
  void parse_boundsNesting() {
    String deep = "[" + "(".repeat(500) + "file:name = 'x'" + ")".repeat(500) + "]";
    assertThatThrownBy(() -> Pattern.parse(deep)).isInstanceOf(IntelException.class).hasMessageContaining("nested");
  }

  @Test
  void pattern_ofIndicator_roundTripsThroughTheParser() {
    Indicator i = Indicator.of(Observable.of(ObservableType.URL, "http://a.example/it's"), new Source("s", "", -1,
        Marking.NONE, -1));
    assertThat(Pattern.parse(i.pattern()).clauses()).isEqualTo(i.clauses());
  }
}
