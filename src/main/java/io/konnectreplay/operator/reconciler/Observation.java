package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.Webhook;
import io.konnectreplay.operator.konnect.WebhookStatus;

/** What the reconcile learned from Konnect so far; null fields were not asked. */
public record Observation(Result<RemoteReplayJob> remoteJob, Result<Webhook> webhook,
    Result<WebhookStatus> webhookStatus, Result<RemoteReplayJob> submit) {

  public static final Observation NOTHING = new Observation(null, null, null, null);

  /** A Konnect answer or the classified error. */
  public record Result<T>(T value, KonnectException error) {
    public static <T> Result<T> ok(T value) { return new Result<>(value, null); }
    public static <T> Result<T> failed(KonnectException error) { return new Result<>(null, error); }
    public boolean ok() { return error == null; }
  }

  public Observation withRemoteJob(Result<RemoteReplayJob> r) { return new Observation(r, webhook, webhookStatus, submit); }
  public Observation withWebhook(Result<Webhook> r) { return new Observation(remoteJob, r, webhookStatus, submit); }
  public Observation withWebhookStatus(Result<WebhookStatus> r) { return new Observation(remoteJob, webhook, r, submit); }
  public Observation withSubmit(Result<RemoteReplayJob> r) { return new Observation(remoteJob, webhook, webhookStatus, r); }
}
