package io.konnectreplay.operator.konnect;

import java.time.Duration;
import java.util.List;

/**
 * A Konnect call that did not succeed, classified once. Messages carry Konnect's title and detail with trace ids
 * stripped, never the token.
 */
public abstract sealed class KonnectException extends Exception {

  private final int httpStatus;
  private final String detail;

  protected KonnectException(int httpStatus, String detail, Throwable cause) {
    super(detail, cause, false, cause != null);
    this.httpStatus = httpStatus;
    this.detail = detail;
  }

  /** The HTTP status Konnect answered, or 0 when no answer came (timeout, reset, refused). */
  public int httpStatus() { return httpStatus; }

  /** A one-line, human readable explanation without trace ids or secrets. */
  public String detail() { return detail; }

  /** One item of a 400's invalid_parameters. */
  public record InvalidParameter(String field, String rule, String reason) {
    @Override
    public String toString() { return field + ": " + reason; }
  }

  /** 400: Konnect rejected the request; retrying the same request cannot help. */
  public static final class BadRequest extends KonnectException {
    private final List<InvalidParameter> invalidParameters;

    public BadRequest(String detail, List<InvalidParameter> invalidParameters) {
      super(400, detail, null);
      this.invalidParameters = List.copyOf(invalidParameters);
    }

    public List<InvalidParameter> invalidParameters() { return invalidParameters; }
  }

  /** 401: the token is missing, wrong, expired or revoked. */
  public static final class Unauthorized extends KonnectException {
    public Unauthorized(String detail) { super(401, detail, null); }
  }

  /** 403: the token is valid but may not do this. */
  public static final class Forbidden extends KonnectException {
    public Forbidden(String detail) { super(403, detail, null); }
  }

  /** 404: the portal (or path) does not exist. */
  public static final class NotFound extends KonnectException {
    public NotFound(String detail) { super(404, detail, null); }
  }

  /** 409: a replay job is running on the target. */
  public static final class Conflict extends KonnectException {
    public Conflict(String detail) { super(409, detail, null); }
  }

  /**
   * 429, or the operator's own request budget for the server is spent. {@link #retryAfter()} is how long every call
   * to that server waits.
   */
  public static final class RateLimited extends KonnectException {
    private final Duration retryAfter;
    private final boolean local;

    public RateLimited(String detail, Duration retryAfter, boolean local) {
      super(local ? 0 : 429, detail, null);
      this.retryAfter = retryAfter;
      this.local = local;
    }

    public Duration retryAfter() { return retryAfter; }

    /** True when no request was sent: the server is paused by an earlier 429 or the budget is spent. */
    public boolean local() { return local; }
  }

  /**
   * 5xx, timeout, connection refused or reset. Whether Konnect acted on the request is unknown. Without an answer
   * (status 0) the detail is a whole sentence naming the server and the call: "No answer from Konnect at …".
   */
  public static final class Unavailable extends KonnectException {
    public Unavailable(int httpStatus, String detail, Throwable cause) { super(httpStatus, detail, cause); }
  }

  /** Any other answer (an unexpected status code or a body that cannot be read). */
  public static final class UnexpectedResponse extends KonnectException {
    public UnexpectedResponse(int httpStatus, String detail) { super(httpStatus, detail, null); }
  }
}
