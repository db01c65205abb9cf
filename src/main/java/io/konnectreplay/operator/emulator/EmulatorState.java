package io.konnectreplay.operator.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.konnectreplay.operator.emulator.ReplayDelivery.DeliveryResult;
import io.konnectreplay.operator.emulator.ReplayDelivery.WebhookConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the emulated Konnect knows: per region an organization target and its portals (each with a replay job and
 * a webhook), and the organization-wide audit-log destinations. Runs the replay-job state machine. All state is
 * guarded by this object's monitor; delivery runs outside it.
 */
final class EmulatorState {
  static final Instant YEAR_ONE = Instant.parse("0001-01-01T00:00:00Z");
  static final Set<String> LOG_FORMATS = Set.of("cef", "json", "cps");
  static final String NIL_UUID = "00000000-0000-0000-0000-000000000000";
  private static final Logger LOG = LoggerFactory.getLogger(EmulatorState.class);
  private static final Duration RETENTION = Duration.ofDays(7);
  private static final Pattern RFC3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
  private static final Pattern UUID_PATTERN =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Clock clock;
  private final JobTimings timings;
  private final Set<String> conflictStates;
  private final boolean allowEqualWindow;
  private final ReplayDelivery delivery;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService deliveries;
  private final Map<String, Target> targets = new LinkedHashMap<>();
  private final Map<String, Destination> destinations = new LinkedHashMap<>();
  private final Settings settings;
  /** The destination every new target links to when a default webhook is set; created with the first target. */
  private Destination defaultDestination;

  /**
   * What the builder decides beyond the job engine.
   *
   * @param inactiveAfterFailures consecutive failed deliveries after which {@code webhook_status} is inactive
   * @param anyPortal whether every uuid is a known portal (created on first use) instead of a 404
   * @param defaultWebhook the webhook every target starts with, enabled; null: none (Konnect's "unconfigured")
   */
  record Settings(int inactiveAfterFailures, boolean anyPortal, WebhookConfig defaultWebhook) {
    Settings {
      if (inactiveAfterFailures < 1) {
        throw new IllegalArgumentException("inactiveAfterFailures must be at least 1");
      }
    }
  }

  EmulatorState(List<String> regions, Clock clock, JobTimings timings, Set<String> conflictStates,
      boolean allowEqualWindow, ReplayDelivery delivery, ScheduledExecutorService scheduler,
      ExecutorService deliveries, Settings settings) {
    this.clock = clock;
    this.timings = timings;
    this.conflictStates = Set.copyOf(conflictStates);
    this.allowEqualWindow = allowEqualWindow;
    this.delivery = delivery;
    this.scheduler = scheduler;
    this.deliveries = deliveries;
    this.settings = settings;
    for (String region : regions) {
      targets.put(key(region, null), newTarget(region, null));
    }
  }

  /** A target with the default webhook linked and enabled, when there is one. */
  private Target newTarget(String region, String portalId) {
    Target t = new Target(region, portalId);
    if (settings.defaultWebhook() != null) {
      if (defaultDestination == null) {
        WebhookConfig c = settings.defaultWebhook();
        defaultDestination = new Destination(UUID.randomUUID().toString(), clock.instant());
        defaultDestination.name = "emulator-default";
        defaultDestination.endpoint = c.endpoint();
        defaultDestination.authorization = c.authorization();
        defaultDestination.logFormat = c.logFormat() == null ? "json" : c.logFormat();
        defaultDestination.skipSsl = c.skipTlsVerification();
        destinations.put(defaultDestination.id, defaultDestination);
      }
      t.destinationId = defaultDestination.id;
      t.enabled = true;
      t.webhookUpdatedAt = clock.instant();
    }
    return t;
  }

  // ---------------------------------------------------------------------------------------------- targets

  /** A replay-job and webhook target. Portal ids are kept lower-case. */
  static final class Target {
    final String region;
    final String portalId;
    Instant startAt = YEAR_ONE;
    Instant endAt = YEAR_ONE;
    String status = "unconfigured";
    Instant updatedAt = YEAR_ONE;
    long generation;
    // webhook: a linked destination (v3, portals) or an inline config (org v2)
    boolean enabled;
    String destinationId;
    WebhookConfig inline;
    Instant webhookUpdatedAt = YEAR_ONE;
    DeliveryResult lastResult;
    /** Failed deliveries (replays and live) since the last one that succeeded. */
    int consecutiveFailures;
    /** Live events before this instant were offered to the webhook; null while the webhook is off. */
    Instant liveCursor;
    boolean liveInFlight;

