package io.konnectreplay.operator.bench;

import java.time.Duration;

/**
 * How big each scenario is.
 *
 * @param spread requests in the spread scenario, one portal each
 * @param queued requests in the queued scenario, spread evenly over {@code queuedPortals} portals
 * @param atRest completed resources in the cache for the at-rest scenario (those of the first two included)
 * @param restWindow how long calls and writes at rest are counted (then scaled to a minute)
 * @param settle how long after start-up before the at-rest window opens
 * @param timeout how long a scenario may take before the benchmark gives up waiting
 * @param policies gap-healing policies at rest (each on a healthy portal of its own, checkInterval 10s)
 * @param policyWindow how long their Konnect reads and status writes are counted (then scaled to a policy-hour)
 */
record BenchScale(String name, int spread, int queued, int queuedPortals, int atRest, Duration restWindow,
    Duration settle, Duration timeout, int policies, Duration policyWindow) {

  static BenchScale small() {
    return new BenchScale("small", 20, 20, 4, 100, Duration.ofSeconds(5), Duration.ofSeconds(2),
        Duration.ofSeconds(40), 10, Duration.ofSeconds(20));
  }

  static BenchScale full() {
    return new BenchScale("full", 1000, 200, 10, 10_000, Duration.ofSeconds(30), Duration.ofSeconds(5),
        Duration.ofMinutes(10), 100, Duration.ofMinutes(1));
  }

  static BenchScale named(String name) {
    return switch (name) {
      case "small" -> small();
      case "full" -> full();
      default -> throw new IllegalArgumentException("--scale must be small or full, not \"" + name + "\"");
    };
  }
}
