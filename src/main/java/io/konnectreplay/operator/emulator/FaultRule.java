package io.konnectreplay.operator.emulator;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One injected failure: which requests it matches and what happens to them. Build with {@link #on(EndpointKind)} or
 * {@link #on(String, EndpointKind)}, narrow with {@link Builder#region}, {@link Builder#portal}, {@link Builder#times}
 * and {@link Builder#probability}, and finish with one action:
 *
 * <pre>{@code
 * FaultRule.on("PUT", EndpointKind.REPLAY_JOB_PUT).times(2).rateLimited(RetryAfter.SECONDS, 3, Body.GATEWAY);
 * FaultRule.on(EndpointKind.ANY).region("eu").times(5).serverError(503);      // a burst of five 503s
 * FaultRule.on(EndpointKind.REPLAY_JOB_GET).latency(Duration.ofMillis(800));   // every GET, slower
 * FaultRule.on(EndpointKind.ANY).probability(0.2, 42L).dropConnection();       // one in five, repeatably
 * }</pre>
 *
 * A rule without {@code times} applies until {@link Faults#clear()}. Rules are tried in the order they were added:
 * latency rules add their delay and let the request go on; the first other rule that fires answers it.
 */
public final class FaultRule {

  /** How a 429 says when to come back. */
  public enum RetryAfter { SECONDS, HTTP_DATE, NONE }

  /** What a 429 carries: Konnect's problem+json, or the body of Kong Gateway's rate-limiting plugin. */
  public enum Body { PROBLEM_JSON, GATEWAY }

  enum Action { RATE_LIMIT, SERVER_ERROR, LATENCY, DROP_CONNECTION }

  private final String method;
  private final EndpointKind kind;
  private final String region;
  private final String portalId;
  private final AtomicInteger remaining;
  private final double probability;
  private final Random random;
  final Action action;
  final int status;
  final RetryAfter retryAfter;
  final int retryAfterSeconds;
  final Body body;
  final Duration latency;

  private FaultRule(Builder b, Action action, int status, RetryAfter retryAfter, int retryAfterSeconds, Body body,
      Duration latency) {
    this.method = b.method;
    this.kind = b.kind;
    this.region = b.region;
    this.portalId = b.portalId;
    this.remaining = b.times < 0 ? null : new AtomicInteger(b.times);
    this.probability = b.probability;
    this.random = new Random(b.seed);
    this.action = action;
    this.status = status;
    this.retryAfter = retryAfter;
    this.retryAfterSeconds = retryAfterSeconds;
    this.body = body;
    this.latency = latency;
  }

  /** Matches every method of this kind. */
  public static Builder on(EndpointKind kind) {
    return new Builder(null, kind);
  }

  /** Matches this HTTP method (case-insensitive) and kind. */
  public static Builder on(String method, EndpointKind kind) {
    return new Builder(Objects.requireNonNull(method, "method"), kind);
  }

  /** How many more times it will fire, or -1 when unlimited. */
  public int remaining() {
    return remaining == null ? -1 : Math.max(0, remaining.get());
  }

  boolean matches(String method, EndpointKind kind, String region, String portalId) {
    return (this.method == null || this.method.equalsIgnoreCase(method))
        && this.kind.matches(kind)
        && (this.region == null || this.region.equals(region))
        && (this.portalId == null || this.portalId.equalsIgnoreCase(String.valueOf(portalId)));
  }

  /** Decides whether this matching request is hit, and uses up one of the rule's times when it is. */
  boolean fire() {
    if (remaining != null && remaining.get() <= 0) {
      return false;
    }
    if (probability < 1.0) {
      synchronized (random) {
        if (random.nextDouble() >= probability) {
          return false;
        }
      }
    }
    return remaining == null || remaining.getAndDecrement() > 0;
  }

  @Override
  public String toString() {
    return "FaultRule[" + (method == null ? "*" : method) + " " + kind + (region == null ? "" : " region=" + region)
        + (portalId == null ? "" : " portal=" + portalId) + " -> " + action + (status == 0 ? "" : " " + status)
        + ", remaining=" + remaining() + "]";
  }

  /** The matching part of a rule; one of the action methods finishes it. */
  public static final class Builder {
    private final String method;
    private final EndpointKind kind;
    private String region;
    private String portalId;
    private int times = -1;
    private double probability = 1.0;
    private long seed = 1L;

    private Builder(String method, EndpointKind kind) {
      this.method = method;
      this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** Only requests routed to this region. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** Only requests for this portal. */
    public Builder portal(String portalId) {
      this.portalId = portalId;
      return this;
    }

    /** Fire this many times, then never again. */
    public Builder times(int times) {
      if (times < 0) {
        throw new IllegalArgumentException("times must be >= 0");
      }
      this.times = times;
      return this;
    }

    /** Fire for each matching request with this probability, drawn from a Random seeded with {@code seed}. */
    public Builder probability(double probability, long seed) {
      if (probability < 0 || probability > 1) {
        throw new IllegalArgumentException("probability must be within [0, 1]");
      }
      this.probability = probability;
      this.seed = seed;
      return this;
    }

    /**
     * Answers 429.
     *
     * @param retryAfterSeconds the delay the Retry-After header announces (ignored with {@link RetryAfter#NONE})
     */
    public FaultRule rateLimited(RetryAfter retryAfter, int retryAfterSeconds, Body body) {
      if (retryAfterSeconds < 0) {
        throw new IllegalArgumentException("retryAfterSeconds must be >= 0");
      }
      return new FaultRule(this, Action.RATE_LIMIT, 429, Objects.requireNonNull(retryAfter), retryAfterSeconds,
          Objects.requireNonNull(body), null);
    }

    /** Answers this 5xx status (500, 502, 503 or 504). A burst of N is {@code times(N).serverError(s)}. */
    public FaultRule serverError(int status) {
      if (status != 500 && status != 502 && status != 503 && status != 504) {
        throw new IllegalArgumentException("status must be one of 500, 502, 503, 504");
      }
      return new FaultRule(this, Action.SERVER_ERROR, status, null, 0, null, null);
    }

    /** Delays the request by this much, then lets it be answered normally. */
    public FaultRule latency(Duration latency) {
      if (latency.isNegative()) {
        throw new IllegalArgumentException("latency must not be negative");
      }
      return new FaultRule(this, Action.LATENCY, 0, null, 0, null, latency);
    }

    /** Closes the connection without sending a response. */
    public FaultRule dropConnection() {
      return new FaultRule(this, Action.DROP_CONNECTION, 0, null, 0, null, null);
    }
  }
}
