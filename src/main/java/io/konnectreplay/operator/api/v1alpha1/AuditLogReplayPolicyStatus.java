package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What the policy saw and did: the webhook's last status, when it was last healthy, how far the "
    + "checks are known to have run, the open gap, the recent gaps and their replays, and kstatus-style conditions.")
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class AuditLogReplayPolicyStatus extends LenientlyRead {

  /** How many gaps status.gaps keeps. */
  public static final int MAX_GAPS = 10;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("The Konnect target watched: <region>/portal/<portalID> or <region>/org, prefixed by the "
      + "server when it is not the region's default.")
  private String target;

  @JsonPropertyDescription("The webhook status as read from Konnect when the status was last written (the checks in "
      + "between are not recorded, so that a healthy webhook costs no status writes).")
  private WebhookObservation webhook;

  @JsonPropertyDescription("The last check at which the webhook was healthy (enabled, not inactive, last response 2xx "
      + "or no delivery attempt yet), RFC3339.")
  private String lastHealthyAt;

  @JsonPropertyDescription("The checks are known to have run until here, RFC3339. Refreshed on every change of state "
      + "and otherwise every POLICY_REFRESH_PERIOD; after an operator restart, a longer unobserved stretch than that "
      + "period plus 3 × checkInterval is healed as a gap.")
  private String observedThrough;

  @JsonPropertyDescription("Set while the webhook is unhealthy, or recovered less than margin ago.")
  private OpenGap openGap;

  @Size(max = MAX_GAPS)
  @JsonPropertyDescription("The most recent gaps (at most 10), newest last, with the replay created for each: kept as "
      + "evidence after the replays are cleaned up.")
  private List<Gap> gaps = new ArrayList<>();

  @JsonPropertyDescription("Ready, Healing, Stalled and DataLost, in the metav1.Condition shape.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public String getTarget() { return target; }
  public void setTarget(String target) { this.target = target; }
  public WebhookObservation getWebhook() { return webhook; }
  public void setWebhook(WebhookObservation webhook) { this.webhook = webhook; }
  public String getLastHealthyAt() { return lastHealthyAt; }
  public void setLastHealthyAt(String lastHealthyAt) { this.lastHealthyAt = lastHealthyAt; }
  public String getObservedThrough() { return observedThrough; }
  public void setObservedThrough(String observedThrough) { this.observedThrough = observedThrough; }
  public OpenGap getOpenGap() { return openGap; }
  public void setOpenGap(OpenGap openGap) { this.openGap = openGap; }
  public List<Gap> getGaps() { return gaps; }
  public void setGaps(List<Gap> gaps) { this.gaps = gaps; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class WebhookObservation {
    @JsonPropertyDescription("Konnect's webhook_enabled.")
    private Boolean enabled;
    @JsonPropertyDescription("Konnect's webhook_status: active or inactive (after repeated failed deliveries).")
    private String status;
    @JsonPropertyDescription("HTTP status the webhook endpoint last answered.")
    private Integer lastResponseCode;
    @JsonPropertyDescription("When Konnect last tried to deliver, RFC3339.")
    private String lastAttemptAt;
    @JsonPropertyDescription("When the operator read this, RFC3339.")
    private String observedAt;

    public WebhookObservation() {}
    public WebhookObservation(Boolean enabled, String status, Integer lastResponseCode, String lastAttemptAt,
        String observedAt) {
      this.enabled = enabled;
      this.status = status;
      this.lastResponseCode = lastResponseCode;
      this.lastAttemptAt = lastAttemptAt;
      this.observedAt = observedAt;
    }
    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public String getStatus() { return status; }
    public void setStatus(String status) { this.status = status; }
    public Integer getLastResponseCode() { return lastResponseCode; }
    public void setLastResponseCode(Integer lastResponseCode) { this.lastResponseCode = lastResponseCode; }
    public String getLastAttemptAt() { return lastAttemptAt; }
    public void setLastAttemptAt(String lastAttemptAt) { this.lastAttemptAt = lastAttemptAt; }
    public String getObservedAt() { return observedAt; }
    public void setObservedAt(String observedAt) { this.observedAt = observedAt; }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class OpenGap {
    @JsonPropertyDescription("Start of the gap: the last check at which the webhook was healthy (or the last time the "
        + "checks are known to have run), RFC3339.")
    private String since;
    @JsonPropertyDescription("The first healthy check after the outage, RFC3339. The gap closes, and its replay is "
        + "created, once the webhook has stayed healthy for margin; an outage before then continues this gap.")
    private String healthySince;

    public OpenGap() {}
    public OpenGap(String since, String healthySince) {
      this.since = since;
      this.healthySince = healthySince;
    }
    public String getSince() { return since; }
    public void setSince(String since) { this.since = since; }
    public String getHealthySince() { return healthySince; }
    public void setHealthySince(String healthySince) { this.healthySince = healthySince; }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class Gap {
    @JsonPropertyDescription("Start of the gap (the last healthy check before it), RFC3339.")
    private String startAt;
    @JsonPropertyDescription("End of the gap (the first healthy check after it), RFC3339.")
    private String endAt;
    @JsonPropertyDescription("Name of the AuditLogReplayJob created for it, in the policy's namespace; absent when "
        + "nothing of the gap was still within Konnect's retention.")
    private String job;
    @JsonPropertyDescription("The replay's phase as last seen (Completed or Failed once it ended).")
    private String phase;
    @JsonPropertyDescription("Set when part of the gap (widened by margin) was older than Konnect's 7-day retention: "
        + "events before this time, RFC3339, are lost.")
    private String lostUntil;

    public Gap() {}
    public Gap(String startAt, String endAt, String job, String phase, String lostUntil) {
      this.startAt = startAt;
      this.endAt = endAt;
      this.job = job;
      this.phase = phase;
      this.lostUntil = lostUntil;
    }
    public String getStartAt() { return startAt; }
    public void setStartAt(String startAt) { this.startAt = startAt; }
    public String getEndAt() { return endAt; }
    public void setEndAt(String endAt) { this.endAt = endAt; }
    public String getJob() { return job; }
    public void setJob(String job) { this.job = job; }
    public String getPhase() { return phase; }
    public void setPhase(String phase) { this.phase = phase; }
    public String getLostUntil() { return lostUntil; }
    public void setLostUntil(String lostUntil) { this.lostUntil = lostUntil; }
  }
}
