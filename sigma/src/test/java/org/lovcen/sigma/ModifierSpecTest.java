package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lovcen.sigma.Rules.event;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Event;

/** Every modifier of the Sigma modifiers appendix v2.1, table-driven from its text. */
class ModifierSpecTest {
  static Stream<Arguments> table() {
    return Stream.of(
        // generic
        row("contains", "F|contains: bad", event("F", "a BAD thing"), true),
        row("contains miss", "F|contains: bad", event("F", "good"), false),
        row("startswith", "F|startswith: adm", event("F", "Administrator"), true),
        row("startswith miss", "F|startswith: adm", event("F", "xadm"), false),
        row("endswith", "F|endswith: '\\cmd.exe'", event("F", "C:\\Windows\\System32\\cmd.exe"), true),
        row("endswith miss", "F|endswith: '\\cmd.exe'", event("F", "C:\\cmd.exe.bak"), false),
        row("contains keeps inner wildcard", "F|contains: 'a*c'", event("F", "xxabbbcxx"), true),
        row("all", "F|contains|all:\n  - ' -enc '\n  - 'hidden'", event("F", "powershell -w hidden -enc AAA"), true),
        row("all needs each", "F|contains|all:\n  - ' -enc '\n  - 'hidden'", event("F", "powershell -enc AAA"), false),
        row("exists true", "F|exists: true", event("F", ""), true),
        row("exists true absent", "F|exists: true", event("G", "x"), false),
        row("exists false absent", "F|exists: false", event("G", "x"), true),
        row("exists counts null", "F|exists: true", event("F", null), true),
        row("cased", "F|cased: CamelCase", event("F", "CamelCase"), true),
        row("cased differs", "F|cased: CamelCase", event("F", "camelcase"), false),
        row("cased with contains", "F|contains|cased: Evil", event("F", "xEvilx"), true),
        row("cased with contains differs", "F|contains|cased: Evil", event("F", "xevilx"), false),
        row("neq", "F|neq: a", event("F", "b"), true),
        row("neq equal", "F|neq: a", event("F", "A"), false),
        row("neq list is none of", "F|neq:\n  - a\n  - b", event("F", "b"), false),
        row("neq absent field", "F|neq: a", event("G", "x"), true),
        // string
        row("windash dash matches slash", "F|windash|contains: ' -exec '", event("F", "psexec /exec x"), true),
        row("windash other flag", "F|windash|contains: ' -exec '", event("F", "psexec /accepteula x"), false),
        row("windash dash to slash", "F|windash|contains: ' -accepteula'", event("F", "psexec /accepteula"), true),
        row("windash en dash", "F|windash|contains: ' -accepteula'", event("F", "psexec \u2013accepteula"), true),
        row("windash em dash", "F|windash|contains: ' -accepteula'", event("F", "psexec \u2014accepteula"), true),
        row("windash horizontal bar", "F|windash|contains: ' -accepteula'", event("F", "psexec \u2015accepteula"), true),
        row("windash not inside word", "F|windash|contains: 'a-b'", event("F", "a/b"), false),
        row("re search", "F|re: 'ab+c'", event("F", "xxabbbcxx"), true),
        row("re case-sensitive", "F|re: 'abc'", event("F", "ABC"), false),
        row("re i", "F|re|i: 'abc'", event("F", "ABC"), true),
        row("re m", "F|re|m: '^two$'", event("F", "one\ntwo\nthree"), true),
        row("re without m", "F|re: '^two$'", event("F", "one\ntwo\nthree"), false),
        row("re s", "F|re|s: 'one.two'", event("F", "one\ntwo"), true),
        row("re without s", "F|re: 'one.two'", event("F", "one\ntwo"), false),
        row("re with quantifier braces", "F|re: '^10\\.\\d{1,3}\\.1\\.\\d{1,3}$'", event("F", "10.20.1.60"), true),
        row("re with quantifier braces miss", "F|re: '^10\\.\\d{1,3}\\.1\\.\\d{1,3}$'", event("F", "10.20.2.60"),
            false),
        row("re backslash", "F|re: '\\\\cmd\\.exe$'", event("F", "C:\\x\\cmd.exe"), true),
        row("re dot matches carriage return", "F|re: 'a.b'", event("F", "a\rb"), true),
        row("re dot matches line separator", "F|re: 'a.b'", event("F", "a\u2028b"), true),
        row("re m ends lines at line feed only", "F|re|m: 'one$'", event("F", "one\r\ntwo"), false),
        row("re bracket inside a class is a character", "F|re: '^[a[b]]x'", event("F", "[]x"), true),
        row("re bracket inside a class is no union", "F|re: '^[a[b]]x'", event("F", "ax"), false),
        row("re ampersands inside a class are characters", "F|re: '^[a-z&&[^b]]x'", event("F", "&]x"), true),
        row("re POSIX class", "F|re: '^[[:digit:]]x'", event("F", "1x"), true),
        row("re hex escape", "F|re: '\\x41dmin'", event("F", "Admin"), true),
        row("re unicode property", "F|re: '\\p{Lu}dmin'", event("F", "Admin"), true),
        // encoding
        row("base64", "F|base64: 'hello world'", event("F", "aGVsbG8gd29ybGQ="), true),
        row("base64 contains", "F|base64|contains: 'hello world'", event("F", "xxaGVsbG8gd29ybGQ=xx"), true),
        row("base64offset 0", "F|base64offset|contains: '/bin/bash'", event("F", "ZWNobyAvYmluL2Jhc2ggLWk="), true),
        row("base64offset 1", "F|base64offset|contains: '/bin/bash'", event("F", "YWVjaG8gL2Jpbi9iYXNoIC1p"), true),
        row("base64offset 2", "F|base64offset|contains: '/bin/bash'", event("F", "YWJlY2hvIC9iaW4vYmFzaCAtaQ=="), true),
        row("base64offset miss", "F|base64offset|contains: '/bin/bash'", event("F", "aGVsbG8gd29ybGQ="), false),
        row("wide base64offset", "F|wide|base64offset|contains: 'cmd'",
            event("F", "cABvAHcAZQByAHMAaABlAGwAbAAgAC0AYwAgAGMAbQBkAA=="), true),
        row("utf16le base64", "F|utf16le|base64|contains: 'cmd'", event("F", "xYwBtAGQAx"), true),
        row("wide plain", "F|wide|contains: 'ab'", event("F", "xa\u0000b\u0000y"), true),
        row("utf16be plain", "F|utf16be|contains: 'ab'", event("F", "x\u0000a\u0000by"), true),
        row("utf16 bom", "F|utf16|startswith: 'ab'", event("F", "\u00ff\u00fea\u0000b\u0000"), true),
        // numeric
        row("lt", "F|lt: 10", event("F", "9"), true),
        row("lt equal", "F|lt: 10", event("F", "10"), false),
        row("lte", "F|lte: 10", event("F", "10"), true),
        row("gt", "F|gt: 10", event("F", "11"), true),
        row("gt miss", "F|gt: 10", event("F", "3"), false),
        row("gt 64-bit hex", "F|gt: 0", event("F", "0xFFFFFFFFFFFFFFFF"), true),
        row("lt 64-bit hex", "F|lt: 0", event("F", "0x8000000000000000"), false),
        row("gte", "F|gte: 10", event("F", "10"), true),
        row("gt hex value", "F|gt: 10", event("F", "0x20"), true),
        row("gt non-number", "F|gt: 10", event("F", "abc"), false),
        row("lt absent counts as 0", "F|lt: 10", event("G", "x"), true),
        // time
        row("hour", "T|hour: 22", event("T", "2026-11-25T22:15:00Z"), true),
        row("hour miss", "T|hour: 21", event("T", "2026-11-25T22:15:00Z"), false),
        row("minute", "T|minute: 15", event("T", "2026-11-25T22:15:00Z"), true),
        row("day", "T|day: 25", event("T", "2026-11-25 22:15:00.000"), true),
        row("week", "T|week: 48", event("T", "2026-11-25T22:15:00Z"), true),
        row("month", "T|month: 11", event("T", "2026-11-25T22:15:00Z"), true),
        row("year", "T|year: 2026", event("T", "2026-11-25T22:15:00Z"), true),
        row("hour gte", "T|hour|gte: 20", event("T", "2026-11-25T22:15:00Z"), true),
        // ip
        row("cidr v4", "F|cidr: 10.0.0.0/8", event("F", "10.20.30.40"), true),
        row("cidr v4 miss", "F|cidr: 10.0.0.0/8", event("F", "11.0.0.1"), false),
        row("cidr v4 /23", "F|cidr: 192.168.2.0/23", event("F", "192.168.3.255"), true),
        row("cidr v6", "F|cidr: 'fe80::/10'", event("F", "fe80::1234:5678"), true),
        row("cidr v6 miss", "F|cidr: 'fe80::/10'", event("F", "2001:db8::1"), false),
        row("cidr v6 signed group is no address", "F|cidr: 'ffff::/16'", event("F", "-1::"), false),
        row("cidr v6 plus sign is no address", "F|cidr: '1::/16'", event("F", "+1::"), false),
        row("cidr v6 full form", "F|cidr: '2001:db8::/32'", event("F", "2001:0db8:0000:0000:0000:0000:0000:0001"), true),
        row("cidr list", "F|cidr:\n  - 10.0.0.0/8\n  - 172.16.0.0/12", event("F", "172.20.0.1"), true),
        row("cidr everything", "F|cidr: 0.0.0.0/0", event("F", "255.255.255.255"), true),
        row("cidr /32", "F|cidr: 192.0.2.7/32", event("F", "192.0.2.7"), true),
        row("cidr /32 miss", "F|cidr: 192.0.2.7/32", event("F", "192.0.2.8"), false),
        row("cidr v4 rule, v6 value", "F|cidr: 10.0.0.0/8", event("F", "::1"), false),
        row("cidr v6 rule, v4 value", "F|cidr: '::/0'", event("F", "10.1.1.1"), false),
        row("cidr not an address", "F|cidr: 10.0.0.0/8", event("F", "10.0.0"), false),
        // specific
        row("fieldref", "F|fieldref: G", event("F", "abc", "G", "abc"), true),
        row("fieldref differs", "F|fieldref: G", event("F", "abc", "G", "abd"), false),
        row("fieldref contains", "F|fieldref|contains: G", event("F", "xabcx", "G", "abc"), true),
        row("fieldref startswith", "F|fieldref|startswith: G", event("F", "abcx", "G", "abc"), true),
        row("fieldref endswith", "F|fieldref|endswith: G", event("F", "xabc", "G", "abc"), true),
        row("fieldref neq", "F|fieldref|neq: G", event("F", "a", "G", "b"), true));
  }

