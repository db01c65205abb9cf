package io.konnectreplay.operator.konnect;

import java.time.Instant;

/** Konnect's view of the last webhook delivery (…/audit-log-webhook/status). Any field may be null. */
public record WebhookStatus(String webhookStatus, Boolean webhookEnabled, Instant lastAttemptAt,
    Integer lastResponseCode, String lastResponseMessage) {}
