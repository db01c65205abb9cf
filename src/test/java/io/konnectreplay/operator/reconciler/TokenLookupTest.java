package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.konnectreplay.operator.TestJobs;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.konnect.KonnectToken;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TokenLookupTest {
  static final AuditLogReplayJob JOB = TestJobs.job("j").portal(TestJobs.PORTAL).window("2026-11-21T00:00:00Z",
      "2026-11-21T01:00:00Z").build();

  static Secret secret(Map<String, String> data, Map<String, String> stringData) {
    return new SecretBuilder().withNewMetadata().withName(TestJobs.SECRET).withNamespace("platform")
        .addToLabels(TokenLookup.CREDENTIAL_LABEL, TokenLookup.CREDENTIAL_LABEL_VALUE).endMetadata()
        .withData(data).withStringData(stringData).build();
  }

  static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

  @Test
  void readsBase64DataAndTrimsIt() {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.of(secret(Map.of("token", b64("kpat_abc\n")), null)));
    assertThat(lookup.problem()).isNull();
    assertThat(lookup.token()).isEqualTo(KonnectToken.of("kpat_abc"));
    assertThat(lookup.token().toString()).doesNotContain("kpat_abc");
  }

  @Test
  void readsStringDataAsSomeApiServersKeepIt() {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.of(secret(null, Map.of("token", "spat_x"))));
    assertThat(lookup.token()).isEqualTo(KonnectToken.of("spat_x"));
  }

  @Test
  void missingSecretSaysHowToCreateIt() {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.empty());
    assertThat(lookup.problem().reason()).isEqualTo(Reasons.SECRET_NOT_FOUND);
    assertThat(lookup.problem().message()).contains("platform/konnect-token", "kubectl create secret generic",
        "kubectl label secret konnect-token -n platform konghq.com/credential=konnect");
  }

  @Test
  void aSecretWithoutTheLabelSaysTheExactCommandAndNothingOfItsContent() {
    for (Map<String, String> labels : java.util.List.of(Map.<String, String>of(), Map.of("konghq.com/credential",
        "other"), Map.of("app", "konnect"))) {
      Secret unlabelled = new SecretBuilder(secret(Map.of("token", b64("kpat_valid"), "password", b64("hunter2")),
          null)).editMetadata().withLabels(labels).endMetadata().build();
      TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.of(unlabelled));
      assertThat(lookup.token()).isNull();
      assertThat(lookup.problem().reason()).as(labels.toString()).isEqualTo(Reasons.SECRET_NOT_LABELED);
      assertThat(lookup.problem().message())
          .contains("kubectl label secret konnect-token -n platform konghq.com/credential=konnect")
          .doesNotContain("password", "\"token\"", "kpat_valid", "hunter2");
    }
  }

  @Test
  void missingKeyNamesTheKeyWantedButNotTheSecretsOtherKeys() {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.of(secret(Map.of("password", b64("kpat_secret")),
        null)));
    assertThat(lookup.problem().reason()).isEqualTo(Reasons.SECRET_KEY_NOT_FOUND);
    assertThat(lookup.problem().message()).contains("\"token\"", "spec.konnect.authRef.key")
        .doesNotContain("password").doesNotContain("kpat_secret");
  }

  @Test
  void emptyValueIsAProblem() {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.of(secret(Map.of("token", b64("  ")), null)));
    assertThat(lookup.problem().reason()).isEqualTo(Reasons.SECRET_KEY_NOT_FOUND);
    assertThat(lookup.problem().message()).contains("empty");
  }

  @Test
  void customKeyIsUsed() {
    AuditLogReplayJob job = TestJobs.job("k").portal(TestJobs.PORTAL).window("2026-11-21T00:00:00Z",
        "2026-11-21T01:00:00Z").secret("s", "pat").build();
    assertThat(TokenLookup.lookup(job, Optional.of(secret(Map.of("pat", b64("kpat_k")), null))).token())
        .isEqualTo(KonnectToken.of("kpat_k"));
  }

  @Property(tries = 1000)
  void anyValueIsEitherAUsableTokenOrInvalidTokenNeverAnException(@ForAll("secretValues") String value) {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.of(secret(Map.of("token", b64(value)), null)));

    // what the Secret holds is bytes: a lone surrogate has no UTF-8 form and reads back as '?'
    String trimmed = new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).strip();
    boolean usable = !trimmed.isEmpty() && trimmed.length() <= KonnectToken.MAX_LENGTH
        && trimmed.chars().allMatch(c -> c >= 0x21 && c <= 0x7E);
    if (usable) {
      assertThat(lookup.problem()).isNull();
      assertThat(lookup.token()).isEqualTo(KonnectToken.of(trimmed));
    } else {
      assertThat(lookup.token()).isNull();
      assertThat(lookup.problem().reason()).isIn(Reasons.INVALID_TOKEN, Reasons.SECRET_KEY_NOT_FOUND);
      if (!trimmed.isEmpty()) assertThat(lookup.problem().reason()).isEqualTo(Reasons.INVALID_TOKEN);
      if (trimmed.length() >= 4) assertThat(lookup.problem().message()).doesNotContain(trimmed);
    }
  }

  @Provide
  Arbitrary<String> secretValues() {
    Arbitrary<String> visible = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(80);
    Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40);
    Arbitrary<String> withBreak = Combinators.combine(visible, Arbitraries.of("\r\n", "\n", "\u0000", " ", "\t",
        "\u00e9", "\u2028", "\uD83D\uDE00", "\uD800"), visible).as((a, b, c) -> a + b + c);
    Arbitrary<String> padded = visible.map(v -> "  " + v + "\n");
    Arbitrary<String> tooLong = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(4090).ofMaxLength(4200);
    return Arbitraries.oneOf(visible, any, withBreak, padded, tooLong);
  }

  @Test
  void aTokenWithALineBreakInsideIsInvalidAndTheMessageSaysWhyWithoutQuotingIt() {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB,
        Optional.of(secret(Map.of("token", b64("kpat_first\r\nX-Injected: yes")), null)));
    assertThat(lookup.problem().reason()).isEqualTo(Reasons.INVALID_TOKEN);
    assertThat(lookup.problem().message()).contains("character 11 is whitespace", "no call was made to Konnect")
        .doesNotContain("kpat_first").doesNotContain("Injected");
  }
}
