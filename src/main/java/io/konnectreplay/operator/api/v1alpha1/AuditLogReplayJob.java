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

/** A request to replay one window of Konnect audit logs to the webhook of an organization region or a Dev Portal. */
@Group(AuditLogReplayJob.GROUP)
@Version(AuditLogReplayJob.VERSION)
@Kind("AuditLogReplayJob")
@Plural("auditlogreplayjobs")
@Singular("auditlogreplayjob")
@ShortNames("alrj")
@Categories("konnectreplay")
@AdditionalPrinterColumn(name = "Region", jsonPath = ".spec.region", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Portal", jsonPath = ".spec.portalID", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Start", jsonPath = ".status.window.startAt", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "End", jsonPath = ".status.window.endAt", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Reconciling\")].reason",
    type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonClassDescription("A request to Kong Konnect to replay (re-send) the audit logs of a time window to the webhook of an organization region or a Dev Portal. The operator submits it exactly once, queues it behind other replays of the same target, follows Konnect's job until it ends and mirrors it in status.")
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class AuditLogReplayJob extends CustomResource<AuditLogReplayJobSpec, AuditLogReplayJobStatus>
    implements Namespaced {

  public static final String GROUP = "konnectreplay.io";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "auditlogreplayjobs." + GROUP;

  /** Read leniently: a spec this version cannot read marks this resource only (see {@link LenientBlock}). */
  @Override
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = LenientBlock.JobSpec.class)
  public void setSpec(AuditLogReplayJobSpec spec) { super.setSpec(spec); }

  /** Read leniently: a status this version cannot read marks this resource only (see {@link LenientBlock}). */
  @Override
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = LenientBlock.JobStatus.class)
  public void setStatus(AuditLogReplayJobStatus status) { super.setStatus(status); }

  @Override
  protected AuditLogReplayJobStatus initStatus() {
    return new AuditLogReplayJobStatus();
  }
}
