package io.konnectreplay.operator.konnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestBudgetTest {

  private static final String US = "https://us.api.konghq.com";
  private static final String EU = "https://eu.api.konghq.com";

  /** A nano ticker that moves only when told to, or when a caller "sleeps". */
  private static final class FakeTicker {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final AtomicLong slept = new AtomicLong();

    long read() { return nanos.get(); }

    void sleep(long n) {
      slept.addAndGet(n);
      nanos.addAndGet(n);
    }

    void advance(Duration d) { nanos.addAndGet(d.toNanos()); }
  }

  private static RequestBudget budget(double rate, Duration maxWait, FakeTicker ticker) {
    return new RequestBudget(rate, maxWait, ticker::read, ticker::sleep);
  }

  @Test
  void burstIsTheCeilingOfTheRateAndAtLeastOne() {
    FakeTicker t = new FakeTicker();
    assertThat(budget(10, Duration.ofSeconds(2), t).burst()).isEqualTo(10);
    assertThat(budget(2.5, Duration.ofSeconds(2), t).burst()).isEqualTo(3);
    assertThat(budget(0.2, Duration.ofSeconds(2), t).burst()).isEqualTo(1);
  }

  @Test
  void aFullBucketLetsTheBurstThroughWithoutWaiting() throws Exception {
    FakeTicker t = new FakeTicker();
    RequestBudget budget = budget(10, Duration.ofSeconds(2), t);
    for (int i = 0; i < 10; i++) budget.acquire(US);
    assertThat(t.slept.get()).isZero();
    assertThat(budget.estimatedWait(US)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void sustainedCallsAreSpacedAtTheRate() throws Exception {
    FakeTicker t = new FakeTicker();
    RequestBudget budget = budget(10, Duration.ofSeconds(2), t);
    for (int i = 0; i < 50; i++) budget.acquire(US);
    // 10 from the burst, then 40 at 10/s
    assertThat(Duration.ofNanos(t.slept.get())).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void idleTimeRefillsTheBucketButNeverBeyondTheBurst() throws Exception {
    FakeTicker t = new FakeTicker();
    RequestBudget budget = budget(10, Duration.ZERO, t);
    for (int i = 0; i < 10; i++) budget.acquire(US);
    t.advance(Duration.ofMillis(300));
    for (int i = 0; i < 3; i++) budget.acquire(US);
    assertThatThrownBy(() -> budget.acquire(US)).isInstanceOf(KonnectException.RateLimited.class);

    t.advance(Duration.ofHours(1));
    for (int i = 0; i < 10; i++) budget.acquire(US);
    assertThatThrownBy(() -> budget.acquire(US)).isInstanceOf(KonnectException.RateLimited.class);
    assertThat(t.slept.get()).isZero();
  }

  @Test
  void aSlotFurtherThanTheMaximumWaitIsRefusedLocallyWithTheEstimatedWait() throws Exception {
    FakeTicker t = new FakeTicker();
    RequestBudget budget = budget(1, Duration.ofMillis(500), t);
    budget.acquire(US);

    assertThatThrownBy(() -> budget.acquire(US))
        .isInstanceOfSatisfying(KonnectException.RateLimited.class, e -> {
          assertThat(e.local()).isTrue();
          assertThat(e.httpStatus()).isZero();
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
          assertThat(e.getMessage()).contains(US).contains("nothing was sent").doesNotContain("\n");
        });
    // a refusal takes nothing from the bucket: after the wait one call goes at once
    t.advance(Duration.ofSeconds(1));
    budget.acquire(US);
    assertThat(t.slept.get()).isZero();
  }

  @Test
  void aWaitWithinTheBoundIsSleptThrough() throws Exception {
    FakeTicker t = new FakeTicker();
    RequestBudget budget = budget(4, Duration.ofMillis(250), t);
    for (int i = 0; i < 4; i++) budget.acquire(US);
    budget.acquire(US);
    assertThat(Duration.ofNanos(t.slept.get())).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void eachServerHasItsOwnBucket() throws Exception {
    FakeTicker t = new FakeTicker();
    RequestBudget budget = budget(2, Duration.ZERO, t);
    budget.acquire(US);
    budget.acquire(US);
    assertThatThrownBy(() -> budget.acquire(US)).isInstanceOf(KonnectException.RateLimited.class);
    budget.acquire(EU);
    budget.acquire(EU);
  }

  @Test
  void concurrentCallersNeverGetMoreThanTheBudgetAllows() throws Exception {
    // frozen time: exactly burst + rate * maxWait callers get a slot, whatever the interleaving
    FakeTicker t = new FakeTicker();
    RequestBudget budget = new RequestBudget(10, Duration.ofSeconds(2), t::read, n -> t.slept.addAndGet(n));
    int callers = 100;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        Callable<Boolean> call = () -> {
          start.await();
          try {
            budget.acquire(US);
            return true;
          } catch (KonnectException.RateLimited e) {
            return false;
          }
        };
        results.add(pool.submit(call));
      }
      start.countDown();
      int granted = 0;
      for (Future<Boolean> f : results) if (f.get(10, TimeUnit.SECONDS)) granted++;
      assertThat(granted).isEqualTo(10 + 20);
      // the reserved slots are 0.1s apart: 0.1 + 0.2 + … + 2.0 seconds of waiting in total
      assertThat(Duration.ofNanos(t.slept.get())).isEqualTo(Duration.ofSeconds(21));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentCallersOnTheRealClockAreSpacedAtTheRate() throws Exception {
    RequestBudget budget = new RequestBudget(50, Duration.ofSeconds(2));
    int threads = 6;
    int perThread = 10; // 60 calls: 50 from the burst, 10 more at 50/s take at least 0.2s
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int j = 0; j < perThread; j++) budget.acquire(US);
          return null;
        }));
      }
      long began = System.nanoTime();
      start.countDown();
      for (Future<?> f : done) f.get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anInterruptedWaitSendsNothingAndKeepsTheInterrupt() throws Exception {
    RequestBudget budget = new RequestBudget(1, Duration.ofSeconds(1), System::nanoTime, n -> {
      throw new InterruptedException();
    });
    budget.acquire(US);
    try {
      assertThatThrownBy(() -> budget.acquire(US))
          .isInstanceOfSatisfying(KonnectException.RateLimited.class, e -> assertThat(e.local()).isTrue());
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThatThrownBy(() -> new RequestBudget(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RequestBudget(Double.NaN, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RequestBudget(1, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
