package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The literal a regex requires: every sample the regex finds must contain it. */
class RegexLiteralsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
      "'^10\\.\\d{1,3}\\.1\\.\\d{1,3}$' | '10.'    | 10.20.1.60",
      "'abc{2}def'                      | def      | abccdef",
      "'ab?cdef'                        | cdef     | acdef",
      "'(foo|bar)bazz'                  | bazz     | barbazz",
      "'x|y'                            | NONE     | y",
      "'[a-z]+\\.exe'                   | .exe     | cmd.exe",
      "'\\\\Windows\\\\Temp\\\\'        | \\windows\\temp\\ | C:\\Windows\\Temp\\x",
      "'(?i)powershell'                 | powershell | PowerShell",
      "'a\\{,3}bcd'                     | 'a{,3}bcd' | a{,3}bcd",
      "'ab+cd'                          | ab       | abbbcd",
      "'\\x41BCD'                       | bcd      | ABCD",
      "'\\x{41}BCD'                     | bcd      | ABCD",
      "'\\u0041BCD'                     | bcd      | ABCD",
      "'\\0101BCD'                      | bcd      | ABCD",
      "'\\cAxyz'                        | xyz      | '\u0001xyz'",
      "'\\p{Lu}xyz'                     | xyz      | Axyz",
      "'\\pLxyz'                        | xyz      | Axyz",
      "'\\P{Lu}xyz'                     | xyz      | axyz",
      "'\\Qa.b\\E'                      | a.b      | a.b",
      "'\\Qab\\E?cd'                    | cd       | acd",
      "'(x\\Q)\\Eyz)'                   | NONE     | x)yz",
      "'[a\\Q]\\E]x'                    | x        | ax",
      "'a\uD83D\uDE00?bc'                | bc       | abc",
      "'a\\Qb\uD83D\uDE00\\E*cd'          | ab       | abcd",
      "'xyA\\Q\\E*b'                    | xy       | xyb",
      "'[[:digit:]]xyz'                 | xyz      | 1xyz",
      "'xyA(?i){0,1}b'                  | xy       | xyb"})
  void required_isContainedInEveryMatch(String regex, String literal, String sample) {
    String got = RegexLiterals.required(regex);
    assertThat(got).isEqualTo(literal == null ? null : Fold.fold(literal));
    assertThat(matches(regex, sample)).as("sample matches").isTrue();
    if (got != null) {
      assertThat(Fold.fold(sample)).contains(got);
    }
  }

  /** Whether the JDK or RE2 (POSIX classes are RE2's alone) finds the regex in the sample. */
  private static boolean matches(String regex, String sample) {
    boolean jdk = Pattern.compile(regex).matcher(sample).find();
    try {
      return jdk || com.google.re2j.Pattern.compile(regex).matcher(sample).find();
    } catch (com.google.re2j.PatternSyntaxException e) {
      return jdk;
    }
  }
}
