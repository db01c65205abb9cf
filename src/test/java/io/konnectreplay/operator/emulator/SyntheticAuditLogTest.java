package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.konnectreplay.operator.emulator.AuditLogSigner.Format;
import io.konnectreplay.operator.emulator.SyntheticAuditLog.Event;
import io.konnectreplay.operator.emulator.SyntheticAuditLog.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SyntheticAuditLogTest {

  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SyntheticAuditLog log = new SyntheticAuditLog(CLOCK);

  @Test
  void aDenserPhaseFromAnInstantKeepsThePastSparseAndThePresentDense() {
    Instant split = NOW.minus(Duration.ofMinutes(1));
    SyntheticAuditLog log = new SyntheticAuditLog(CLOCK).denserFrom(split, Duration.ofMillis(500));
    List<SyntheticAuditLog.Event> past = log.events("us", null, NOW.minus(Duration.ofHours(1)), split);
    List<SyntheticAuditLog.Event> present = log.events("us", null, split, NOW);
    assertThat(past).hasSize(12); // one every 5 minutes
    assertThat(present).hasSize(120); // one every 500 ms
    List<SyntheticAuditLog.Event> all = log.events("us", null, NOW.minus(Duration.ofHours(1)), NOW);
    assertThat(all).hasSize(132).isSortedAccordingTo(java.util.Comparator.comparing(SyntheticAuditLog.Event::time));
    assertThat(log.count("us", null, NOW.minus(Duration.ofHours(1)), NOW)).isEqualTo(132);
    assertThat(log.stream("us", null, NOW.minus(Duration.ofHours(1)), NOW).toList()).isEqualTo(all);
    assertThat(all).extracting(SyntheticAuditLog.Event::traceId).doesNotHaveDuplicates();
    // deterministic: another log built the same way has the same events, in the same organization
    SyntheticAuditLog again = new SyntheticAuditLog(CLOCK).denserFrom(split, Duration.ofMillis(500));
    assertThat(again.events("us", null, split, NOW)).isEqualTo(present);
    assertThat(again.orgId()).isEqualTo(new SyntheticAuditLog(CLOCK).orgId());
  }

  @Test
  void theSameWindowGivesTheSameEvents() {
    Instant from = NOW.minus(Duration.ofHours(6));
    // a later "now" still holds the window: the events must not depend on the time of the call
    SyntheticAuditLog later = new SyntheticAuditLog(Clock.fixed(NOW.plus(Duration.ofHours(3)), ZoneOffset.UTC));

    List<Event> first = log.events("us", null, from, NOW);
    assertThat(new SyntheticAuditLog(CLOCK).events("us", null, from, NOW)).isEqualTo(first);
    assertThat(later.events("us", null, from, NOW)).isEqualTo(first);
    assertThat(first).extracting(Event::json)
        .isEqualTo(later.events("us", null, from, NOW).stream().map(Event::json).toList());
    // another seed, region or portal gives other events
    assertThat(new SyntheticAuditLog(CLOCK, SyntheticAuditLog.DEFAULT_INTERVAL, 7).events("us", null, from, NOW))
        .isNotEqualTo(first);
    assertThat(log.events("eu", null, from, NOW)).extracting(Event::traceId)
        .doesNotContainAnyElementsOf(first.stream().map(Event::traceId).toList());
  }

  @Test
  void eventsFollowTheDensityAndTheWindowBounds() {
    Instant from = NOW.minus(Duration.ofHours(2));
    Instant to = NOW.minus(Duration.ofHours(1));

    List<Event> events = log.events("us", PORTAL, from, to);

    assertThat(events).hasSize(12); // one every 5 minutes
    assertThat(log.count("us", PORTAL, from, to)).isEqualTo(12);
    assertThat(log.stream("us", PORTAL, from, to).toList()).isEqualTo(events);
    assertThat(events).allSatisfy(e -> assertThat(e.time()).isAfterOrEqualTo(from).isBefore(to));
    assertThat(events).extracting(Event::time).isSorted();
    for (int i = 1; i < events.size(); i++) {
      assertThat(Duration.between(events.get(i - 1).time(), events.get(i).time())).isEqualTo(Duration.ofMinutes(5));
    }
    // [from, to): a window starting on an event includes it, a window ending on it does not
    Instant onEvent = events.get(3).time();
    assertThat(log.events("us", PORTAL, onEvent, to).get(0).time()).isEqualTo(onEvent);
    assertThat(log.events("us", PORTAL, from, onEvent)).hasSize(3);
    assertThat(log.events("us", PORTAL, to, from)).isEmpty();
    assertThat(log.stream("us", PORTAL, to, from)).isEmpty();

    SyntheticAuditLog dense = new SyntheticAuditLog(CLOCK, Duration.ofSeconds(10), 0);
    assertThat(dense.count("us", null, from, to)).isEqualTo(360);
  }

  @Test
  void onlyTheLastSevenDaysAreKept() {
    Instant longAgo = NOW.minus(Duration.ofDays(30));
    Instant future = NOW.plus(Duration.ofDays(1));

    List<Event> all = log.events("us", null, longAgo, future);

    assertThat(all).isNotEmpty();
    assertThat(all).allSatisfy(e -> assertThat(e.time()).isAfterOrEqualTo(NOW.minus(Duration.ofDays(7))).isBefore(NOW));
    assertThat(all).hasSize(7 * 24 * 12);
    assertThat(log.count("us", null, longAgo, NOW.minus(Duration.ofDays(8)))).isZero();
    assertThat(log.count("us", null, NOW, future)).isZero();
  }

  @Test
  void eventIdsAreUniqueAndRecoverableFromEveryFormat() {
    List<Event> events = new ArrayList<>(log.events("us", null, NOW.minus(Duration.ofDays(7)), NOW));
    events.addAll(log.events("us", PORTAL, NOW.minus(Duration.ofDays(7)), NOW));

    Set<String> ids = events.stream().map(Event::traceId).collect(Collectors.toSet());
    assertThat(ids).hasSize(events.size()).allMatch(id -> id.matches("[1-9][0-9]{18}"));
    Event event = events.get(17);
    for (Format format : Format.values()) {
      assertThat(AuditLogLine.parse(event.line(format)).eventId()).isEqualTo(event.traceId());
      assertThat(AuditLogLine.parse(event.line(format)).eventTime()).isEqualTo(event.time());
    }
  }

  @Test
  void organizationEventsFollowTheEventTypeRules() {
    List<Event> events = log.events("us", null, NOW.minus(Duration.ofDays(2)), NOW);

    assertThat(events).extracting(Event::kind).contains(Kind.AUTHENTICATION, Kind.AUTHORIZATION, Kind.ACCESS);
    assertThat(events).allSatisfy(e -> {
      assertThat(e.product()).isEqualTo("Konnect");
      assertThat(e.portalId()).isNull();
      assertThat(e.extensions()).containsKeys("rt", "src", "org_id", "principal_id", "principal_name", "trace_id",
          "user_agent").doesNotContainKey("portal_id").containsEntry("org_id", log.orgId());
      assertThat(e.extensions().get("rt")).isEqualTo(e.time().toEpochMilli());
      switch (e.kind()) {
        case AUTHENTICATION -> assertAuthentication(e);
        case AUTHORIZATION -> {
          assertThat(e.name()).startsWith("Authz.");
          assertThat(e.eventClassId()).isNotBlank();
          assertThat(e.extensions()).containsKeys("action", "granted");
          assertThat(e.severity()).isEqualTo((Boolean) e.extensions().get("granted") ? 1 : 6);
        }
        case ACCESS -> {
          assertThat(e.name()).isEqualTo("Ingress");
          assertThat(e.eventClassId()).isEqualTo("KongGateway");
          assertThat(e.extensions()).containsKeys("request", "query", "act", "status");
          int status = (Integer) e.extensions().get("status");
          assertThat(e.severity()).isEqualTo(status == 500 ? 10 : status == 401 || status == 403 ? 6 : 1);
        }
      }
    });
    // both outcomes of authorization and several access severities occur
    assertThat(events).filteredOn(e -> e.kind() == Kind.AUTHORIZATION).extracting(Event::severity)
        .contains(1, 6);
    assertThat(events).filteredOn(e -> e.kind() == Kind.ACCESS).extracting(Event::severity).contains(1, 6, 10);
  }

  @Test
  void portalEventsAreAuthenticationOnly() {
    List<Event> events = log.events("eu", PORTAL, NOW.minus(Duration.ofDays(2)), NOW);

    assertThat(events).isNotEmpty().allSatisfy(e -> {
      assertThat(e.kind()).isEqualTo(Kind.AUTHENTICATION);
      assertThat(e.product()).isEqualTo("Dev-Portal");
      assertThat(e.extensions()).containsEntry("portal_id", PORTAL).containsEntry("org_id", log.orgId())
          .containsEntry("request", "/api/v2/developer/authenticate");
      assertAuthentication(e);
    });
    assertThat(events).extracting(Event::severity).contains(0, 1, 6, 7);
  }

  private static void assertAuthentication(Event e) {
    assertThat(e.name()).matches("AUTHENTICATION_OUTCOME_(SUCCESS|NOT_FOUND|INVALID_PASSWORD|TOKEN_EXPIRED|LOCKED"
        + "|DISABLED|INVALID)");
    assertThat(e.eventClassId()).matches("AUTHENTICATION_TYPE_(INVALID|BASIC|SSO|PAT|SPAT|GOOGLE|GITHUB"
        + "|WINDOWSLIVE|FEDERATED)");
    String outcome = e.name().substring("AUTHENTICATION_OUTCOME_".length());
    assertThat(e.severity()).isEqualTo(SyntheticAuditLog.authenticationSeverity(outcome));
    assertThat(e.extensions()).containsEntry("success", outcome.equals("SUCCESS")).containsKey("request");
  }

  @Test
  void jsonLinesHaveSortedKeysAndTheDeclaredTypes() throws Exception {
    for (Event e : log.events("us", null, NOW.minus(Duration.ofHours(12)), NOW)) {
      String json = e.json();
      JsonNode node = MAPPER.readTree(json);
      List<String> keys = new ArrayList<>();
      node.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).isSorted().contains("cef_version", "event_class_id", "event_product", "event_ts",
          "event_vendor", "event_version", "name", "severity").doesNotContain("sig");
      assertThat(node.get("rt").isIntegralNumber()).isTrue();
      assertThat(node.get("severity").isIntegralNumber()).isTrue();
      assertThat(node.get("trace_id").isTextual()).isTrue();
      assertThat(node.get("event_vendor").asText()).isEqualTo("KongInc");
      assertThat(node.get("event_version").asText()).isEqualTo("1.0");
      assertThat(node.get("event_ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
      if (node.has("status")) {
        assertThat(node.get("status").isIntegralNumber()).isTrue();
      }
      for (String bool : List.of("success", "granted", "kong_initiated")) {
        if (node.has(bool)) {
          assertThat(node.get(bool).isBoolean()).as(bool).isTrue();
        }
      }
      assertThat(json).doesNotContain("\n", " :", ": ");
      assertThat(e.cps()).isEqualTo("{\"event\":" + json + "}");
    }
  }

  @Test
  void cefLinesFollowKonnectsLayout() {
    List<Event> events = log.events("us", null, NOW.minus(Duration.ofHours(12)), NOW);
    Set<String> userAgents = new HashSet<>();
    for (Event e : events) {
      String cef = e.cef();
      assertThat(cef).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ konghq\\.com CEF:0\\|KongInc\\|Konnect\\|1\\.0\\|"
          + "[^|]+\\|[^|]+\\|\\d+\\|rt=\\d+ src=.*");
      Map<String, String> fields = AuditLogLine.parse(cef).fields();
      e.extensions().forEach((key, value) -> assertThat(fields).containsEntry(key, String.valueOf(value)));
      assertThat(fields).containsEntry("name", e.name()).containsEntry("severity", String.valueOf(e.severity()));
      userAgents.add(fields.get("user_agent"));
    }
    // values with spaces and empty values survive the round trip
    assertThat(userAgents).anyMatch(ua -> ua.contains(" ")).contains("");
    assertThat(log.events("us", PORTAL, NOW.minus(Duration.ofHours(1)), NOW).get(0).cef())
        .contains(" CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_");
  }
}
