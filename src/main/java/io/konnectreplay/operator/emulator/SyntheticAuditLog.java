package io.konnectreplay.operator.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.konnectreplay.operator.emulator.AuditLogSigner.Format;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The audit log the emulator "kept": deterministic synthetic events for the last 7 days before {@link Clock#instant()}.
 *
 * <p>Each target (a region's organization, or a Dev Portal) has one event every {@code interval}, at
 * {@code k * interval + offset(target)} since the epoch; the event at each slot is derived from (seed, region, portal,
 * slot) alone, so the same window always yields the same events, whatever the time of the call, as long as the
 * window is still retained. Organization events are authentication, authorization and access ({@code Ingress})
 * events; Dev Portal events are authentication events only.
 *
 * <p>An event's id is its {@code trace_id}: 19 decimal digits, unique per event, carried in every format, so a
 * receiver can spot duplicates.
 */
public final class SyntheticAuditLog {

  /** How long Konnect keeps audit logs. */
  public static final Duration RETENTION = Duration.ofDays(7);
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  /** The kinds of event. */
  public enum Kind { AUTHENTICATION, AUTHORIZATION, ACCESS }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter RFC3339_SECONDS = DateTimeFormatter.ISO_INSTANT;

  private static final String[] AUTH_OUTCOMES = {
    "SUCCESS", "NOT_FOUND", "INVALID_PASSWORD", "TOKEN_EXPIRED", "LOCKED", "DISABLED", "INVALID"};
  private static final String[] ORG_AUTH_TYPES = {
    "BASIC", "SSO", "PAT", "SPAT", "GOOGLE", "GITHUB", "WINDOWSLIVE", "FEDERATED"};
  private static final String[] PORTAL_AUTH_TYPES = {"BASIC", "SSO", "GOOGLE", "GITHUB"};
  private static final String[] AUTHZ_RESOURCES = {
    "control-planes", "identity-provider", "portals", "api-products", "teams", "users", "system-accounts",
    "audit-logs"};
  private static final String[] AUTHZ_SERVICES = {"konnect", "identity", "kauth", "portal"};
  private static final String[] AUTHZ_ACTIONS = {"list", "read", "create", "update", "delete"};
  private static final String[] ACCESS_PATHS = {
    "/v2/control-planes", "/v2/portals", "/v2/audit-log-webhook", "/v3/teams", "/v2/api-products",
    "/v2/audit-log-replay-job"};
  private static final String[] ACCESS_QUERIES = {"", "page[size]=10", "page[size]=100&page[number]=2",
    "filter[name][contains]=prod"};
  private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "PATCH", "DELETE"};
  private static final int[] STATUSES = {200, 200, 200, 200, 200, 201, 204, 400, 401, 403, 404, 500};
  private static final String[] USER_AGENTS = {
    "grpc-node-js/1.12.4", "grpc-go/1.54.0", "grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)", "kongctl/0.3.0", "deck/1.40.0",
    ""};
  private static final String[] PRINCIPAL_NAMES = {
    "alice@example.com", "bob@example.com", "carol@example.com", "ci-bot", "dave@example.com", "erin@example.com"};

  private final Clock clock;
  private final long intervalMillis;
  private final long seed;
  private final String orgId;
  /** Where the denser phase starts (epoch ms), or Long.MAX_VALUE when the log has one interval throughout. */
  private final long densePhaseFrom;
  /** The log from {@link #densePhaseFrom} on, or null. */
  private final SyntheticAuditLog densePhase;

  /** Every 5 minutes per target, seed 0. */
  public SyntheticAuditLog(Clock clock) {
    this(clock, DEFAULT_INTERVAL, 0L);
  }

  /**
   * @param interval the time between two events of one target, at least 1 ms
   * @param seed varies every generated value (including the organization id)
   */
  public SyntheticAuditLog(Clock clock, Duration interval, long seed) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.intervalMillis = Objects.requireNonNull(interval, "interval").toMillis();
    if (intervalMillis < 1) {
      throw new IllegalArgumentException("interval must be at least 1 ms");
    }
    this.seed = seed;
    this.orgId = uuid(new SplittableRandom(mix(seed ^ 0x6f7267L)));
    this.densePhaseFrom = Long.MAX_VALUE;
    this.densePhase = null;
  }

  private SyntheticAuditLog(SyntheticAuditLog sparse, long intervalMillis, long seed, long densePhaseFrom,
      SyntheticAuditLog densePhase) {
    this.clock = sparse.clock;
    this.intervalMillis = intervalMillis;
    this.seed = seed;
    this.orgId = sparse.orgId;
    this.densePhaseFrom = densePhaseFrom;
    this.densePhase = densePhase;
  }

  /**
   * This log until {@code from}, and one event every {@code interval} per target from then on (same organization,
   * events of their own). The sandbox uses it: a sparse past for the sample replays of hours and days, and a dense
   * present, so a receiver outage of seconds loses events a replay must bring back.
   */
  public SyntheticAuditLog denserFrom(Instant from, Duration interval) {
    long dense = Objects.requireNonNull(interval, "interval").toMillis();
    if (dense < 1) throw new IllegalArgumentException("interval must be at least 1 ms");
    SyntheticAuditLog phase = new SyntheticAuditLog(this, dense, seed ^ 0x64656e7365L, Long.MAX_VALUE, null);
    return new SyntheticAuditLog(this, intervalMillis, seed, from.toEpochMilli(), phase);
  }

  public Clock clock() { return clock; }

  public Duration interval() { return Duration.ofMillis(intervalMillis); }

  /** The organization every region's org events belong to. */
  public String orgId() { return orgId; }

  /** The oldest instant still kept: now minus 7 days. */
  public Instant retainedFrom() { return clock.instant().minus(RETENTION); }

  /**
   * The events of the target in {@code [from, to)}, clipped to what is kept ({@code [now - 7 days, now)}), oldest
   * first.
   *
   * @param portalId the Dev Portal, or null for the region's organization
   */
  public List<Event> events(String region, String portalId, Instant from, Instant to) {
    if (densePhase != null) {
      List<Event> both = new ArrayList<>(ownEvents(region, portalId, from, earlier(to, densePhaseStart())));
      both.addAll(densePhase.events(region, portalId, later(from, densePhaseStart()), to));
      return Collections.unmodifiableList(both);
    }
    return ownEvents(region, portalId, from, to);
  }

  private Instant densePhaseStart() { return Instant.ofEpochMilli(densePhaseFrom); }

  private static Instant earlier(Instant a, Instant b) { return a.isBefore(b) ? a : b; }

  private static Instant later(Instant a, Instant b) { return a.isAfter(b) ? a : b; }

  private List<Event> ownEvents(String region, String portalId, Instant from, Instant to) {
    Objects.requireNonNull(region, "region");
    long[] slots = slots(region, portalId, from, to);
    List<Event> events = new ArrayList<>((int) Math.max(0, slots[1] - slots[0]));
    for (long slot = slots[0]; slot < slots[1]; slot++) {
      events.add(event(region, portalId, slot, slots[2]));
    }
    return Collections.unmodifiableList(events);
  }

  /** The same events as {@link #events}, built one at a time as the stream is read (for dense logs). */
  public Stream<Event> stream(String region, String portalId, Instant from, Instant to) {
    if (densePhase != null) {
      return Stream.concat(ownStream(region, portalId, from, earlier(to, densePhaseStart())),
          densePhase.stream(region, portalId, later(from, densePhaseStart()), to));
    }
    return ownStream(region, portalId, from, to);
  }

  private Stream<Event> ownStream(String region, String portalId, Instant from, Instant to) {
    Objects.requireNonNull(region, "region");
    long[] slots = slots(region, portalId, from, to);
    return LongStream.range(slots[0], Math.max(slots[0], slots[1])).mapToObj(slot -> event(region, portalId, slot,
        slots[2]));
  }

  /** How many events {@link #events} would return, without building them. */
  public long count(String region, String portalId, Instant from, Instant to) {
    if (densePhase != null) {
      return ownCount(region, portalId, from, earlier(to, densePhaseStart()))
          + densePhase.count(region, portalId, later(from, densePhaseStart()), to);
    }
    return ownCount(region, portalId, from, to);
  }

  private long ownCount(String region, String portalId, Instant from, Instant to) {
    long[] slots = slots(region, portalId, from, to);
    return Math.max(0, slots[1] - slots[0]);
  }

  /** {first slot, end slot (exclusive), offset}: the slots whose time falls in the clipped window. */
  private long[] slots(String region, String portalId, Instant from, Instant to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Instant now = clock.instant();
    long start = Math.max(from.toEpochMilli(), now.minus(RETENTION).toEpochMilli());
    long end = Math.min(to.toEpochMilli(), now.toEpochMilli());
    long offset = Math.floorMod(targetHash(region, portalId), intervalMillis);
    if (end <= start) {
      return new long[] {0, 0, offset};
    }
    // the first k with k * interval + offset >= start, and the first k with k * interval + offset >= end
    long first = ceilDiv(start - offset, intervalMillis);
    long last = ceilDiv(end - offset, intervalMillis);
    return new long[] {first, last, offset};
  }

  private static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }

  private Event event(String region, String portalId, long slot, long offset) {
    long targetHash = targetHash(region, portalId);
    SplittableRandom random = new SplittableRandom(mix(mix(seed ^ targetHash) + slot));
    Instant time = Instant.ofEpochMilli(slot * intervalMillis + offset);
    // 19 digits like Konnect's trace ids; derived from the same mix, independent of the random stream
    String traceId = Long.toString(1_000_000_000_000_000_000L
        + Math.floorMod(mix(mix(seed + 0x7472616365L ^ targetHash) + slot), 8_000_000_000_000_000_000L));
    boolean portal = portalId != null;
    Kind kind = portal ? Kind.AUTHENTICATION : pickKind(random);

    Map<String, Object> ext = new LinkedHashMap<>();
    ext.put("rt", time.toEpochMilli());
    ext.put("src", "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254)));
    String eventClassId;
    String name;
    int severity;
    switch (kind) {
      case AUTHENTICATION -> {
        String outcome = random.nextInt(10) < 7 ? "SUCCESS" : pick(random, AUTH_OUTCOMES);
        String type = "INVALID".equals(outcome) ? "INVALID"
            : pick(random, portal ? PORTAL_AUTH_TYPES : ORG_AUTH_TYPES);
        eventClassId = "AUTHENTICATION_TYPE_" + type;
        name = "AUTHENTICATION_OUTCOME_" + outcome;
        severity = authenticationSeverity(outcome);
        ext.put("request", portal ? "/api/v2/developer/authenticate" : "/kauth/api/v1/authenticate");
        ext.put("success", "SUCCESS".equals(outcome));
      }
      case AUTHORIZATION -> {
        eventClassId = pick(random, AUTHZ_SERVICES);
        name = "Authz." + pick(random, AUTHZ_RESOURCES);
        boolean granted = random.nextInt(10) < 9;
        severity = granted ? 1 : 6;
        ext.put("action", pick(random, AUTHZ_ACTIONS));
        ext.put("granted", granted);
      }
      default -> {
        eventClassId = "KongGateway";
        name = "Ingress";
        int status = STATUSES[random.nextInt(STATUSES.length)];
        severity = status == 500 ? 10 : (status == 401 || status == 403) ? 6 : 1;
        ext.put("request", pick(random, ACCESS_PATHS));
        ext.put("query", pick(random, ACCESS_QUERIES));
        ext.put("act", pick(random, METHODS));
        ext.put("status", status);
      }
    }
    ext.put("org_id", orgId);
    if (portal) {
      ext.put("portal_id", portalId);
    }
    int principal = random.nextInt(PRINCIPAL_NAMES.length);
    ext.put("principal_id", uuid(new SplittableRandom(mix(seed ^ targetHash ^ (0x7072696eL + principal)))));
    ext.put("principal_name", PRINCIPAL_NAMES[principal]);
    if (!portal) {
      ext.put("kong_initiated", false);
    }
    ext.put("trace_id", traceId);
    ext.put("user_agent", pick(random, USER_AGENTS));
    return new Event(time, traceId, region, portalId, kind, portal ? "Dev-Portal" : "Konnect", eventClassId, name,
        severity, Collections.unmodifiableMap(ext));
  }

  private static Kind pickKind(SplittableRandom random) {
    int roll = random.nextInt(20);
    return roll < 5 ? Kind.AUTHENTICATION : roll < 13 ? Kind.AUTHORIZATION : Kind.ACCESS;
  }

  /** 0 success; 1 credential failure; 6 locked or disabled; 7 unknown. */
  static int authenticationSeverity(String outcome) {
    return switch (outcome) {
      case "SUCCESS" -> 0;
      case "NOT_FOUND", "INVALID_PASSWORD", "TOKEN_EXPIRED" -> 1;
      case "LOCKED", "DISABLED" -> 6;
      default -> 7;
    };
  }

  private static String pick(SplittableRandom random, String[] values) { return values[random.nextInt(values.length)]; }

  private static String uuid(SplittableRandom random) {
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** FNV-1a over "region|portal", stable across JVMs. */
  private static long targetHash(String region, String portalId) {
    String key = region.toLowerCase(Locale.ROOT) + "|" + (portalId == null ? "-" : portalId.toLowerCase(Locale.ROOT));
    long hash = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  /** SplitMix64's finalizer: a bijective scramble of 64 bits. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * One audit event.
   *
   * @param time when it happened ({@code rt}, millisecond precision)
   * @param traceId its id, unique per event
   * @param portalId the Dev Portal, or null for an organization event
   * @param product {@code Konnect} or {@code Dev-Portal}
   * @param extensions the CEF extensions in Konnect's order, without sig; values are String, Long/Integer or Boolean
   */
  public record Event(Instant time, String traceId, String region, String portalId, Kind kind, String product,
      String eventClassId, String name, int severity, Map<String, Object> extensions) {

    /** {@code "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|…|…|…|rt=… …"}, without sig. */
    public String cef() {
      StringBuilder line = new StringBuilder(256)
          .append(RFC3339_SECONDS.format(time.truncatedTo(ChronoUnit.SECONDS)))
          .append(" konghq.com CEF:0|KongInc|")
          .append(escapeHeader(product)).append("|1.0|")
          .append(escapeHeader(eventClassId)).append('|')
          .append(escapeHeader(name)).append('|')
          .append(severity).append('|');
      boolean first = true;
      for (Map.Entry<String, Object> e : extensions.entrySet()) {
        if (!first) {
          line.append(' ');
        }
        first = false;
        line.append(e.getKey()).append('=').append(escapeExtension(String.valueOf(e.getValue())));
      }
      return line.toString();
    }

    /**
     * The compact JSON object without sig: keys sorted (as in Konnect's examples), {@code rt}, {@code status} and
     * {@code severity} numbers, {@code success}, {@code granted}, {@code kong_initiated} booleans, the rest strings
     * (the declared types; {@code trace_id} is a string, {@code cef_version} is "0" as in the signature doc).
     */
    public String json() {
      Map<String, Object> object = new TreeMap<>(extensions);
      object.put("cef_version", "0");
      object.put("event_class_id", eventClassId);
      object.put("event_product", product);
      object.put("event_ts", RFC3339_SECONDS.format(time.truncatedTo(ChronoUnit.SECONDS)));
      object.put("event_vendor", "KongInc");
      object.put("event_version", "1.0");
      object.put("name", name);
      object.put("severity", severity);
      try {
        return MAPPER.writeValueAsString(object);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** {@code {"event":{…}}} around {@link #json()}, without sig. */
    public String cps() { return AuditLogSigner.CPS_PREFIX + json() + "}"; }

    /** The unsigned line in a format. */
    public String line(Format format) {
      return switch (format) {
        case CEF -> cef();
        case JSON -> json();
        case CPS -> cps();
      };
    }

    /** {@code portal:<id>} or {@code org:<org_id>}, as {@link WebhookReceiver} counts targets. */
    public String target() {
      return portalId != null ? "portal:" + portalId : "org:" + extensions.get("org_id");
    }
  }

  /** CEF header fields escape '\' and '|'. */
  static String escapeHeader(String value) {
    return value.replace("\\", "\\\\").replace("|", "\\|");
  }

  /**
   * CEF extension values escape '\' and '=' (the CEF rule; Konnect's examples show no value needing it) and never
   * contain a line break. Spaces stay as they are, as in Konnect's lines.
   */
  static String escapeExtension(String value) {
    return value.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n");
  }
}
