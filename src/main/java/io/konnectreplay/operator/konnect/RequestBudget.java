package io.konnectreplay.operator.konnect;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The operator's own request budget per Konnect server: a token bucket refilled at {@code ratePerSecond} holding at
 * most {@code burst = max(1, ceil(rate))} requests. All reconcile threads share it, so many resources on one server
 * cannot add up to a request storm. A caller waits for its slot at most {@code maxWait}; when the slot is further away
 * it gets {@link KonnectException.RateLimited} (local) with the estimated wait and takes nothing from the bucket.
 */
public final class RequestBudget {

  /** How a waiting caller sleeps; tests substitute one that advances a fake ticker. */
  @FunctionalInterface
  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

  private final double ratePerSecond;
  private final int burst;
  private final long maxWaitNanos;
  private final LongSupplier nanoTicker;
  private final Sleeper sleeper;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RequestBudget(double ratePerSecond, Duration maxWait) {
    this(ratePerSecond, maxWait, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
  }

  RequestBudget(double ratePerSecond, Duration maxWait, LongSupplier nanoTicker, Sleeper sleeper) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("requests per second must be positive and finite: " + ratePerSecond);
    }
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isNegative()) throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
    this.ratePerSecond = ratePerSecond;
    this.burst = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(ratePerSecond)));
    this.maxWaitNanos = saturatedNanos(maxWait);
    this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  public double ratePerSecond() { return ratePerSecond; }

  public int burst() { return burst; }

  public Duration maxWait() { return Duration.ofNanos(maxWaitNanos); }

  /**
   * Takes one request from the budget of {@code server}, waiting (at most {@code maxWait}) for it when needed.
   *
   * @throws KonnectException.RateLimited (local) when the next slot is further than {@code maxWait} away, or when
   *     the thread is interrupted while waiting
   */
  public void acquire(String server) throws KonnectException.RateLimited {
    Bucket bucket = buckets.computeIfAbsent(server, s -> new Bucket(s, burst, nanoTicker.getAsLong()));
    long waitNanos = bucket.reserve();
    if (waitNanos <= 0) return;
    try {
      sleeper.sleepNanos(waitNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KonnectException.RateLimited(
          "Interrupted while waiting for the request budget of " + server + "; nothing was sent",
          Duration.ofNanos(waitNanos), true);
    }
  }

  /** The wait a caller arriving now would have, without taking anything; zero when a request may go at once. */
  public Duration estimatedWait(String server) {
    Bucket bucket = buckets.get(server);
    return bucket == null ? Duration.ZERO : Duration.ofNanos(bucket.peekWait());
  }

  private final class Bucket {
    private final String server;
    /** Requests available now; negative when callers hold reservations for future slots. */
    private double tokens;
    private long lastRefillNanos;

    Bucket(String server, double tokens, long nowNanos) {
      this.server = server;
      this.tokens = tokens;
      this.lastRefillNanos = nowNanos;
    }

    /** Reserves the next slot and returns how long to wait for it, or throws when that is too long. */
    synchronized long reserve() throws KonnectException.RateLimited {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      long waitNanos = nanosUntilOneToken();
      if (waitNanos > maxWaitNanos) {
        throw new KonnectException.RateLimited(String.format(
            "The operator's request budget for %s is spent (%s requests/s); next slot in %s; nothing was sent",
            server, formatRate(), KonnectMessages.formatDuration(Duration.ofNanos(waitNanos))),
            Duration.ofNanos(waitNanos), true);
      }
      tokens -= 1;
      return waitNanos;
    }

    synchronized long peekWait() {
      refill();
      return tokens >= 1 ? 0 : nanosUntilOneToken();
    }

    private long nanosUntilOneToken() {
      return (long) Math.ceil((1 - tokens) / ratePerSecond * NANOS_PER_SECOND);
    }

    private void refill() {
      long now = nanoTicker.getAsLong();
      long elapsed = now - lastRefillNanos;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * ratePerSecond / NANOS_PER_SECOND);
        lastRefillNanos = now;
      }
    }
  }

  private String formatRate() {
    return ratePerSecond == Math.rint(ratePerSecond) ? Long.toString((long) ratePerSecond) : Double.toString(ratePerSecond);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
