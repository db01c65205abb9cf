package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Watches the webhook of one target and replays, by itself, what an outage of the webhook lost. */
@Group(AuditLogReplayJob.GROUP)
@Version(AuditLogReplayJob.VERSION)
@Kind("AuditLogReplayPolicy")
@Plural("auditlogreplaypolicies")
@Singular("auditlogreplaypolicy")
@ShortNames("alrp")
@Categories("konnectreplay")
@AdditionalPrinterColumn(name = "Region", jsonPath = ".spec.region", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Portal", jsonPath = ".spec.portalID", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Webhook", jsonPath = ".status.webhook.status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last healthy", jsonPath = ".status.lastHealthyAt", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Open gap", jsonPath = ".status.openGap.since", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonClassDescription("Gap healing for one target (an organization region or a Dev Portal): the operator reads the "
    + "target's webhook delivery status every checkInterval and, when the webhook recovers from an outage, creates one "
    + "AuditLogReplayJob that replays the outage's window (widened by margin) so that no audit event is lost.")
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class AuditLogReplayPolicy extends CustomResource<AuditLogReplayPolicySpec, AuditLogReplayPolicyStatus>
    implements Namespaced {

  public static final String CRD_NAME = "auditlogreplaypolicies." + AuditLogReplayJob.GROUP;
  /** The label every job a policy creates carries: the policy's name. */
  public static final String POLICY_LABEL = AuditLogReplayJob.GROUP + "/policy";

  /** Read leniently: a spec this version cannot read marks this resource only (see {@link LenientBlock}). */
  @Override
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = LenientBlock.PolicySpec.class)
  public void setSpec(AuditLogReplayPolicySpec spec) { super.setSpec(spec); }

  /** Read leniently: a status this version cannot read marks this resource only (see {@link LenientBlock}). */
  @Override
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = LenientBlock.PolicyStatus.class)
  public void setStatus(AuditLogReplayPolicyStatus status) { super.setStatus(status); }

  @Override
  protected AuditLogReplayPolicyStatus initStatus() {
    return new AuditLogReplayPolicyStatus();
  }
}
