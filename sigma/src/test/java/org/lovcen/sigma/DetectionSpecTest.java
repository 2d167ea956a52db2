package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lovcen.sigma.Rules.event;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Event;

/**
 * Table-driven tests of detection semantics, written from the Sigma specification v2.1
 * (rules specification and modifiers appendix). Where the specification is silent the expected
 * value follows pySigma; docs/SIGMA.md lists those decisions.
 */
class DetectionSpecTest {
  static Stream<Arguments> table() {
    return Stream.of(
        // --- lists are OR, maps are AND ---
        row("list OR", "sel:\n  Image:\n    - a.exe\n    - b.exe\ncondition: sel", event("Image", "b.exe"), true),
        row("list OR none", "sel:\n  Image:\n    - a.exe\n    - b.exe\ncondition: sel", event("Image", "c.exe"), false),
        row("map AND", "sel:\n  Image: a.exe\n  User: bob\ncondition: sel", event("Image", "a.exe", "User", "bob"), true),
        row("map AND one fails", "sel:\n  Image: a.exe\n  User: bob\ncondition: sel",
            event("Image", "a.exe", "User", "eve"), false),
        row("list of maps OR", "sel:\n  - Image: a.exe\n  - User: bob\ncondition: sel", event("User", "bob"), true),
        // --- plain values: whole value, case-insensitive ---
        row("equality is whole value", "sel:\n  Image: cmd.exe\ncondition: sel", event("Image", "xcmd.exe"), false),
        row("case-insensitive", "sel:\n  Image: CMD.EXE\ncondition: sel", event("Image", "cmd.exe"), true),
        row("case-insensitive non-ASCII", "sel:\n  User: ŽELJKO\ncondition: sel", event("User", "željko"), true),
        // --- wildcards and escapes ---
        row("star", "sel:\n  Image: '*\\cmd.exe'\ncondition: sel", event("Image", "C:\\Windows\\cmd.exe"), true),
        row("question mark one char", "sel:\n  Image: prog?.exe\ncondition: sel", event("Image", "progA.exe"), true),
        row("question mark not zero", "sel:\n  Image: prog?.exe\ncondition: sel", event("Image", "prog.exe"), false),
        row("escaped star is literal", "sel:\n  Cmd: 'a\\*b'\ncondition: sel", event("Cmd", "a*b"), true),
        row("escaped star not wildcard", "sel:\n  Cmd: 'a\\*b'\ncondition: sel", event("Cmd", "axxb"), false),
        row("escaped question literal", "sel:\n  Cmd: 'a\\?'\ncondition: sel", event("Cmd", "a?"), true),
        row("single backslash literal", "sel:\n  Path: 'C:\\Windows'\ncondition: sel", event("Path", "C:\\Windows"), true),
        row("double backslash is one", "sel:\n  Path: 'C:\\\\Windows'\ncondition: sel", event("Path", "C:\\Windows"), true),
        row("escaped backslash then wildcard", "sel:\n  Path: 'dir\\\\*'\ncondition: sel",
            event("Path", "dir\\anything"), true),
        row("three backslashes: backslash and literal star", "sel:\n  Path: 'dir\\\\\\*'\ncondition: sel",
            event("Path", "dir\\*"), true),
        row("three backslashes not wildcard", "sel:\n  Path: 'dir\\\\\\*'\ncondition: sel",
            event("Path", "dir\\x"), false),
        row("four backslashes are two", "sel:\n  Path: 'a\\\\\\\\b'\ncondition: sel", event("Path", "a\\\\b"), true),
        // --- special values ---
        row("empty value matches empty", "sel:\n  Field: ''\ncondition: sel", event("Field", ""), true),
        row("empty value not non-empty", "sel:\n  Field: ''\ncondition: sel", event("Field", "x"), false),
        row("null matches absent", "sel:\n  A: x\nfilter:\n  Field: null\ncondition: sel and filter", event("A", "x"), true),
        row("null matches JSON null", "sel:\n  Field: null\ncondition: sel", event("Field", null), true),
        row("null not empty string", "sel:\n  Field: null\ncondition: sel", event("Field", ""), false),
        row("not null", "sel:\n  A: x\nfilter:\n  Field: null\ncondition: sel and not filter",
            event("A", "x", "Field", "v"), true),
        row("absent field does not match pattern", "sel:\n  Field: '*'\ncondition: sel", event("A", "x"), false),
        // --- numbers ---
        row("number equals number", "sel:\n  EventID: 4688\ncondition: sel", event("EventID", "4688"), true),
        row("number equals text", "sel:\n  EventID: 4688\ncondition: sel", event("EventID", "4689"), false),
        row("hex value as written", "sel:\n  GrantedAccess: 0x1010\ncondition: sel", event("GrantedAccess", "0x1010"), true),
        row("hex value by number", "sel:\n  GrantedAccess: 0x1010\ncondition: sel", event("GrantedAccess", "4112"), true),
        row("quoted hex is a string", "sel:\n  GrantedAccess: '0x1010'\ncondition: sel",
            event("GrantedAccess", "0X1010"), true),
        row("boolean", "sel:\n  Enabled: true\ncondition: sel", event("Enabled", "true"), true),
        // --- keywords ---
        row("keyword anywhere", "kw:\n  - 'event::clear'\ncondition: kw", event("CommandLine", "mimikatz event::clear x"), true),
        row("keyword case-insensitive", "kw:\n  - 'EVENT::CLEAR'\ncondition: kw", event("Data", "event::clear"), true),
        row("keyword absent", "kw:\n  - 'event::drop'\ncondition: kw", event("Data", "event::clear"), false),
        row("keyword all", "kw:\n  '|all':\n    - 'OabVirtualDirectory'\n    - ' -ExternalUrl '\ncondition: kw",
            event("Payload", "Set-OabVirtualDirectory -ExternalUrl http://x"), true),
        row("keyword all needs all", "kw:\n  '|all':\n    - 'OabVirtualDirectory'\n    - ' -ExternalUrl '\ncondition: kw",
            event("Payload", "Set-OabVirtualDirectory"), false),
        // --- multi-valued fields (JSON arrays) ---
        row("any element of an array", "sel:\n  Tag: b\ncondition: sel", event("Tag", "a", "Tag", "b"), true));
  }

  static Arguments row(String name, String detection, Event e, boolean expected) {
    return Arguments.of(name, detection, e, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void detection_matchesAsSpecified(String name, String detection, Event e, boolean expected) {
    assertThat(Rules.matches(detection, e)).as(name).isEqualTo(expected);
  }
}
