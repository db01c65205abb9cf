package io.konnectreplay.operator.emulator;

import java.time.Instant;

/**
 * The emulator's view of one replay job at a moment: what a GET would answer, plus the target it belongs to.
 *
 * @param portalId null for the organization job of the region
 */
public record ReplayJobSnapshot(String region, String portalId, Instant startAt, Instant endAt, String status,
    Instant updatedAt) {}