  static Arguments row(String name, String item, Event e, boolean expected) {
    return Arguments.of(name, item, e, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void modifier_matchesAsSpecified(String name, String item, Event e, boolean expected) {
    String detection = "sel:\n" + item.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n")
        + "condition: sel";
    assertThat(Rules.matches(detection, e)).as(name).isEqualTo(expected);
  }

  @Test
  void base64offset_producesPySigmaVariants() {
    List<SigmaValue> v = Modifiers.apply("F", List.of("base64offset", "contains"),
        List.of(new Modifiers.Raw("/bin/bash", Yaml.Kind.STRING)), Map.of()).values();
    assertThat(v).extracting(x -> ((SigmaValue.Str) x).display())
        .containsExactly("*L2Jpbi9iYXNo*", "*9iaW4vYmFza*", "*vYmluL2Jhc2*");
  }

  @Test
  void windash_expandsEveryCombination() {
    List<SigmaValue> v = Modifiers.apply("F", List.of("windash"),
        List.of(new Modifiers.Raw("-a -b", Yaml.Kind.STRING)), Map.of()).values();
    assertThat(v).hasSize(25);
  }

  @Test
  void expand_usesPlaceholderValues() {
    String rule = Rules.rule("sel:\n  User|expand: '%admins%'\ncondition: sel");
    RuleSet set = Rules.compile(rule, Map.of("admins", List.of("root", "adm*")));
    assertThat(Rules.matches(set, event("User", "root"))).hasSize(1);
    assertThat(Rules.matches(set, event("User", "admin2"))).hasSize(1);
    assertThat(Rules.matches(set, event("User", "bob"))).isEmpty();
  }

  @Test
  void expand_escapedPercentIsLiteral() {
    String rule = Rules.rule("sel:\n  F|expand: '\\%plain%x%'\ncondition: sel");
    RuleSet set = Rules.compile(rule, Map.of("x", List.of("1")));
    assertThat(Rules.matches(set, event("F", "%plain1"))).hasSize(1);
  }

  @Test
  void expand_withoutValues_ruleWaitsForPlaceholders() {
    RuleParser.Parsed p = RuleParser.parse("t.yml", Rules.rule("sel:\n  User|expand: '%admins%'\ncondition: sel"),
        Map.of());
    assertThat(p.errors()).isEmpty();
    assertThat(p.waiting().values()).containsExactly("needs values for placeholder(s) %admins%");
  }

  @Test
  void unknownModifier_isAnErrorNamingIt() {
    assertThatThrownBy(() -> RuleSet.parse("bad.yml", Rules.rule("sel:\n  F|containz: x\ncondition: sel"), Map.of()))
        .isInstanceOf(SigmaException.class).hasMessageContaining("bad.yml").hasMessageContaining("containz")
        .hasMessageContaining("line 7");
  }

  @Test
  void base64OfWildcard_isAnError() {
    assertThatThrownBy(() -> RuleSet.parse("bad.yml", Rules.rule("sel:\n  F|base64: 'a*'\ncondition: sel"), Map.of()))
        .hasMessageContaining("wildcards");
  }

  @Test
  void reAfterOtherModifier_isAnError() {
    assertThatThrownBy(() -> RuleSet.parse("bad.yml", Rules.rule("sel:\n  F|contains|re: 'a'\ncondition: sel"),
        Map.of())).hasMessageContaining("must come first");
  }

  @Test
  void catastrophicRegex_runsInLinearTime_orIsUnsupported() {
    // (a+)+$ takes exponential time in backtracking engines; RE2 answers at once.
    RuleSet set = Rules.compile(Rules.rule("sel:\n  F|re: '(a+)+$'\ncondition: sel"), Map.of());
    assertThat(Rules.matches(set, event("F", "a".repeat(5000) + "!"))).isEmpty();
    RuleSet lookahead = Rules.compile(Rules.rule("sel:\n  F|re: 'a(?=b)'\ncondition: sel"), Map.of());
    assertThat(lookahead.rules()).isEmpty();
    assertThat(lookahead.report().unsupported()).singleElement()
        .satisfies(i -> assertThat(i.reason()).contains("linear-time").contains("a(?=b)"));
  }
}