    Target(String region, String portalId) {
      this.region = region;
      this.portalId = portalId;
    }

    ReplayJobSnapshot snapshot() {
      return new ReplayJobSnapshot(region, portalId, startAt, endAt, status, updatedAt);
    }
  }

  static final class Destination {
    final String id;
    String name;
    String endpoint;
    String authorization;
    String logFormat;
    boolean skipSsl;
    final Instant createdAt;
    Instant updatedAt;

    Destination(String id, Instant createdAt) {
      this.id = id;
      this.createdAt = createdAt;
      this.updatedAt = createdAt;
    }

    WebhookConfig config() {
      return new WebhookConfig(endpoint, authorization, logFormat, skipSsl);
    }
  }

  private static String key(String region, String portalId) {
    return region + "|" + (portalId == null ? "" : portalId.toLowerCase(Locale.ROOT));
  }

  synchronized boolean hasRegion(String region) {
    return targets.containsKey(key(region, null));
  }

  synchronized void addPortal(String region, String portalId) {
    requireRegion(region);
    if (!UUID_PATTERN.matcher(portalId).matches()) {
      throw new IllegalArgumentException("portal ids are uuids: " + portalId);
    }
    targets.computeIfAbsent(key(region, portalId), k -> newTarget(region, portalId.toLowerCase(Locale.ROOT)));
  }

  /**
   * The target, or a 404 for a portal the region does not have. With {@link Settings#anyPortal} every uuid is a
   * portal: it comes into existence on first use (a non-uuid is still a 404).
   */
  synchronized Target target(String region, String portalId) {
    Target t = targets.get(key(region, portalId));
    if (t == null && portalId != null && settings.anyPortal() && hasRegion(region)
        && UUID_PATTERN.matcher(portalId).matches()) {
      addPortal(region, portalId);
      t = targets.get(key(region, portalId));
    }
    if (t == null) {
      throw ApiError.notFound();
    }
    return t;
  }

  /** The portals known in a region, in the order they came into existence. */
  synchronized List<String> portals(String region) {
    return targets.values().stream().filter(t -> t.region.equals(region) && t.portalId != null)
        .map(t -> t.portalId).toList();
  }

  private Target requireTarget(String region, String portalId) {
    requireRegion(region);
    Target t = targets.get(key(region, portalId));
    if (t == null) {
      throw new IllegalArgumentException("unknown portal " + region + "/" + portalId);
    }
    return t;
  }

  private void requireRegion(String region) {
    if (!targets.containsKey(key(region, null))) {
      throw new IllegalArgumentException("unknown region " + region);
    }
  }

  // ---------------------------------------------------------------------------------------------- replay jobs

  record Window(Instant start, Instant end) {}

  synchronized ObjectNode getJob(Target t) {
    return jobJson(t);
  }

  synchronized ObjectNode putJob(Target t, JsonNode body) {
    Window w = validateWindow(body, clock.instant());
    if (conflictStates.contains(t.status)) {
      throw ApiError.jobRunning();
    }
    submit(t, w);
    return jobJson(t);
  }

  synchronized ReplayJobSnapshot snapshot(String region, String portalId) {
    return requireTarget(region, portalId).snapshot();
  }

  synchronized ReplayJobSnapshot submitExternal(String region, String portalId, Instant start, Instant end) {
    Target t = requireTarget(region, portalId);
    if (conflictStates.contains(t.status)) {
      throw new IllegalStateException("a replay job is active on " + region + "/" + portalId + ": " + t.status);
    }
    submit(t, new Window(start, end));
    return t.snapshot();
  }

  synchronized ReplayJobSnapshot replaceWindow(String region, String portalId, Instant start, Instant end) {
    Target t = requireTarget(region, portalId);
    t.startAt = start;
    t.endAt = end;
    t.updatedAt = clock.instant();
    return t.snapshot();
  }

