package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What the operator and Konnect did with the request: phase, the frozen window, the remote job, the webhook's last answer, the queue position, and kstatus-style conditions.")
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class AuditLogReplayJobStatus extends LenientlyRead {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Queued or Suspended before submission; then Accepted, Pending, Running, Completed or Failed "
      + "as Konnect reports. Invalid or expired requests are Failed without being submitted.")
  private Phase phase;

  @JsonPropertyDescription("The absolute window this request replays (a lookback resolved once, then frozen).")
  private ResolvedWindow window;

  @JsonPropertyDescription("The Konnect singleton this request occupies: <region>/portal/<portalID> or <region>/org, "
      + "prefixed by the server when it is not the region's default.")
  private String target;

  @JsonPropertyDescription("The spec.rerunNonce of the request this status describes.")
  private String rerunNonce;

  @JsonPropertyDescription("When Konnect accepted the replay job (202), or when the operator adopted it.")
  private String submittedAt;

  @JsonPropertyDescription("When the request reached Completed or Failed.")
  private String completionTime;

  @JsonPropertyDescription("How many times Konnect accepted this request (1 + resubmissions after a remote failure).")
  private Integer attempts;

  @JsonPropertyDescription("Set while a submission is under way: the operator recorded its intent before the PUT, "
      + "so that after a crash it reads the remote job first and adopts it instead of sending it again.")
  private SubmissionIntent intent;

  @JsonPropertyDescription("The remote replay job as last read from Konnect.")
  private RemoteJob remote;

  @JsonPropertyDescription("The webhook delivery status Konnect reported after the replay completed.")
  private WebhookDelivery webhook;

  @JsonPropertyDescription("While Queued: the place in the target's queue and what blocks it.")
  private QueueStatus queue;

  @JsonPropertyDescription("Ready, Reconciling, Stalled, Complete and Failed, in the metav1.Condition shape.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public Phase getPhase() { return phase; }
  public void setPhase(Phase phase) { this.phase = phase; }
  public ResolvedWindow getWindow() { return window; }
  public void setWindow(ResolvedWindow window) { this.window = window; }
  public String getTarget() { return target; }
  public void setTarget(String target) { this.target = target; }
  public String getRerunNonce() { return rerunNonce; }
  public void setRerunNonce(String rerunNonce) { this.rerunNonce = rerunNonce; }
  public String getSubmittedAt() { return submittedAt; }
  public void setSubmittedAt(String submittedAt) { this.submittedAt = submittedAt; }
  public String getCompletionTime() { return completionTime; }
  public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }
  public Integer getAttempts() { return attempts; }
  public void setAttempts(Integer attempts) { this.attempts = attempts; }
  public SubmissionIntent getIntent() { return intent; }
  public void setIntent(SubmissionIntent intent) { this.intent = intent; }
  public RemoteJob getRemote() { return remote; }
  public void setRemote(RemoteJob remote) { this.remote = remote; }
  public WebhookDelivery getWebhook() { return webhook; }
  public void setWebhook(WebhookDelivery webhook) { this.webhook = webhook; }
  public QueueStatus getQueue() { return queue; }
  public void setQueue(QueueStatus queue) { this.queue = queue; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

  public int attemptsOrZero() { return attempts == null ? 0 : attempts; }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class ResolvedWindow {
    @JsonPropertyDescription("Start of the replayed window, RFC3339 UTC.")
    private String startAt;
    @JsonPropertyDescription("End of the replayed window, RFC3339 UTC.")
    private String endAt;
    @JsonPropertyDescription("The spec.window.lookback this window was resolved from, if any.")
    private String lookback;

    public ResolvedWindow() {}
    public ResolvedWindow(String startAt, String endAt, String lookback) {
      this.startAt = startAt;
      this.endAt = endAt;
      this.lookback = lookback;
    }
    public String getStartAt() { return startAt; }
    public void setStartAt(String startAt) { this.startAt = startAt; }
    public String getEndAt() { return endAt; }
    public void setEndAt(String endAt) { this.endAt = endAt; }
    public String getLookback() { return lookback; }
    public void setLookback(String lookback) { this.lookback = lookback; }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class SubmissionIntent {
    @JsonPropertyDescription("The attempt the pending PUT would be (attempts + 1).")
    private Integer attempt;
    @JsonPropertyDescription("When the intent was recorded, RFC3339.")
    private String at;
    @JsonPropertyDescription("Konnect's own clock was past this when the intent was recorded (the Date of its latest "
        + "answer, rounded up): a finished remote job with this window and a later updated_at is this submission's.")
    private String konnectAfter;

    public SubmissionIntent() {}
    public SubmissionIntent(Integer attempt, String at) {
      this(attempt, at, null);
    }
    public SubmissionIntent(Integer attempt, String at, String konnectAfter) {
      this.attempt = attempt;
      this.at = at;
      this.konnectAfter = konnectAfter;
    }
    public String getKonnectAfter() { return konnectAfter; }
    public void setKonnectAfter(String konnectAfter) { this.konnectAfter = konnectAfter; }
    public Integer getAttempt() { return attempt; }
    public void setAttempt(Integer attempt) { this.attempt = attempt; }
    public String getAt() { return at; }
    public void setAt(String at) { this.at = at; }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class RemoteJob {
    @JsonPropertyDescription("Konnect's job status, verbatim (unconfigured, accepted, pending, running, completed, failed).")
    private String status;
    @JsonPropertyDescription("Start of the remote job's window, as Konnect reports it.")
    private String startAt;
    @JsonPropertyDescription("End of the remote job's window, as Konnect reports it.")
    private String endAt;
    @JsonPropertyDescription("Konnect's updated_at of the job.")
    private String updatedAt;
    @JsonPropertyDescription("When the operator first saw the job in this state.")
    private String observedAt;

    public RemoteJob() {}
    public RemoteJob(String status, String startAt, String endAt, String updatedAt, String observedAt) {
      this.status = status;
      this.startAt = startAt;
      this.endAt = endAt;
      this.updatedAt = updatedAt;
      this.observedAt = observedAt;
    }
    public String getStatus() { return status; }
    public void setStatus(String status) { this.status = status; }
    public String getStartAt() { return startAt; }
    public void setStartAt(String startAt) { this.startAt = startAt; }
    public String getEndAt() { return endAt; }
    public void setEndAt(String endAt) { this.endAt = endAt; }
    public String getUpdatedAt() { return updatedAt; }
    public void setUpdatedAt(String updatedAt) { this.updatedAt = updatedAt; }
    public String getObservedAt() { return observedAt; }
    public void setObservedAt(String observedAt) { this.observedAt = observedAt; }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class WebhookDelivery {
    @JsonPropertyDescription("Konnect's webhook_status: active, inactive or unconfigured.")
    private String status;
    @JsonPropertyDescription("HTTP status the webhook endpoint last answered.")
    private Integer lastResponseCode;
    @JsonPropertyDescription("The message that came with it.")
    private String lastResponseMessage;
    @JsonPropertyDescription("When Konnect last tried to deliver.")
    private String lastAttemptAt;

    public WebhookDelivery() {}
    public WebhookDelivery(String status, Integer lastResponseCode, String lastResponseMessage, String lastAttemptAt) {
      this.status = status;
      this.lastResponseCode = lastResponseCode;
      this.lastResponseMessage = lastResponseMessage;
      this.lastAttemptAt = lastAttemptAt;
    }
    public String getStatus() { return status; }
    public void setStatus(String status) { this.status = status; }
    public Integer getLastResponseCode() { return lastResponseCode; }
    public void setLastResponseCode(Integer lastResponseCode) { this.lastResponseCode = lastResponseCode; }
    public String getLastResponseMessage() { return lastResponseMessage; }
    public void setLastResponseMessage(String lastResponseMessage) { this.lastResponseMessage = lastResponseMessage; }
    public String getLastAttemptAt() { return lastAttemptAt; }
    public void setLastAttemptAt(String lastAttemptAt) { this.lastAttemptAt = lastAttemptAt; }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
  public static class QueueStatus {
    @JsonPropertyDescription("1 = next to run once the blocker finishes.")
    private Integer position;
    @JsonPropertyDescription("namespace/name of the request that occupies the target, or \"konnect\" for a job "
        + "the operator did not submit.")
    private String blockedBy;

    public QueueStatus() {}
    public QueueStatus(Integer position, String blockedBy) {
      this.position = position;
      this.blockedBy = blockedBy;
    }
    public Integer getPosition() { return position; }
    public void setPosition(Integer position) { this.position = position; }
    public String getBlockedBy() { return blockedBy; }
    public void setBlockedBy(String blockedBy) { this.blockedBy = blockedBy; }
  }
}
