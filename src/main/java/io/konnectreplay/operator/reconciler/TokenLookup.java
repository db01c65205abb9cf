package io.konnectreplay.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import io.konnectreplay.operator.konnect.KonnectToken;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Konnect token from the Secret a resource references (same namespace only). The operator caches only
 * Secrets that carry {@value #CREDENTIAL_LABEL}={@value #CREDENTIAL_LABEL_VALUE}, the label Kong's own operator
 * uses for Konnect credentials, so that one Secret can serve both.
 */
public final class TokenLookup {
  private static final Logger LOG = LoggerFactory.getLogger(TokenLookup.class);

  private TokenLookup() {}

  public static final String CREDENTIAL_LABEL = "konghq.com/credential";
  public static final String CREDENTIAL_LABEL_VALUE = "konnect";
  /** The label selector of the operator's Secret informer. */
  public static final String CREDENTIAL_SELECTOR = CREDENTIAL_LABEL + "=" + CREDENTIAL_LABEL_VALUE;

  /** Whether the operator's Secret informer caches this Secret. */
  public static boolean labelled(Secret secret) {
    Map<String, String> labels = secret.getMetadata() == null ? null : secret.getMetadata().getLabels();
    return labels != null && CREDENTIAL_LABEL_VALUE.equals(labels.get(CREDENTIAL_LABEL));
  }

  /**
   * The referenced Secret: the cached one, else one GET, to tell a missing Secret from one without the label (the
   * cache holds labelled Secrets only). A miss is rare and stalls the resource, so the GET is at most one per
   * reconcile of a stalled resource: labelling the Secret brings it into the cache, which reconciles it again. A
   * failed GET reads as not found (the resource stalls as SecretNotFound and is retried), with a log line.
   */
  public static Optional<Secret> referenced(KubernetesClient kubernetes, String namespace, String name,
      Optional<Secret> cached) {
    if (cached.isPresent()) return cached;
    try {
      return Optional.ofNullable(kubernetes.secrets().inNamespace(namespace).withName(name).get());
    } catch (KubernetesClientException e) {
      LOG.warn("could not read Secret {}/{} ({}): reporting it as not found", namespace, name, e.getCode());
      return Optional.empty();
    }
  }

  /** The token, or the problem; exactly one of the two is set. */
  public record Lookup(KonnectToken token, ReplayDecision.TokenProblem problem) {}

  public static Lookup lookup(AuditLogReplayJob job, Optional<Secret> secret) {
    return lookup(job.getMetadata().getNamespace(), job.getSpec().getKonnect().getAuthRef(), secret);
  }

  /** The token a resource in {@code namespace} references with {@code ref}, or the problem. */
  public static Lookup lookup(String namespace, SecretKeyRef ref, Optional<Secret> secret) {
    String name = namespace + "/" + ref.getName();
    String key = ref.keyOrDefault();
    String label = "kubectl label secret " + ref.getName() + " -n " + namespace + " " + CREDENTIAL_SELECTOR;
    if (secret.isEmpty()) {
      return problem(Reasons.SECRET_NOT_FOUND, "Secret " + name + " not found: create it in namespace "
          + namespace + " with the Konnect token under key \"" + key + "\" and label it (kubectl create secret generic "
          + ref.getName() + " -n " + namespace + " --from-literal=" + key + "=<token>, then " + label
          + "). The operator picks it up at once.");
    }
    Secret s = secret.get();
    if (!labelled(s)) {
      // Only the label is named: the Secret's keys are the owner's business, and it was not read further.
      return problem(Reasons.SECRET_NOT_LABELED, "Secret " + name + " exists but does not carry the label "
          + CREDENTIAL_SELECTOR + ", so the operator does not watch it: " + label
          + ". The operator picks it up at once.");
    }
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
      // The Secret's other keys are not listed: they are the Secret owner's business, not the reader's.
      return problem(Reasons.SECRET_KEY_NOT_FOUND, "Secret " + name + " has no key \"" + key + "\": add the token"
          + " under that key, or set spec.konnect.authRef.key to the key that holds it.");
    }
    if (value.isBlank()) {
      return problem(Reasons.SECRET_KEY_NOT_FOUND, "Secret " + name + " key \"" + key + "\" is empty: put the"
          + " Konnect token there.");
    }
    String invalid = KonnectToken.problem(value);
    if (invalid != null) {
      return problem(Reasons.INVALID_TOKEN, "Secret " + name + " key \"" + key + "\" does not hold a usable Konnect"
          + " token: " + invalid + ". Put the token itself there (kpat_… or spat_…), for example with kubectl create"
          + " secret generic " + ref.getName() + " --from-literal=" + key + "=<token>; no call was made to Konnect.");
    }
    return new Lookup(KonnectToken.of(value), null);
  }

  private static Lookup problem(String reason, String message) {
    return new Lookup(null, new ReplayDecision.TokenProblem(reason, message));
  }
}