  private void submit(Target t, Window w) {
    t.startAt = w.start();
    t.endAt = w.end();
    long generation = ++t.generation;
    transition(t, "accepted");
    schedule(() -> advanceToPending(t, generation), timings.accepted());
  }

  private void transition(Target t, String status) {
    LOG.debug("replay job {}/{}: {} -> {}", t.region, t.portalId == null ? "org" : t.portalId, t.status, status);
    t.status = status;
    t.updatedAt = clock.instant();
  }

  private synchronized void advanceToPending(Target t, long generation) {
    if (t.generation != generation) {
      return;
    }
    transition(t, "pending");
    schedule(() -> startRunning(t, generation), timings.pending());
  }

  private void startRunning(Target t, long generation) {
    WebhookConfig config;
    boolean enabled;
    Instant from;
    Instant to;
    synchronized (this) {
      if (t.generation != generation) {
        return;
      }
      transition(t, "running");
      config = effectiveConfig(t);
      enabled = t.enabled;
      from = t.startAt;
      to = t.endAt;
    }
    long startedNanos = System.nanoTime();
    try {
      deliveries.execute(() -> {
        DeliveryResult result = null;
        boolean attempted = config != null && enabled;
        if (attempted) {
          result = deliver(t, config, from, to);
        }
        long elapsed = System.nanoTime() - startedNanos;
        Duration rest = timings.running().minusNanos(elapsed);
        DeliveryResult outcome = result;
        schedule(() -> finish(t, generation, attempted, outcome), rest.isNegative() ? Duration.ZERO : rest);
      });
    } catch (RejectedExecutionException closed) {
      // the emulator is closing
    }
  }

  private DeliveryResult deliver(Target t, WebhookConfig config, Instant from, Instant to) {
    try {
      DeliveryResult result = delivery.deliver(t.region, t.portalId, config, from, to);
      if (result != null) {
        return result;
      }
      return new DeliveryResult(false, 0, "no delivery result", clock.instant(), 0);
    } catch (RuntimeException e) {
      LOG.warn("replay delivery for {}/{} threw", t.region, t.portalId, e);
      return new DeliveryResult(false, 0, String.valueOf(e.getMessage()), clock.instant(), 0);
    }
  }

  private synchronized void finish(Target t, long generation, boolean attempted, DeliveryResult result) {
    if (t.generation != generation) {
      return;
    }
    if (attempted) {
      recordDelivery(t, result);
    }
    transition(t, attempted && result.delivered() ? "completed" : "failed");
  }

  /** Keeps a delivery's outcome for the webhook status, as Konnect does for every call it makes. */
  private void recordDelivery(Target t, DeliveryResult result) {
    t.lastResult = result;
    t.consecutiveFailures = result.delivered() ? 0 : t.consecutiveFailures + 1;
    if (!result.delivered()) {
      LOG.debug("webhook {}/{}: delivery failed ({} {}), {} in a row", t.region,
          t.portalId == null ? "org" : t.portalId, result.lastResponseCode(), result.lastResponseMessage(),
          t.consecutiveFailures);
    }
  }

  // ---------------------------------------------------------------------------------------------- live events

  /** One target's live events to send now: {@code [from, to)}. */
  record LiveWork(Target target, WebhookConfig webhook, Instant from, Instant to) {}

  /**
   * The live windows due at {@code now}: for every target whose webhook is enabled and configured and has no live
   * delivery in flight, the events since its cursor (or since the webhook was last changed or the stream started,
   * whichever is later). A target whose webhook is off loses its cursor: Konnect sends nothing while it is off.
   */
  synchronized List<LiveWork> takeLiveWork(Instant now, Instant streamStart) {
    List<LiveWork> work = new ArrayList<>();
    for (Target t : targets.values()) {
      WebhookConfig config = effectiveConfig(t);
      if (!t.enabled || config == null) {
        t.liveCursor = null;
        continue;
      }
      if (t.liveInFlight) {
        continue;
      }
      if (t.liveCursor == null) {
        t.liveCursor = t.webhookUpdatedAt.isAfter(streamStart) ? t.webhookUpdatedAt : streamStart;
      }
      if (!now.isAfter(t.liveCursor)) {
        continue;
      }
      work.add(new LiveWork(t, config, t.liveCursor, now));
      t.liveCursor = now;
      t.liveInFlight = true;
    }
    return work;
  }

