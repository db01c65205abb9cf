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
import org.junit.jupiter.api.Test;

class TokenLookupTest {
  static final AuditLogReplayJob JOB = TestJobs.job("j").portal(TestJobs.PORTAL).window("2026-11-21T00:00:00Z",
      "2026-11-21T01:00:00Z").build();

  static Secret secret(Map<String, String> data, Map<String, String> stringData) {
    return new SecretBuilder().withNewMetadata().withName(TestJobs.SECRET).withNamespace("platform").endMetadata()
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
    assertThat(lookup.problem().message()).contains("platform/konnect-token", "kubectl create secret generic");
  }

  @Test
  void missingKeyListsTheKeysThere() {
    TokenLookup.Lookup lookup = TokenLookup.lookup(JOB, Optional.of(secret(Map.of("password", b64("kpat_secret")),
        null)));
    assertThat(lookup.problem().reason()).isEqualTo(Reasons.SECRET_KEY_NOT_FOUND);
    assertThat(lookup.problem().message()).contains("\"token\"", "password").doesNotContain("kpat_secret");
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
}
