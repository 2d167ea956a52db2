package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lovcen.sigma.Rules.event;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Condition forms and precedence, from the rules specification's "Condition" section. */
class ConditionSpecTest {
  private static final String IDS = "a:\n  A: 1\nb:\n  B: 1\nc:\n  C: 1\nsel_x:\n  X: 1\nsel_y:\n  Y: 1\n_u:\n  U: 1\n";

  static Stream<Arguments> table() {
    return Stream.of(
        row("a and b", "A,B", true), row("a and b", "A", false),
        row("a or b", "B", true), row("a or b", "C", false),
        row("not a", "B", true), row("not a", "A", false),
        row("a and not b", "A", true), row("a and not b", "A,B", false),
        // precedence: or < and < not
        row("a or b and c", "A", true), row("a or b and c", "B", false), row("a or b and c", "B,C", true),
        row("not a and b", "B", true), row("not a and b", "A,B", false),
        row("not a or b", "A,B", true), row("not a or b", "A", false),
        row("(a or b) and c", "A", false), row("(a or b) and c", "A,C", true),
        row("not (a or b)", "C", true), row("not (a or b)", "B", false),
        // x of
        row("1 of sel_*", "Y", true), row("1 of sel_*", "A", false),
        row("all of sel_*", "X", false), row("all of sel_*", "X,Y", true),
        row("any of sel_*", "X", true),
        row("1 of them", "C", true), row("1 of them", "U", false),
        row("all of them", "A,B,C,X,Y", true), row("all of them", "A,B,C,X", false),
        row("2 of sel_* or c", "X", false), row("2 of sel_* or c", "X,Y", true), row("2 of sel_* or c", "C", true),
        row("1 of sel_* and not a", "X", true), row("1 of sel_* and not a", "X,A", false),
        row("not 1 of sel_*", "A", true), row("not 1 of sel_*", "Y", false),
        row("a AND b", "A,B", true), row("NOT a", "B", true),
        row("all of sel* and a", "A,X,Y", true));
  }

  static Arguments row(String condition, String fields, boolean expected) {
    return Arguments.of(condition, fields, expected);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("table")
  void condition_evaluatesWithSpecPrecedence(String condition, String fields, boolean expected) {
    String[] names = fields.split(",");
    String[] kv = new String[names.length * 2];
    for (int i = 0; i < names.length; i++) {
      kv[2 * i] = names[i];
      kv[2 * i + 1] = "1";
    }
    assertThat(Rules.matches(IDS + "condition: " + condition, event(kv))).isEqualTo(expected);
  }

  @Test
  void conditionList_isOr() {
    String d = IDS + "condition:\n  - a and b\n  - c";
    assertThat(Rules.matches(d, event("C", "1"))).isTrue();
    assertThat(Rules.matches(d, event("A", "1"))).isFalse();
  }

  @Test
  void badConditions_areErrorsWithColumn() {
    assertThatThrownBy(() -> ConditionParser.parse("a and (b or c")).hasMessageContaining("')' expected");
    assertThatThrownBy(() -> ConditionParser.parse("a and")).hasMessageContaining("expression expected");
    assertThatThrownBy(() -> ConditionParser.parse("a b")).hasMessageContaining("column 3");
    assertThatThrownBy(() -> ConditionParser.parse("0 of x")).hasMessageContaining("before 'of'");
    assertThatThrownBy(() -> RuleSet.parse("r.yml", Rules.rule(IDS + "condition: a and missing"), java.util.Map.of()))
        .hasMessageContaining("unknown search identifier 'missing'");
    assertThatThrownBy(() -> RuleSet.parse("r.yml", Rules.rule(IDS + "condition: 1 of nothing*"), java.util.Map.of()))
        .hasMessageContaining("matches no search identifier");
  }
}