  /** Records a live delivery; a window without events (no attempt time) changes nothing in the status. */
  synchronized void liveDone(Target t, DeliveryResult result) {
    t.liveInFlight = false;
    if (result != null && result.lastAttemptAt() != null) {
      recordDelivery(t, result);
    }
  }

  private void schedule(Runnable step, Duration delay) {
    try {
      scheduler.schedule(step, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      // the emulator is closing: the job stays where it is
    }
  }

  /** The webhook a replay of this target would go to now, or null when none is configured. */
  private WebhookConfig effectiveConfig(Target t) {
    if (t.destinationId != null) {
      Destination d = destinations.get(t.destinationId);
      return d == null ? null : d.config();
    }
    return t.inline;
  }

  /**
   * Checks a PUT body the way the emulator's Konnect does: both fields present, RFC3339, start not older than 7 days,
   * end not in the future, end not before start (equal only when allowed).
   */
  Window validateWindow(JsonNode body, Instant now) {
    if (body == null || !body.isObject()) {
      throw ApiError.unparseableBody();
    }
    List<ObjectNode> problems = new ArrayList<>();
    Instant start = parseTime(body, "start_at", problems);
    Instant end = parseTime(body, "end_at", problems);
    if (!problems.isEmpty()) {
      boolean missing = problems.stream().allMatch(p -> "required".equals(p.path("rule").asText()));
      throw ApiError.badRequest(missing ? "Required field missing" : "Invalid date-time", problems);
    }
    if (start.isBefore(now.minus(RETENTION))) {
      problems.add(ApiError.param("start_at", "invalid", "must be within the last 7 days"));
    }
    if (end.isAfter(now)) {
      problems.add(ApiError.param("end_at", "invalid", "must not be in the future"));
    }
    if (end.isBefore(start) || (!allowEqualWindow && end.equals(start))) {
      problems.add(ApiError.param("end_at", "invalid",
          allowEqualWindow ? "must not be before start_at" : "must be after start_at"));
    }
    if (!problems.isEmpty()) {
      throw ApiError.badRequest("Invalid replay window", problems);
    }
    return new Window(start, end);
  }

  private static Instant parseTime(JsonNode body, String field, List<ObjectNode> problems) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      problems.add(ApiError.param(field, "required", "is a required field"));
      return null;
    }
    Instant parsed = value.isTextual() ? parseRfc3339(value.asText()) : null;
    if (parsed == null) {
      problems.add(ApiError.param(field, "is_date_time", "must be a date-time in RFC3339 format"));
    }
    return parsed;
  }

  /** The instant of an RFC3339 date-time, or null when it is not one. */
  static Instant parseRfc3339(String text) {
    if (text == null || !RFC3339.matcher(text).matches()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static ObjectNode jobJson(Target t) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("start_at", format(t.startAt));
    n.put("end_at", format(t.endAt));
    n.put("status", t.status);
    n.put("updated_at", format(t.updatedAt));
    return n;
  }

  static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  // ---------------------------------------------------------------------------------------------- webhooks

  /** {@code GET /v2/audit-log-webhook}: the inline view; a linked destination shows through. */
  synchronized ObjectNode getWebhookV2(Target t) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    WebhookConfig config = effectiveConfig(t);
    n.put("endpoint", config == null ? "unconfigured" : config.endpoint());
    n.put("enabled", t.enabled);
    n.put("log_format", config == null ? "cef" : config.logFormat());
    n.put("skip_ssl_verification", config != null && config.skipTlsVerification());
    n.put("updated_at", format(t.webhookUpdatedAt));
    return n;
  }

  /** {@code PATCH /v2/audit-log-webhook}: merges the inline config and unlinks any destination. */
  synchronized ObjectNode patchWebhookV2(Target t, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiError.unparseableBody();
    }
    List<ObjectNode> problems = new ArrayList<>();
    String endpoint = optionalText(body, "endpoint", problems);
    String authorization = optionalText(body, "authorization", problems);
    String logFormat = optionalText(body, "log_format", problems);
    Boolean enabled = optionalBoolean(body, "enabled", problems);
    Boolean skipSsl = optionalBoolean(body, "skip_ssl_verification", problems);
    checkProblems(problems);
    checkEndpoint(endpoint, problems);
    if (authorization != null && authorization.isBlank()) {
      problems.add(ApiError.param("authorization", null, "cannot be blank"));
    }
    checkLogFormat(logFormat, problems);
    checkProblems(problems);
    WebhookConfig current = effectiveConfig(t);
    WebhookConfig base = current == null ? new WebhookConfig(null, null, "cef", false) : current;
    WebhookConfig merged = new WebhookConfig(endpoint != null ? endpoint : base.endpoint(),
        authorization != null ? authorization : base.authorization(),
        logFormat != null ? logFormat : base.logFormat(),
        skipSsl != null ? skipSsl : base.skipTlsVerification());
    boolean newEnabled = enabled != null ? enabled : t.enabled;
    if (merged.endpoint() == null && (endpoint != null || authorization != null || logFormat != null
        || skipSsl != null || newEnabled)) {
      throw ApiError.badRequest("Required field missing", List.of(ApiError.param("endpoint", null,
          "cannot be blank")));
    }
    if (merged.endpoint() != null) {
      t.inline = merged;
      t.destinationId = null;
    }
    t.enabled = newEnabled;
    t.webhookUpdatedAt = clock.instant();
    return getWebhookV2(t);
  }

  /** {@code GET /v3/audit-log-webhook} and the portal webhook: the destination link. */
  synchronized ObjectNode getWebhookLink(Target t) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("enabled", t.enabled);
    if (t.destinationId != null) {
      n.put("audit_log_destination_id", t.destinationId);
    } else if (t.portalId == null) {
      // required by the org v3 schema: the "empty" id of a Go uuid
      n.put("audit_log_destination_id", NIL_UUID);
    }
    return n;
  }

  synchronized ObjectNode patchWebhookLink(Target t, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiError.unparseableBody();
    }
    List<ObjectNode> problems = new ArrayList<>();
    String destinationId = optionalText(body, "audit_log_destination_id", problems);
    Boolean enabled = optionalBoolean(body, "enabled", problems);
    checkProblems(problems);
    if (destinationId != null && !UUID_PATTERN.matcher(destinationId).matches()) {
      throw ApiError.badRequest("Could not parse destination id",
          List.of(ApiError.param("audit_log_destination_id", "is_uuid", "destination id format is invalid")));
    }
    if (destinationId != null) {
      String id = destinationId.toLowerCase(Locale.ROOT);
      if (!destinations.containsKey(id)) {
        throw ApiError.notFound();
      }
      t.destinationId = id;
    }
    if (enabled != null) {
      t.enabled = enabled;
    }
    t.webhookUpdatedAt = clock.instant();
    return getWebhookLink(t);
  }

  /** DELETE of the v3 org or portal webhook: unlinks and disables; 409 for a portal with an active job. */
  synchronized void deleteWebhookLink(Target t) {
    if (t.portalId != null && conflictStates.contains(t.status)) {
      throw ApiError.conflict("A replay job is currently running");
    }
    t.destinationId = null;
    t.inline = null;
    t.enabled = false;
    t.webhookUpdatedAt = clock.instant();
  }

  synchronized ObjectNode webhookStatus(Target t) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    boolean configured = effectiveConfig(t) != null;
    DeliveryResult last = t.lastResult;
    n.put("webhook_status", !configured ? "unconfigured"
        : t.consecutiveFailures >= settings.inactiveAfterFailures() ? "inactive" : "active");
    n.put("webhook_enabled", t.enabled);
    if (last != null) {
      n.put("last_attempt_at", format(last.lastAttemptAt() != null ? last.lastAttemptAt() : t.updatedAt));
      n.put("last_response_code", last.lastResponseCode());
      n.put("last_response_message", last.lastResponseMessage() == null ? "" : last.lastResponseMessage());
    }
    return n;
  }

  /** Creates a destination and links it to the target: the test-side shortcut for a configured webhook. */
  synchronized void configureWebhook(String region, String portalId, String endpoint, String authorization,
      String logFormat, boolean enabled) {
    Target t = requireTarget(region, portalId);
    Instant now = clock.instant();
    Destination d = new Destination(UUID.randomUUID().toString(), now);
    d.name = "emulator-" + region + "-" + (portalId == null ? "org" : portalId);
    d.endpoint = endpoint;
    d.authorization = authorization;
    d.logFormat = logFormat;
    destinations.put(d.id, d);
    t.destinationId = d.id;
    t.inline = null;
    t.enabled = enabled;
    t.webhookUpdatedAt = now;
  }

  // ---------------------------------------------------------------------------------------------- destinations

  synchronized ObjectNode listDestinations(String basePath, Map<String, String> query) {
    int size = 100;
    String sizeParam = query.get("page[size]");
    if (sizeParam != null && !sizeParam.isEmpty()) {
      try {
        size = Integer.parseInt(sizeParam);
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 1 || size > 1000) {
        throw ApiError.badRequest("Invalid page size",
            List.of(ApiError.param("page[size]", "is_integer", "must be an integer from 1 to 1000")));
      }
    }
    List<Destination> all = new ArrayList<>(destinations.values());
    String nameEq = query.get("filter[name][eq]");
    String nameContains = query.get("filter[name][contains]");
    all.removeIf(d -> (nameEq != null && !nameEq.equals(d.name))
        || (nameContains != null && !d.name.contains(nameContains)));
    int from = decodeCursor(query.get("page[after]"));
    if (query.containsKey("page[before]")) {
      from = Math.max(0, decodeCursor(query.get("page[before]")) - size);
    }
    from = Math.min(from, all.size());
    int to = Math.min(all.size(), from + size);
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    ArrayNode data = n.putArray("data");
    for (Destination d : all.subList(from, to)) {
      data.add(destinationJson(d));
    }
    ObjectNode meta = n.putObject("meta");
    meta.put("first", basePath + "?page%5Bsize%5D=" + size);
    if (to < all.size()) {
      meta.put("next", basePath + "?page%5Bsize%5D=" + size + "&page%5Bafter%5D=" + encodeCursor(to));
    } else {
      meta.putNull("next");
    }
    if (from > 0) {
      meta.put("previous", basePath + "?page%5Bsize%5D=" + size + "&page%5Bbefore%5D=" + encodeCursor(from));
    } else {
      meta.putNull("previous");
    }
    meta.put("size", size);
    return n;
  }

  private static String encodeCursor(int index) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"i\":" + index + "}")
        .getBytes(StandardCharsets.UTF_8));
  }

  private static int decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return 0;
    }
    try {
      String json = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      return Math.max(0, Integer.parseInt(json.replaceAll("[^0-9]", "")));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("Invalid page cursor",
          List.of(ApiError.param("page[after]", "invalid", "is not a valid cursor")));
    }
  }

  synchronized ObjectNode createDestination(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiError.unparseableBody();
    }
    List<ObjectNode> problems = new ArrayList<>();
    String name = optionalText(body, "name", problems);
    String endpoint = optionalText(body, "endpoint", problems);
    String authorization = optionalText(body, "authorization", problems);
    String logFormat = optionalText(body, "log_format", problems);
    Boolean skipSsl = optionalBoolean(body, "skip_ssl_verification", problems);
    checkProblems(problems);
    for (String[] required : new String[][] {{"name", name}, {"endpoint", endpoint},
        {"authorization", authorization}, {"log_format", logFormat}}) {
      if (required[1] == null || required[1].isBlank()) {
        problems.add(ApiError.param(required[0], "required", "cannot be blank"));
      }
    }
    if (!problems.isEmpty()) {
      throw ApiError.badRequest("Required field missing", problems);
    }
    checkEndpoint(endpoint, problems);
    checkLogFormat(logFormat, problems);
    checkProblems(problems);
    Destination d = new Destination(UUID.randomUUID().toString(), clock.instant());
    d.name = name;
    d.endpoint = endpoint;
    d.authorization = authorization;
    d.logFormat = logFormat;
    d.skipSsl = skipSsl != null && skipSsl;
    destinations.put(d.id, d);
    return destinationJson(d);
  }

  synchronized ObjectNode getDestination(String id) {
    return destinationJson(destination(id));
  }

  synchronized ObjectNode patchDestination(String id, JsonNode body) {
    Destination d = destination(id);
    if (body == null || !body.isObject()) {
      throw ApiError.unparseableBody();
    }
    List<ObjectNode> problems = new ArrayList<>();
    String name = optionalText(body, "name", problems);
    String endpoint = optionalText(body, "endpoint", problems);
    String authorization = optionalText(body, "authorization", problems);
    String logFormat = optionalText(body, "log_format", problems);
    Boolean skipSsl = optionalBoolean(body, "skip_ssl_verification", problems);
    checkProblems(problems);
    checkEndpoint(endpoint, problems);
    if (authorization != null && authorization.isBlank()) {
      problems.add(ApiError.param("authorization", null, "cannot be blank"));
    }
    if (name != null && name.isBlank()) {
      problems.add(ApiError.param("name", null, "cannot be blank"));
    }
    checkLogFormat(logFormat, problems);
    checkProblems(problems);
    if (name != null) {
      d.name = name;
    }
    if (endpoint != null) {
      d.endpoint = endpoint;
    }
    if (authorization != null) {
      d.authorization = authorization;
    }
    if (logFormat != null) {
      d.logFormat = logFormat;
    }
    if (skipSsl != null) {
      d.skipSsl = skipSsl;
    }
    d.updatedAt = clock.instant();
    return destinationJson(d);
  }

  synchronized void deleteDestination(String id) {
    Destination d = destination(id);
    boolean inUse = targets.values().stream().anyMatch(t -> d.id.equals(t.destinationId));
    if (inUse) {
      throw ApiError.conflict("Destination is in use by an audit log webhook [" + d.id + "]");
    }
    destinations.remove(d.id);
  }

  private Destination destination(String id) {
    Destination d = id == null ? null : destinations.get(id.toLowerCase(Locale.ROOT));
    if (d == null) {
      throw ApiError.notFound();
    }
    return d;
  }

  private static ObjectNode destinationJson(Destination d) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("id", d.id);
    n.put("name", d.name);
    n.put("endpoint", d.endpoint);
    n.put("log_format", d.logFormat);
    n.put("skip_ssl_verification", d.skipSsl);
    n.put("created_at", format(d.createdAt));
    n.put("updated_at", format(d.updatedAt));
    return n;
  }

  // ---------------------------------------------------------------------------------------------- validation

  private static String optionalText(JsonNode body, String field, List<ObjectNode> problems) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      problems.add(ApiError.param(field, "is_string", "must be a string"));
      return null;
    }
    return v.asText();
  }

  private static Boolean optionalBoolean(JsonNode body, String field, List<ObjectNode> problems) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      problems.add(ApiError.param(field, "is_boolean", "must be a boolean"));
      return null;
    }
    return v.asBoolean();
  }

  private static void checkEndpoint(String endpoint, List<ObjectNode> problems) {
    if (endpoint == null) {
      return;
    }
    if (endpoint.isBlank()) {
      problems.add(ApiError.param("endpoint", null, "cannot be blank"));
      return;
    }
    try {
      URI uri = new URI(endpoint);
      String scheme = uri.getScheme();
      if (scheme == null || uri.getHost() == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        problems.add(ApiError.param("endpoint", null, "must be a valid URL"));
      }
    } catch (Exception e) {
      problems.add(ApiError.param("endpoint", null, "must be a valid URL"));
    }
  }

  private static void checkLogFormat(String logFormat, List<ObjectNode> problems) {
    if (logFormat != null && !LOG_FORMATS.contains(logFormat)) {
      ObjectNode p = ApiError.param("log_format", "enum", "must be one of cef, json, cps");
      p.putArray("choices").add("cef").add("json").add("cps");
      problems.add(p);
    }
  }

  private static void checkProblems(List<ObjectNode> problems) {
    if (!problems.isEmpty()) {
      String field = problems.get(0).path("field").asText();
      boolean typeError = problems.stream().anyMatch(p -> p.path("rule").asText().startsWith("is_"));
      throw ApiError.badRequest(typeError ? "Could not parse request body" : "Invalid " + field, problems);
    }
  }
}
