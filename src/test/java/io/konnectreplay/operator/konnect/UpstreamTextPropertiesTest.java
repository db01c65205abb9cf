package io.konnectreplay.operator.konnect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Whatever an upstream answers, the token (and any credential shape) is redacted before the text is cut, and at most
 * 1 KiB of it reaches the message: the message a condition and an Event carry.
 */
class UpstreamTextPropertiesTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @Provide
  Arbitrary<String> tokens() {
    return Arbitraries.strings().withChars("ABCDEFGHIJ0123456789_").ofMinLength(8).ofMaxLength(60).map(s -> "kpat_" + s);
  }

  /** Filler without the letters of "kpat"/"spat" and "bearer", so any such text in a message came from the token. */
  @Provide
  Arbitrary<String> filler() {
    return Arbitraries.strings().withChars("xyzXYZ019 .-:/<>\"{}").ofMaxLength(3000);
  }

  @Property(tries = 1000)
  void aTokenEchoedAnywhereInAPlainBodyNeverReachesTheMessage(@ForAll("tokens") String token,
      @ForAll("filler") String before, @ForAll("filler") String after,
      @ForAll @IntRange(min = 400, max = 599) int code, @ForAll boolean asHeader) {
    String echoed = asHeader ? "Authorization: Bearer " + token : token;
    String body = before + echoed + after;

    KonnectException e = KonnectErrors.fromResponse(code, body, null, NOW, KonnectToken.of(token));

    assertThat(e.getMessage()).doesNotContain("pat_").doesNotContain(token.substring(5, 9));
    assertThat(e.getMessage().length()).isLessThanOrEqualTo(KonnectMessages.MAX_UPSTREAM + 64 + 1);
  }

  @Property(tries = 1000)
  void aProblemDetailOfAnyLengthIsRedactedThenCutTo1KiB(@ForAll("tokens") String token,
      @ForAll("filler") String before, @ForAll @IntRange(min = 0, max = 6000) int padding) {
    String detail = before + "x".repeat(padding) + " Bearer " + token + " spat_other";
    String body = "{\"status\":403,\"title\":\"Forbidden\",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "'")
        + "\"}";

    KonnectException e = KonnectErrors.fromResponse(403, body, null, NOW, KonnectToken.of(token));

    assertThat(e.getMessage()).doesNotContain("pat_").doesNotContain(token.substring(5, 9));
    assertThat(e.getMessage().length()).isLessThanOrEqualTo(KonnectMessages.MAX_UPSTREAM + 64 + 1);
  }

  @Test
  void aFourKilobyteDetailIsCutToOneKibibyte() {
    String body = "{\"status\":400,\"title\":\"Bad Request\",\"detail\":\"" + "d".repeat(4096) + "\"}";
    KonnectException e = KonnectErrors.fromResponse(400, body, null, NOW, KonnectToken.of("kpat_x1234567"));
    assertThat(e.getMessage()).startsWith("Konnect answered 400 Bad Request: ddd").endsWith("…");
    String upstream = e.getMessage().substring("Konnect answered 400 Bad Request: ".length());
    assertThat(upstream).hasSizeLessThanOrEqualTo(KonnectMessages.MAX_UPSTREAM).hasSizeGreaterThan(1000);
  }

  @Test
  void aTokenStraddlingTheOldCutIsRedactedWhole() {
    String token = "kpat_ABCDEFGHIJ0123456789";
    String body = "y".repeat(170) + "Authorization: Bearer " + token; // the token begins at character 192, before the old cut at 200
    KonnectException e = KonnectErrors.fromResponse(502, body, null, NOW, KonnectToken.of(token));
    assertThat(e.getMessage()).doesNotContain("kpat").doesNotContain("ABCD");
  }
}
