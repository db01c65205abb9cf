package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.Webhook;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.util.function.Supplier;

/**
 * What Konnect says about a request's target, read when the decision first asks and at most once per reconcile: a
 * request that is queued asks nothing, one about to be submitted reads the webhook, one running reads its job.
 */
public interface Observation {

  Result<RemoteReplayJob> remoteJob();

  Result<Webhook> webhook();

  Result<WebhookStatus> webhookStatus();

  /** A Konnect answer or the classified error. */
  record Result<T>(T value, KonnectException error) {
    public static <T> Result<T> ok(T value) { return new Result<>(value, null); }
    public static <T> Result<T> failed(KonnectException error) { return new Result<>(null, error); }
    public boolean ok() { return error == null; }
  }

  /** Reads through {@code remoteJob}, {@code webhook} and {@code webhookStatus}, each at most once. */
  static Observation lazily(Supplier<Result<RemoteReplayJob>> remoteJob, Supplier<Result<Webhook>> webhook,
      Supplier<Result<WebhookStatus>> webhookStatus) {
    Supplier<Result<RemoteReplayJob>> job = once(remoteJob);
    Supplier<Result<Webhook>> hook = once(webhook);
    Supplier<Result<WebhookStatus>> hookStatus = once(webhookStatus);
    return new Observation() {
      @Override public Result<RemoteReplayJob> remoteJob() { return job.get(); }
      @Override public Result<Webhook> webhook() { return hook.get(); }
      @Override public Result<WebhookStatus> webhookStatus() { return hookStatus.get(); }
    };
  }

  /** For decisions that must not reach Konnect (an invalid spec, a missing token): asking is a bug. */
  Observation NONE = lazily(Observation::unavailable, Observation::unavailable, Observation::unavailable);

  private static <T> Result<T> unavailable() {
    throw new IllegalStateException("the decision asked Konnect where it has no target or token");
  }

  private static <T> Supplier<T> once(Supplier<T> source) {
    return new Supplier<>() {
      private T value;
      private boolean asked;

      @Override
      public T get() {
        if (!asked) {
          value = source.get();
          asked = true;
        }
        return value;
      }
    };
  }
}
