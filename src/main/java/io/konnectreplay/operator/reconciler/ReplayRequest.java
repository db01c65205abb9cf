package io.konnectreplay.operator.reconciler;

import io.konnectreplay.operator.konnect.ReplayWindowRange;
import io.konnectreplay.operator.konnect.Target;

/**
 * One replay request as the operator understands a resource: the target it occupies, the absolute window it
 * replays, and its identity. {@code fresh} is true when the status describes a different (or no) request, so the
 * status starts over.
 *
 * @param targetName the readable target, as shown in status.target
 * @param lookback the spec's lookback the window was resolved from, or null for an absolute window
 */
public record ReplayRequest(Target target, String targetName, ReplayWindowRange window, String lookback,
    String nonce, boolean fresh) {}
