package io.konnectreplay.operator.emulator;

import io.konnectreplay.operator.emulator.ReplayDelivery.DeliveryResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every target's audit events to its webhook as they happen, as Konnect does between replays.
 *
 * <p>Every {@code interval} each target whose webhook is enabled gets the events of {@code [cursor, now)} through the
 * same {@link ReplayDelivery} replays use, so a live event and a replayed event of the same time are the same signed
 * line. The cursor moves on whatever the outcome: events a webhook refused are not sent again (only a replay brings
 * them back). Each outcome goes to the webhook status like a replay's. A target whose delivery is still running (its
 * retries take time) is skipped; its next window starts where the last one ended, so nothing is skipped.
 */
final class LiveEventStream {
  private static final Logger LOG = LoggerFactory.getLogger(LiveEventStream.class);

  private final EmulatorState state;
  private final ReplayDelivery delivery;
  private final Clock clock;
  private final Duration interval;
  private final ScheduledExecutorService ticker;
  private final ExecutorService deliveries;
  private volatile Instant startedAt;

  LiveEventStream(EmulatorState state, ReplayDelivery delivery, Clock clock, Duration interval,
      ScheduledExecutorService ticker, ExecutorService deliveries) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the live event interval must be longer than zero");
    }
    this.state = state;
    this.delivery = delivery;
    this.clock = clock;
    this.interval = interval;
    this.ticker = ticker;
    this.deliveries = deliveries;
  }

  void start() {
    startedAt = clock.instant();
    long nanos = interval.toNanos();
    ticker.scheduleAtFixedRate(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  Duration interval() {
    return interval;
  }

  private void tick() {
    try {
      for (EmulatorState.LiveWork work : state.takeLiveWork(clock.instant(), startedAt)) {
        try {
          deliveries.execute(() -> send(work));
        } catch (RejectedExecutionException closed) {
          return;
        }
      }
    } catch (RuntimeException e) {
      // a failed tick must not cancel the schedule
      LOG.warn("live event tick failed", e);
    }
  }

  private void send(EmulatorState.LiveWork work) {
    EmulatorState.Target t = work.target();
    DeliveryResult result;
    try {
      result = delivery.deliverLive(t.region, t.portalId, work.webhook(), work.from(), work.to());
      if (result == null) {
        result = new DeliveryResult(false, 0, "no delivery result", clock.instant(), 0);
      }
    } catch (RuntimeException e) {
      LOG.warn("live delivery for {}/{} threw", t.region, t.portalId, e);
      result = new DeliveryResult(false, 0, String.valueOf(e.getMessage()), clock.instant(), 0);
    }
    state.liveDone(t, result);
  }
}
