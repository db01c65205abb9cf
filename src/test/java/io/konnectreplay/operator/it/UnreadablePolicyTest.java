package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.it.OperatorHarness.NAMESPACE;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.emulator.EndpointKind;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A policy the operator cannot read at all — {@code spec.konnect: "konnect-token"}, a string where an object is
 * expected, or {@code status.gaps: "many"} — which only a CRD other than the operator's admits (installed here
 * without a schema), is skipped: Stalled/InvalidSpec naming the field for the one, a Warning Event and an untouched
 * status for the other, and no Konnect call for either. The policies next to them, listed at start or watched, are
 * read at their interval and become Ready, and the operator keeps running.
 */
class UnreadablePolicyTest {
  static final Duration STATE = Duration.ofMillis(300);

  OperatorHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) harness.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void aPolicyThatCannotBeReadIsSkippedAndEveryOtherOneGoesOn() {
    harness = OperatorHarness.scripted(STATE);
    KonnectEmulator konnect = harness.konnect();
    harness.installCrdWithoutSchema(AuditLogReplayPolicy.CRD_NAME);
    String badSpecPortal = harness.newPortal();
    String badStatusPortal = harness.newPortal();
    String listedPortal = harness.newPortal();
    String watchedPortal = harness.newPortal();

    // Listed at start: stored while no operator runs, next to a good one.
    harness.stopOperator();
    create("bad-spec-listed", badSpecPortal, spec -> spec.put("konnect", "konnect-token"));
    create("bad-status", badStatusPortal, spec -> { });
    GenericKubernetesResource stored = harness.raw("AuditLogReplayPolicy").withName("bad-status").get();
    stored.setAdditionalProperty("status", Map.of("gaps", "many", "target", "us/portal/" + badStatusPortal));
    harness.raw("AuditLogReplayPolicy").resource(stored).updateStatus();
    create("good-listed", listedPortal, spec -> { });
    harness.startOperator();

    // Watched: created while the operator runs.
    create("bad-spec-watched", badSpecPortal, spec -> spec.put("konnect", "konnect-token"));
    create("good-watched", watchedPortal, spec -> { });

    for (String good : List.of("good-listed", "good-watched")) {
      harness.awaitPolicyCondition(good, "Ready", "True", "Healthy");
    }
    for (String bad : List.of("bad-spec-listed", "bad-spec-watched")) {
      harness.awaitPolicyCondition(bad, "Stalled", "True", "InvalidSpec");
      assertThat(harness.policyCondition(bad, "Stalled").orElseThrow().getMessage()).startsWith("spec.konnect could not be read:"
          + " \"konnect-token\" is a string where this version of the operator expects an object");
      assertThat(harness.policyCondition(bad, "Ready").orElseThrow().getStatus()).isEqualTo("False");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.events("bad-status").stream()
        .anyMatch(e -> "Warning".equals(e.getType()) && "UnreadableStatus".equals(e.getReason())));
    Event event = harness.events("bad-status").stream().filter(e -> "UnreadableStatus".equals(e.getReason())).findFirst()
        .orElseThrow();
    assertThat(event.getMessage()).startsWith("status.gaps could not be read: \"many\" is a string where this version"
        + " of the operator expects a list").contains("kubectl patch alrp bad-status -n " + NAMESPACE
        + " --subresource=status");
    assertThat((Map<String, Object>) harness.raw("AuditLogReplayPolicy").withName("bad-status").get()
        .getAdditionalProperties().get("status"))
        .as("an unreadable status is left as it is")
        .isEqualTo(Map.of("gaps", "many", "target", "us/portal/" + badStatusPortal));

    for (String portal : List.of(listedPortal, watchedPortal)) {
      assertThat(statusReads(konnect, portal)).as("a good policy reads its webhook").isPositive();
    }
    for (String portal : List.of(badSpecPortal, badStatusPortal)) {
      assertThat(statusReads(konnect, portal)).as("no Konnect call for an unreadable policy").isZero();
    }
    assertThat(harness.client().resources(AuditLogReplayJob.class).inNamespace(NAMESPACE).list().getItems())
        .as("no replay created").isEmpty();
    assertThat(harness.instances().get(0).runtime().ready()).as("the operator still runs").isTrue();
  }

  void create(String name, String portal, java.util.function.Consumer<Map<String, Object>> edit) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("region", "us");
    spec.put("portalID", portal);
    spec.put("konnect", Map.of("authRef", Map.of("name", "konnect-token")));
    spec.put("checkInterval", "10s");
    edit.accept(spec);
    GenericKubernetesResource policy = new GenericKubernetesResource();
    policy.setApiVersion(AuditLogReplayJob.GROUP + "/" + AuditLogReplayJob.VERSION);
    policy.setKind("AuditLogReplayPolicy");
    policy.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE)
        .build());
    policy.setAdditionalProperty("spec", spec);
    harness.raw("AuditLogReplayPolicy").resource(policy).create();
  }




  static long statusReads(KonnectEmulator konnect, String portal) {
    return konnect.requestLog().matching(r -> portal.equals(r.portalId())).stream()
        .filter(r -> r.kind() == EndpointKind.WEBHOOK_STATUS_GET).count();
  }
}
