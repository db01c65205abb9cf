package io.konnectreplay.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Read tolerantly: a field this version does not know (a typo the mock API stored, a newer CRD's field, a newer
 * operator's status field during a rollback) is ignored, never fatal to the informer.
 */
class TolerantReadTest {

  static final String PACKAGE = AuditLogReplayJob.class.getPackageName();
  final KubernetesSerialization serialization = new KubernetesSerialization();

  @Test
  void unknownFieldsAtEveryLevelAreIgnoredAndKnownValuesKept() {
    String json = """
        {"apiVersion": "konnectreplay.io/v1alpha1", "kind": "AuditLogReplayJob", "fromTheFuture": {"a": 1},
         "metadata": {"name": "skewed", "namespace": "platform", "generation": 2},
         "spec": {"region": "us", "portalId": "typo", "rerunnonce": "x", "priority": 7,
                  "window": {"lookback": "2h", "lookbak": "1h", "alignTo": "hour"},
                  "konnect": {"authRef": {"name": "konnect-token", "namespace": "other"}, "proxy": "http://p",
                              "serverURL": "https://us.api.konghq.com"}},
         "status": {"phase": "Running", "attempts": 1, "shard": 3, "remote": {"status": "running", "jobId": "j"},
                    "window": {"startAt": "2026-11-20T00:00:00Z", "endAt": "2026-11-20T02:00:00Z", "tz": "UTC"},
                    "queue": {"position": 1, "eta": "soon"}, "intent": {"attempt": 2, "by": "pod-1"},
                    "webhook": {"status": "active", "lastResponseCode": 200, "retries": 2},
                    "conditions": [{"type": "Ready", "status": "False", "reason": "Running", "message": "m",
                                    "lastTransitionTime": "2026-11-20T00:00:00Z", "observedGeneration": 2,
                                    "severity": "Info"}]}}
        """;

    AuditLogReplayJob job = serialization.unmarshal(json, AuditLogReplayJob.class);

    assertThat(job.getMetadata().getName()).isEqualTo("skewed");
    assertThat(job.getSpec().getRegion()).isEqualTo("us");
    assertThat(job.getSpec().getPortalID()).as("portalId is not portalID").isNull();
    assertThat(job.getSpec().getRerunNonce()).as("rerunnonce is not rerunNonce").isNull();
    assertThat(job.getSpec().getWindow().getLookback()).isEqualTo("2h");
    assertThat(job.getSpec().getKonnect().getAuthRef().getName()).isEqualTo("konnect-token");
    assertThat(job.getSpec().getKonnect().getServerURL()).isEqualTo("https://us.api.konghq.com");
    assertThat(job.getStatus().getPhase()).isEqualTo(Phase.Running);
    assertThat(job.getStatus().getAttempts()).isEqualTo(1);
    assertThat(job.getStatus().getRemote().getStatus()).isEqualTo("running");
    assertThat(job.getStatus().getWindow().getEndAt()).isEqualTo("2026-11-20T02:00:00Z");
    assertThat(job.getStatus().getQueue().getPosition()).isEqualTo(1);
    assertThat(job.getStatus().getIntent().getAttempt()).isEqualTo(2);
    assertThat(job.getStatus().getWebhook().getLastResponseCode()).isEqualTo(200);
    Condition ready = job.getStatus().getConditions().get(0);
    assertThat(ready.getType()).isEqualTo("Ready");
    assertThat(ready.getReason()).isEqualTo("Running");
    assertThat(ready.getObservedGeneration()).isEqualTo(2L);
  }

  /**
   * A value of a type this version cannot read marks its block instead of failing the list or watch event that
   * carries it; the mark survives the operator's copy (JOSDK copies every resource it hands the reconciler).
   */
  @Test
  void aBlockThatCannotBeReadIsMarkedAndSurvivesACopy() {
    String json = """
        {"apiVersion": "konnectreplay.io/v1alpha1", "kind": "AuditLogReplayJobList", "metadata": {},
         "items": [
           {"apiVersion": "konnectreplay.io/v1alpha1", "kind": "AuditLogReplayJob", "metadata": {"name": "bad"},
            "spec": {"region": "us", "window": "1h"}, "status": {"attempts": "one", "conditions": {"a": 1}}},
           {"apiVersion": "konnectreplay.io/v1alpha1", "kind": "AuditLogReplayJob", "metadata": {"name": "good"},
            "spec": {"region": "us", "window": {"lookback": "1h"}}, "status": {"attempts": 1}}]}
        """;
    var list = serialization.unmarshal(new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)), new com.fasterxml.jackson.core.type.TypeReference<
        io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList<AuditLogReplayJob>>() { });
    AuditLogReplayJob bad = list.getItems().get(0);
    AuditLogReplayJob good = list.getItems().get(1);

    assertThat(good.getSpec().getWindow().getLookback()).isEqualTo("1h");
    assertThat(good.getSpec().unreadable()).isNull();
    assertThat(good.getStatus().unreadable()).isNull();
    assertThat(bad.getSpec().unreadable()).isEqualTo("spec.window could not be read: \"1h\" is a string where this"
        + " version of the operator expects an object (was the resource admitted by a CRD other than this operator's?)");
    assertThat(bad.getStatus().unreadable()).startsWith("status.attempts could not be read: \"one\" is a string where"
        + " this version of the operator expects a number");
    AuditLogReplayJob copy = io.konnectreplay.operator.api.v1alpha1.LenientlyRead.copy(serialization, bad);
    assertThat(copy.getSpec().unreadable()).isEqualTo(bad.getSpec().unreadable());
    assertThat(copy.getStatus().unreadable()).isEqualTo(bad.getStatus().unreadable());
  }

  /** The policy reads its blocks the same way: a bad one marks that policy only, and the mark survives a copy. */
  @Test
  void aPolicyBlockThatCannotBeReadIsMarkedAndSurvivesACopy() {
    String json = """
        {"apiVersion": "konnectreplay.io/v1alpha1", "kind": "AuditLogReplayPolicyList", "metadata": {},
         "items": [
           {"apiVersion": "konnectreplay.io/v1alpha1", "kind": "AuditLogReplayPolicy", "metadata": {"name": "bad"},
            "spec": {"region": "us", "konnect": "konnect-token"}, "status": {"gaps": "many"}},
           {"apiVersion": "konnectreplay.io/v1alpha1", "kind": "AuditLogReplayPolicy", "metadata": {"name": "good"},
            "spec": {"region": "us", "checkInterval": "10s"}, "status": {"gaps": [{"startAt": "2026-11-20T00:00:00Z"}]}}]}
        """;
    var list = serialization.unmarshal(new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)), new com.fasterxml.jackson.core.type.TypeReference<
        io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList<io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy>>() { });
    var bad = list.getItems().get(0);
    var good = list.getItems().get(1);
    assertThat(good.getSpec().getCheckInterval()).isEqualTo("10s");
    assertThat(good.getStatus().getGaps()).singleElement().satisfies(g -> assertThat(g.getStartAt())
        .isEqualTo("2026-11-20T00:00:00Z"));
    assertThat(good.getSpec().unreadable()).isNull();
    assertThat(good.getStatus().unreadable()).isNull();
    assertThat(bad.getSpec().unreadable()).startsWith("spec.konnect could not be read: \"konnect-token\" is a string"
        + " where this version of the operator expects an object");
    assertThat(bad.getStatus().unreadable()).startsWith("status.gaps could not be read: \"many\" is a string where"
        + " this version of the operator expects a list");
    var copy = io.konnectreplay.operator.api.v1alpha1.LenientlyRead.copy(serialization, bad);
    assertThat(copy.getSpec().unreadable()).isEqualTo(bad.getSpec().unreadable());
    assertThat(copy.getStatus().unreadable()).isEqualTo(bad.getStatus().unreadable());
  }

  /** Fails for a class added to the package without the tolerant annotation, before any user meets it. */
  @Test
  void everyDataClassOfThePackageIgnoresUnknownFields() throws Exception {
    List<Class<?>> dataClasses = dataClasses();
    assertThat(dataClasses).extracting(Class::getSimpleName)
        .contains("AuditLogReplayJob", "AuditLogReplayJobSpec", "ReplayWindow", "KonnectSettings", "SecretKeyRef",
            "AuditLogReplayJobStatus", "RemoteJob", "QueueStatus", "AuditLogReplayPolicy", "AuditLogReplayPolicySpec",
            "AuditLogReplayPolicyStatus", "Gap", "OpenGap", "WebhookObservation");
    for (Class<?> type : dataClasses) {
      assertThatCode(() -> serialization.unmarshal("{\"fieldThisVersionDoesNotKnow\": {\"x\": [1]}}", type))
          .as("%s must ignore unknown fields: annotate it with @JsonIgnoreProperties(ignoreUnknown = true)",
              type.getName())
          .doesNotThrowAnyException();
    }
  }

  /** Every class of the package, nested ones included, that has instance fields Jackson would read. */
  static List<Class<?>> dataClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path dir = Path.of(AuditLogReplayJob.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(PACKAGE.replace('.', '/'));
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
        String name = file.getFileName().toString().replaceFirst("\\.class$", "");
        Class<?> type = Class.forName(PACKAGE + "." + name, false, AuditLogReplayJob.class.getClassLoader());
        if (type.isEnum() || type.isInterface() || type.isAnonymousClass() || type.isSynthetic()) continue;
        // a base class is never read on its own: its subclasses are checked
        if (java.lang.reflect.Modifier.isAbstract(type.getModifiers())) continue;
        if (type.getEnclosingClass() == io.konnectreplay.operator.api.v1alpha1.CrdManifest.class) continue; // not data
        if (com.fasterxml.jackson.databind.JsonDeserializer.class.isAssignableFrom(type)
            || com.fasterxml.jackson.databind.JsonSerializer.class.isAssignableFrom(type)) {
          continue; // the package's lenient readers, not data
        }
        boolean hasState = Arrays.stream(type.getDeclaredFields()).map(Field::getModifiers)
            .anyMatch(m -> !Modifier.isStatic(m));
        if (hasState || type == AuditLogReplayJob.class || type == io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy.class) {
          classes.add(type);
        }
      }
    }
    return classes;
  }
}
