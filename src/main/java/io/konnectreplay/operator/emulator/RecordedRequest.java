package io.konnectreplay.operator.emulator;

import java.time.Instant;

/**
 * One request the emulator received, as the request log keeps it. The bearer token is never kept: only whether it was
 * valid.
 *
 * @param time when it arrived, from the emulator's clock
 * @param nanoTime {@link System#nanoTime()} on arrival, for measuring real delays when the clock is fixed
 * @param path the request path as sent, region prefix included, without the query
 * @param region the region it was routed to (the default region when the path had no prefix)
 * @param portalId the portal in the path, or null
 * @param status the response status; 0 when the connection was dropped
 * @param faulted whether a fault rule answered it (latency alone does not answer)
 * @param fault the fault applied ("rate-limit", "server-error", "drop", "latency"), or null
 * @param authorized whether the Authorization header carried a known token (false for requests without one)
 * @param windowStart the PUT body's start_at when it parsed, else null
 * @param windowEnd the PUT body's end_at when it parsed, else null
 * @param external true for jobs submitted through {@link KonnectEmulator#submitExternalJob} or changed through
 *     {@link KonnectEmulator#replaceJobWindow}: someone other than the client under test
 */
public record RecordedRequest(Instant time, long nanoTime, String method, String path, EndpointKind kind,
    String region, String portalId, int status, boolean faulted, String fault, boolean authorized,
    Instant windowStart, Instant windowEnd, boolean external) {}
