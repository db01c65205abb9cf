package io.konnectreplay.operator.reconciler;

/** Condition reasons. Each one is documented in the README's troubleshooting table. */
public final class Reasons {
  private Reasons() {}

  public static final String QUEUED = "Queued";
  public static final String REMOTE_BUSY = "RemoteBusy";
  public static final String SUSPENDED = "Suspended";
  public static final String WINDOW_NOT_ENDED = "WindowNotEnded";
  public static final String SUBMITTING = "Submitting";
  public static final String SUBMITTED = "Submitted";
  public static final String ADOPTED = "Adopted";
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String RETRYING = "Retrying";
  public static final String COMPLETED = "Completed";
  public static final String REMOTE_FAILED = "RemoteFailed";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String WINDOW_EXPIRED = "WindowExpired";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String SECRET_NOT_LABELED = "SecretNotLabeled";
  public static final String SECRET_KEY_NOT_FOUND = "SecretKeyNotFound";
  public static final String INVALID_TOKEN = "InvalidToken";
  public static final String UNAUTHORIZED = "Unauthorized";
  public static final String FORBIDDEN = "Forbidden";
  public static final String PORTAL_NOT_FOUND = "PortalNotFound";
  public static final String RATE_LIMITED = "RateLimited";
  public static final String KONNECT_UNAVAILABLE = "KonnectUnavailable";
  public static final String UNEXPECTED_RESPONSE = "UnexpectedResponse";
  public static final String SERVER_URL_NOT_ALLOWED = "ServerURLNotAllowed";
  public static final String SUPERSEDED = "Superseded";
  public static final String WEBHOOK_DISABLED = "WebhookDisabled";
  public static final String RECONCILE_ERROR = "ReconcileError";
  /** The stored status cannot be read by this version: the resource is left alone (an Event only, no write). */
  public static final String UNREADABLE_STATUS = "UnreadableStatus";
}
