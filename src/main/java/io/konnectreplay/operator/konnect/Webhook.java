package io.konnectreplay.operator.konnect;

/**
 * The audit-log webhook of a target. Organization webhooks (v2) carry the endpoint inline; portal webhooks point to
 * a destination.
 *
 * @param enabled whether Konnect ships audit logs to the webhook
 * @param endpoint the endpoint URL (organization, v2), "unconfigured" when never set, or null for portals
 * @param logFormat cef, json or cps (organization, v2), null for portals
 * @param destinationId the audit-log destination (portal), null for organizations
 */
public record Webhook(boolean enabled, String endpoint, String logFormat, String destinationId) {}
