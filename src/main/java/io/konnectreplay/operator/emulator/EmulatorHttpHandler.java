package io.konnectreplay.operator.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes, authenticates, faults, answers and logs every request to the emulator. */
final class EmulatorHttpHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(EmulatorHttpHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  private static final String PROBLEM_JSON = "application/problem+json";
  private static final String APPLICATION_JSON = "application/json";

  private final EmulatorState state;
  private final Faults faults;
  private final RequestLog log;
  private final Map<String, Set<String>> tokens;
  private final String defaultRegion;
  private final Clock clock;
  private final ReplayDelivery delivery;

  /**
   * @param tokens each known token, with the portal ids it may use, or null for full access
   */
  EmulatorHttpHandler(EmulatorState state, Faults faults, RequestLog log, Map<String, Set<String>> tokens,
      String defaultRegion, Clock clock, ReplayDelivery delivery) {
    this.state = state;
    this.faults = faults;
    this.log = log;
    this.tokens = tokens;
    this.defaultRegion = defaultRegion;
    this.clock = clock;
    this.delivery = delivery;
  }

  private enum Resource { JOB, WEBHOOK, WEBHOOK_STATUS, JWKS, DESTINATIONS, DESTINATION, UNKNOWN }

  /** Where a path points. {@code region} is null when the path names a region prefix the emulator does not serve. */
  private record Route(String region, String version, Resource resource, String portalId, String destinationId) {

    EndpointKind kind(String method) {
      return switch (resource) {
        case JOB -> method.equals("PUT") ? EndpointKind.REPLAY_JOB_PUT
            : method.equals("GET") ? EndpointKind.REPLAY_JOB_GET : EndpointKind.OTHER;
        case WEBHOOK -> switch (method) {
          case "GET" -> EndpointKind.WEBHOOK_GET;
          case "PATCH" -> EndpointKind.WEBHOOK_PATCH;
          case "DELETE" -> version.equals("v2") && portalId == null ? EndpointKind.OTHER : EndpointKind.WEBHOOK_DELETE;
          default -> EndpointKind.OTHER;
        };
        case WEBHOOK_STATUS -> method.equals("GET") ? EndpointKind.WEBHOOK_STATUS_GET : EndpointKind.OTHER;
        case JWKS -> method.equals("GET") ? EndpointKind.JWKS : EndpointKind.OTHER;
        case DESTINATIONS -> method.equals("GET") || method.equals("POST")
            ? EndpointKind.DESTINATIONS : EndpointKind.OTHER;
        case DESTINATION -> method.equals("GET") || method.equals("PATCH") || method.equals("DELETE")
            ? EndpointKind.DESTINATIONS : EndpointKind.OTHER;
        case UNKNOWN -> EndpointKind.OTHER;
      };
    }
  }

  private Route route(String rawPath) {
    List<String> segments = Arrays.stream(rawPath.split("/")).filter(s -> !s.isEmpty())
        .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
    String region = defaultRegion;
    if (!segments.isEmpty() && !segments.get(0).matches("v\\d+")) {
      region = state.hasRegion(segments.get(0)) ? segments.get(0) : null;
      segments = segments.subList(1, segments.size());
    }
    if (region == null || segments.isEmpty() || !(segments.get(0).equals("v2") || segments.get(0).equals("v3"))) {
      return new Route(region, "", Resource.UNKNOWN, null, null);
    }
    String version = segments.get(0);
    List<String> rest = segments.subList(1, segments.size());
    String portalId = null;
    if (rest.size() >= 3 && rest.get(0).equals("portals")) {
      portalId = rest.get(1).toLowerCase(Locale.ROOT);
      rest = rest.subList(2, rest.size());
    }
    String joined = String.join("/", rest);
    Resource resource = switch (joined) {
      case "audit-log-replay-job" -> Resource.JOB;
      case "audit-log-webhook" -> Resource.WEBHOOK;
      case "audit-log-webhook/status" -> Resource.WEBHOOK_STATUS;
      case "audit-log-webhook/jwks.json" -> portalId == null && version.equals("v2") ? Resource.JWKS
          : Resource.UNKNOWN;
      case "audit-log-destinations" -> portalId == null ? Resource.DESTINATIONS : Resource.UNKNOWN;
      default -> portalId == null && rest.size() == 2 && rest.get(0).equals("audit-log-destinations")
          ? Resource.DESTINATION : Resource.UNKNOWN;
    };
    String destinationId = resource == Resource.DESTINATION ? rest.get(1) : null;
    return new Route(region, version, resource, portalId, destinationId);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long nanos = System.nanoTime();
    Instant now = clock.instant();
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String path = exchange.getRequestURI().getRawPath();
    Route route = route(path);
    EndpointKind kind = route.kind(method);
    String token = bearerToken(exchange.getRequestHeaders().getFirst("Authorization"));
    boolean authorized = token != null && tokens.containsKey(token);
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    JsonNode json = parse(body);
    Instant windowStart = null;
    Instant windowEnd = null;
    if (kind == EndpointKind.REPLAY_JOB_PUT && json != null && json.isObject()) {
      windowStart = EmulatorState.parseRfc3339(json.path("start_at").asText(null));
      windowEnd = EmulatorState.parseRfc3339(json.path("end_at").asText(null));
    }
    boolean faulted = false;
    String fault = null;
    Reply reply;
    try {
      FaultRule answering = null;
      for (FaultRule rule : faults.fire(method, kind, route.region(), route.portalId())) {
        if (rule.action == FaultRule.Action.LATENCY) {
          fault = "latency";
          sleep(rule);
        } else {
          answering = rule;
        }
      }
      if (answering != null) {
        faulted = true;
        fault = switch (answering.action) {
          case RATE_LIMIT -> "rate-limit";
          case SERVER_ERROR -> "server-error";
          default -> "drop";
        };
        reply = answerFault(answering);
      } else {
        reply = answer(exchange, method, route, token, authorized, json, body.length);
      }
    } catch (RuntimeException e) {
      LOG.warn("emulator failed on {} {}", method, path, e);
      reply = Reply.json(500, PROBLEM_JSON,
          problem(500, "Internal Server Error", "An unexpected error occurred", "kong:trace:"));
    }
    // logged before the answer goes out, so a client that has its answer always finds it in the log
    log.add(new RecordedRequest(now, nanos, method, path, kind, route.region(), route.portalId(), reply.status(),
        faulted, fault, authorized, windowStart, windowEnd, false));
    try {
      write(exchange, reply);
    } catch (IOException | RuntimeException e) {
      LOG.debug("emulator could not answer {} {}", method, path, e);
      exchange.close();
    }
  }

  /** An answer, or (status 0) a connection to drop. */
  private record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final Reply DROP = new Reply(0, null, null, Map.of());

    static Reply json(int status, String contentType, JsonNode body) {
      return json(status, contentType, body, Map.of());
    }

    static Reply json(int status, String contentType, JsonNode body, Map<String, String> headers) {
      try {
        return new Reply(status, contentType, JSON.writeValueAsBytes(body), headers);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static Reply empty(int status) {
      return new Reply(status, null, null, Map.of());
    }
  }

  private void write(HttpExchange exchange, Reply reply) throws IOException {
    if (reply.status() == 0) {
      // closing before the response headers makes the JDK server drop the connection
      exchange.close();
      return;
    }
    // Konnect's Date is Konnect's clock: the emulator's (which tests may set ahead of or behind the operator's)
    exchange.getResponseHeaders().set("Date", HTTP_DATE.format(clock.instant()));
    reply.headers().forEach(exchange.getResponseHeaders()::set);
    if (reply.contentType() != null) {
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
    }
    byte[] bytes = reply.body();
    if (bytes == null || bytes.length == 0) {
      exchange.sendResponseHeaders(reply.status(), -1);
    } else {
      exchange.sendResponseHeaders(reply.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  private static void sleep(FaultRule rule) {
    try {
      Thread.sleep(rule.latency.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Reply answerFault(FaultRule rule) {
    switch (rule.action) {
      case DROP_CONNECTION -> {
        return Reply.DROP;
      }
      case RATE_LIMIT -> {
        Map<String, String> headers = switch (rule.retryAfter) {
          case SECONDS -> Map.of("Retry-After", String.valueOf(rule.retryAfterSeconds));
          case HTTP_DATE -> Map.of("Retry-After",
              HTTP_DATE.format(clock.instant().plusSeconds(rule.retryAfterSeconds + 1L)));
          case NONE -> Map.of();
        };
        if (rule.body == FaultRule.Body.GATEWAY) {
          ObjectNode n = JsonNodeFactory.instance.objectNode().put("message", "API rate limit exceeded");
          return Reply.json(429, APPLICATION_JSON, n, headers);
        }
        ObjectNode n = problem(429, "Too Many Requests", "Too many requests", "kong:trace:");
        n.put("type", "https://httpstatuses.com/429");
        return Reply.json(429, PROBLEM_JSON, n, headers);
      }
      case SERVER_ERROR -> {
        if (rule.status == 500) {
          return Reply.json(500, PROBLEM_JSON,
              problem(500, "Internal Server Error", "An unexpected error occurred", "kong:trace:"));
        }
        String message = switch (rule.status) {
          case 502 -> "An invalid response was received from the upstream server";
          case 503 -> "The upstream server is currently unavailable";
          default -> "The upstream server is timing out";
        };
        return Reply.json(rule.status, APPLICATION_JSON,
            JsonNodeFactory.instance.objectNode().put("message", message));
      }
      default -> throw new IllegalStateException("not an answering fault: " + rule);
    }
  }

  private Reply answer(HttpExchange exchange, String method, Route route, String token, boolean authorized,
      JsonNode json, int bodyLength) {
    try {
      if (route.resource() == Resource.UNKNOWN) {
        throw ApiError.notFound();
      }
      if (route.kind(method) == EndpointKind.OTHER) {
        throw ApiError.methodNotAllowed();
      }
      if (route.resource() == Resource.JWKS) {
        return new Reply(200, APPLICATION_JSON, delivery.jwksJson().getBytes(StandardCharsets.UTF_8), Map.of());
      }
      if (!authorized) {
        throw ApiError.unauthorized();
      }
      Set<String> scope = tokens.get(token);
      if (scope != null && (route.portalId() == null || !scope.contains(route.portalId()))) {
        throw ApiError.forbidden();
      }
      JsonNode body = bodyLength == 0 ? null : json;
      return switch (route.resource()) {
        case JOB -> job(method, route, body);
        case WEBHOOK -> webhook(method, route, body);
        case WEBHOOK_STATUS -> ok(200, state.webhookStatus(target(route)));
        case DESTINATIONS -> method.equals("GET")
            ? ok(200, state.listDestinations(exchange.getRequestURI().getRawPath(),
                query(exchange.getRequestURI().getRawQuery())))
            : ok(201, state.createDestination(body));
        case DESTINATION -> destination(method, route, body);
        default -> throw ApiError.notFound();
      };
    } catch (ApiError e) {
      ObjectNode n = problem(e.status, e.title, e.detail, e.tracePrefix);
      if (!e.invalidParameters.isEmpty()) {
        ArrayNode params = n.putArray("invalid_parameters");
        e.invalidParameters.forEach(params::add);
      }
      return Reply.json(e.status, PROBLEM_JSON, n);
    }
  }

  private static Reply ok(int status, JsonNode body) {
    return Reply.json(status, APPLICATION_JSON, body);
  }

  private EmulatorState.Target target(Route route) {
    return state.target(route.region(), route.portalId());
  }

  private Reply job(String method, Route route, JsonNode body) {
    EmulatorState.Target t = target(route);
    return method.equals("PUT") ? ok(202, state.putJob(t, body)) : ok(200, state.getJob(t));
  }

  private Reply webhook(String method, Route route, JsonNode body) {
    EmulatorState.Target t = target(route);
    boolean inline = route.portalId() == null && route.version().equals("v2");
    return switch (method) {
      case "GET" -> ok(200, inline ? state.getWebhookV2(t) : state.getWebhookLink(t));
      case "PATCH" -> ok(200, inline ? state.patchWebhookV2(t, body) : state.patchWebhookLink(t, body));
      default -> {
        state.deleteWebhookLink(t);
        yield Reply.empty(204);
      }
    };
  }

  private Reply destination(String method, Route route, JsonNode body) {
    return switch (method) {
      case "GET" -> ok(200, state.getDestination(route.destinationId()));
      case "PATCH" -> ok(200, state.patchDestination(route.destinationId(), body));
      default -> {
        state.deleteDestination(route.destinationId());
        yield Reply.empty(204);
      }
    };
  }

  static ObjectNode problem(int status, String title, String detail, String tracePrefix) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("status", status);
    n.put("title", title);
    n.put("instance", tracePrefix + traceId());
    n.put("detail", detail);
    return n;
  }

  /** A 19-digit correlation id, like Konnect's. */
  private static long traceId() {
    return ThreadLocalRandom.current().nextLong(1_000_000_000_000_000_000L, Long.MAX_VALUE);
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String bearerToken(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = h.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> q = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return q;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }
}
