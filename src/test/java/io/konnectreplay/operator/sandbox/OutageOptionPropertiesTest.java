package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** {@code sandbox --outage D}: 0s, or at least 12s, in any Go spelling; anything else is refused by name. */
class OutageOptionPropertiesTest {

  @Property(tries = 300)
  void anOutageIsZeroOrAtLeastTwelveSecondsWhateverItsSpelling(@ForAll @LongRange(min = 0, max = 10_000_000)
      long millis, @ForAll("spellings") int spelling, @ForAll boolean separate) {
    Duration d = Duration.ofMillis(millis);
    String text = spell(d, spelling);
    String[] args = separate ? new String[] {"--outage", text} : new String[] {"--outage=" + text};
    if (d.isZero() || d.compareTo(HealingDemo.SHORTEST_OUTAGE) >= 0) {
      assertThat(SandboxCommand.parse(args).outage()).as(text).isEqualTo(d);
    } else {
      assertThatThrownBy(() -> SandboxCommand.parse(args)).as(text)
          .hasMessageContaining("--outage").hasMessageContaining("shorter than 12s");
    }
  }

  @Property(tries = 200)
  void aValueThatIsNoGoDurationIsRefusedByName(@ForAll("notDurations") String text) {
    assertThatThrownBy(() -> SandboxCommand.parse(new String[] {"--outage", text})).as(text)
        .hasMessageContaining("--outage");
  }

  @Provide
  Arbitrary<Integer> spellings() {
    return Arbitraries.integers().between(0, 2);
  }

  /** The same duration as milliseconds, as seconds plus milliseconds, or as minutes, seconds and milliseconds. */
  static String spell(Duration d, int spelling) {
    long ms = d.toMillis();
    return switch (spelling) {
      case 0 -> ms + "ms";
      case 1 -> (ms / 1000) + "s" + (ms % 1000) + "ms";
      default -> (ms / 60_000) + "m" + (ms % 60_000 / 1000) + "s" + (ms % 1000) + "ms";
    };
  }

  @Provide
  Arbitrary<String> notDurations() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(1, 100_000).map(String::valueOf),          // a number without a unit
        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6),             // words
        Arbitraries.integers().between(1, 999).map(n -> "-" + n + "s"),           // negative
        Arbitraries.integers().between(1, 999).map(n -> n + "d"));                // a unit Go does not know
  }
}
