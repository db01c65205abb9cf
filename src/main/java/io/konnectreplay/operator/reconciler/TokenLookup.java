package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import io.konnectreplay.operator.konnect.KonnectToken;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Reads the Konnect token from the Secret a resource references (same namespace only). */
public final class TokenLookup {
  private TokenLookup() {}

  /** The token, or the problem; exactly one of the two is set. */
  public record Lookup(KonnectToken token, ReplayDecision.TokenProblem problem) {}

  public static Lookup lookup(AuditLogReplayJob job, Optional<Secret> secret) {
    SecretKeyRef ref = job.getSpec().getKonnect().getAuthRef();
    String name = job.getMetadata().getNamespace() + "/" + ref.getName();
    String key = ref.keyOrDefault();
    if (secret.isEmpty()) {
      return problem(Reasons.SECRET_NOT_FOUND, "Secret " + name + " not found: create it in namespace "
          + job.getMetadata().getNamespace() + " with the Konnect token under key \"" + key + "\" (kubectl create"
          + " secret generic " + ref.getName() + " --from-literal=" + key + "=<token>). The operator picks it up at"
          + " once.");
    }
    Secret s = secret.get();
    String value = null;
    Map<String, String> data = s.getData();
    if (data != null && data.get(key) != null) {
      try {
        value = new String(Base64.getDecoder().decode(data.get(key).strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return problem(Reasons.SECRET_KEY_NOT_FOUND, "Secret " + name + " key \"" + key
            + "\" is not valid base64 data.");
      }
    } else if (s.getStringData() != null && s.getStringData().get(key) != null) {
      value = s.getStringData().get(key);
    }
    if (value == null) {
      TreeSet<String> keys = new TreeSet<>();
      if (data != null) keys.addAll(data.keySet());
      if (s.getStringData() != null) keys.addAll(s.getStringData().keySet());
      return problem(Reasons.SECRET_KEY_NOT_FOUND, "Secret " + name + " has no key \"" + key + "\" (it has: "
          + (keys.isEmpty() ? "none" : String.join(", ", keys)) + "): add the token under that key, or set"
          + " spec.konnect.authRef.key.");
    }
    if (value.isBlank()) {
      return problem(Reasons.SECRET_KEY_NOT_FOUND, "Secret " + name + " key \"" + key + "\" is empty: put the"
          + " Konnect token there.");
    }
    return new Lookup(KonnectToken.of(value), null);
  }

  private static Lookup problem(String reason, String message) {
    return new Lookup(null, new ReplayDecision.TokenProblem(reason, message));
  }
}
