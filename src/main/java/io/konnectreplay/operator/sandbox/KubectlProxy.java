package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The sandbox's front door for kubectl: forwards every request to the embedded API server, except watches over plain
 * HTTP. fabric8's mock serves watches over WebSocket only, while kubectl (and every client-go tool) streams them over
 * HTTP; the proxy opens the WebSocket watch at the mock and streams its events to kubectl as newline-delimited JSON,
 * so that {@code kubectl get -w} and {@code kubectl wait} work. WebSocket requests (fabric8 clients) are passed
 * through.
 *
 * <p>Watch semantics kept: a watch from a {@code resourceVersion} (kubectl lists, then watches from the list's version)
 * sends only what changed after it, each version of an object once: the mock's watch starts with every object as
 * ADDED, and the proxy drops those the client already has, so {@code kubectl get -w} prints the initial list once. An
 * equality {@code fieldSelector} on metadata fields ({@code metadata.name}) is applied here, {@code timeoutSeconds}
 * ends the stream. Not kept: an object deleted between the list and the watch is not reported, and bookmarks are not
 * sent.
 *
 * <p>With {@link ApiFaults}, the proxy is also where a test makes the API unreliable, for every client that comes this
 * way (the operators under test; the tests' own client goes to the API directly).
 */
public final class KubectlProxy implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Hop-by-hop and framing headers that each side sets for itself. */
  private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length",
      "transfer-encoding", "upgrade", "keep-alive", "te", "trailer");

  private final Vertx vertx;
  private final HttpServer server;
  private final HttpClient client;
  private final int upstreamPort;
  private final BiFunction<String, JsonNode, JsonNode> tables;
  private final ApiFaults faults;
  private final Set<io.vertx.core.http.HttpConnection> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private KubectlProxy(Vertx vertx, HttpServer server, HttpClient client, int upstreamPort,
      BiFunction<String, JsonNode, JsonNode> tables, ApiFaults faults) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
    this.upstreamPort = upstreamPort;
    this.tables = tables;
    this.faults = faults;
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0 = any free port) in front of the API server at 127.0.0.1:{@code upstream};
   * {@code tables} renders an object of a collection path as a Table, for watches that ask for one (kubectl get -w).
   */
  public static KubectlProxy start(int port, int upstreamPort, BiFunction<String, JsonNode, JsonNode> tables) {
    return start(port, upstreamPort, tables, null);
  }

  /** As {@link #start(int, int, BiFunction)}, with the faults a test drives (null: none). */
  public static KubectlProxy start(int port, int upstreamPort, BiFunction<String, JsonNode, JsonNode> tables,
      ApiFaults faults) {
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(upstreamPort).setMaxPoolSize(32));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port));
    KubectlProxy proxy = new KubectlProxy(vertx, server, client, upstreamPort, tables, faults);
    server.requestHandler(proxy::handle);
    if (faults != null) {
      server.connectionHandler(connection -> {
        if (faults.dark()) {
          connection.close();
          return;
        }
        proxy.open.add(connection);
        connection.closeHandler(v -> proxy.open.remove(connection));
      });
      faults.onBlackout(() -> proxy.open.forEach(io.vertx.core.http.HttpConnection::close));
      vertx.setPeriodic(200, id -> proxy.closeOldWatches());
    }
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    return proxy;
  }

  public int port() { return server.actualPort(); }

  private void handle(HttpServerRequest request) {
    if (faults != null) {
      boolean websocket = "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
      if (faults.dark()) {
        faults.count("request refused in blackout"); // its connection reset
        request.connection().close();
        return;
      }
      ApiFaults.Call call = ApiFaults.classify(request.method().name(), request.uri(), websocket);
      ApiFaults.Verdict verdict = faults.decide(call);
      if (verdict.code() == 410 && call.verb() == ApiFaults.Verb.WATCH) {
        answerGone(request, websocket);
        return;
      }
      if (verdict.code() != 0 || !verdict.delay().isZero()) {
        if (websocket) { // upgrades are answered at once: a delay would need the handshake held
          if (verdict.code() != 0) answerFault(request.response(), verdict);
          else route(request);
          return;
        }
        request.body().onSuccess(body -> vertx.setTimer(Math.max(1, verdict.delay().toMillis()), id -> {
          if (verdict.code() != 0) answerFault(request.response(), verdict);
          else forward(request, body);
        }));
        return;
      }
    }
    route(request);
  }

  /** A fault's answer, as kube-apiserver words it (a Status; Retry-After on 429s and 503s). */
  private static void answerFault(HttpServerResponse response, ApiFaults.Verdict verdict) {
    String reason = switch (verdict.code()) {
      case 429 -> "TooManyRequests";
      case 503 -> "ServiceUnavailable";
      default -> "InternalError";
    };
    if (verdict.retryAfter() != null) {
      response.putHeader("Retry-After", Long.toString(Math.max(1, verdict.retryAfter().toSeconds())));
    }
    String message = verdict.code() == 429 ? "the server has received too many requests and has asked us to try again"
        + " later" : "an error on the server (\"injected by the sandbox's fault layer\") has prevented the request from"
        + " succeeding";
    answer(response, KubectlDispatcher.statusBody(verdict.code(), reason, message));
  }

  /** 410 Gone to a watch resumed from a resourceVersion, as kube-apiserver sends it: an ERROR event, then the end. */
  private void answerGone(HttpServerRequest request, boolean websocket) {
    ObjectNode event = JSON.createObjectNode().put("type", "ERROR");
    event.set("object", KubectlDispatcher.statusBody(410, "Expired",
        "too old resource version: the watch must list again (injected by the sandbox's fault layer)"));
    if (websocket) {
      request.toWebSocket().onSuccess(ws -> ws.writeTextMessage(event.toString()).onComplete(done -> ws.close()));
    } else {
      request.response().setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(event + "\n");
    }
  }

  private void route(HttpServerRequest request) {
    if ("websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      passWebSocket(request);
    } else if (request.method() == HttpMethod.GET && isWatch(request)) {
      streamWatch(request);
    } else {
      forward(request);
    }
  }

  private static boolean isWatch(HttpServerRequest request) {
    String watch = request.getParam("watch");
    return "true".equalsIgnoreCase(watch) || "1".equals(watch);
  }

  // ---- plain requests ----------------------------------------------------------------------------------------

  private void forward(HttpServerRequest request) {
    request.body().onSuccess(body -> forward(request, body)).onFailure(error -> fail(request.response(), error));
  }

  private void forward(HttpServerRequest request, Buffer body) {
    HttpServerResponse response = request.response();
    client.request(new RequestOptions().setMethod(request.method()).setURI(request.uri())
                .setHeaders(forwarded(request.headers())))
            .compose(upstream -> upstream.send(body))
            .compose(answer -> answer.body().map(payload -> {
              response.setStatusCode(answer.statusCode());
              answer.headers().forEach(h -> {
                if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                  response.headers().add(h.getKey(), h.getValue());
                }
              });
              response.end(payload);
              return payload;
            }))
        .onFailure(error -> fail(response, error));
  }

  private static MultiMap forwarded(MultiMap headers) {
    MultiMap copy = MultiMap.caseInsensitiveMultiMap();
    headers.forEach(h -> {
      if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) copy.add(h.getKey(), h.getValue());
    });
    return copy;
  }

  private static void fail(HttpServerResponse response, Throwable error) {
    if (response.ended() || response.closed()) return;
    if (response.headWritten()) {
      response.end();
      return;
    }
    answer(response, KubectlDispatcher.statusBody(503, "ServiceUnavailable",
        "the sandbox's API server did not answer: " + error.getMessage()));
  }

  private static void answer(HttpServerResponse response, ObjectNode status) {
    response.setStatusCode(status.path("code").asInt()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(status.toString());
  }

  // ---- WebSocket pass-through (fabric8 clients watch this way) -------------------------------------------------

  private void passWebSocket(HttpServerRequest request) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(upstreamPort)
        .setURI(request.uri());
    String protocols = request.getHeader("Sec-WebSocket-Protocol");
    if (protocols != null) options.setSubProtocols(List.of(protocols.split("\\s*,\\s*")));
    request.toWebSocket().onSuccess(downstream -> client.webSocket(options)
        .onSuccess(upstream -> pipe(downstream, upstream))
        .onFailure(error -> downstream.close((short) 1011, "upstream: " + error.getMessage())));
  }

  private void pipe(ServerWebSocket downstream, WebSocket upstream) {
    downstream.frameHandler(upstream::writeFrame);
    upstream.frameHandler(downstream::writeFrame);
    downstream.closeHandler(v -> upstream.close());
    upstream.closeHandler(v -> downstream.close());
    watching(() -> {
      downstream.close();
      upstream.close();
    }, downstream::isClosed);
  }

  /** An open watch, for the fault layer's "close watches after N seconds". */
  private record OpenWatch(long openedNanos, Runnable close, java.util.function.BooleanSupplier closed) {}

  private final Set<OpenWatch> watches = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private void watching(Runnable close, java.util.function.BooleanSupplier closed) {
    if (faults != null) watches.add(new OpenWatch(System.nanoTime(), close, closed));
  }

  /** Ends the watches open for longer than the fault layer allows (every open watch, whenever it was opened). */
  private void closeOldWatches() {
    Duration after = faults.closeWatchesAfter();
    long now = System.nanoTime();
    for (OpenWatch w : watches) {
      if (w.closed().getAsBoolean()) {
        watches.remove(w);
      } else if (after != null && now - w.openedNanos() >= after.toNanos()) {
        watches.remove(w);
        faults.count("watch closed");
        w.close().run();
      }
    }
  }

  // ---- watches over HTTP (kubectl) ---------------------------------------------------------------------------

  private void streamWatch(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    FieldSelector fields = FieldSelector.parse(request.getParam("fieldSelector"))
        .filter(selector -> selector.onlyUnder("metadata")).orElse(null);
    if (fields == null) {
      answer(response, KubectlDispatcher.statusBody(400, "BadRequest",
          "the sandbox's watches understand equality fieldSelectors on metadata fields only"));
      return;
    }
    String labels = request.getParam("labelSelector");
    String query = labels == null ? "" : "?labelSelector=" + URLEncoder.encode(labels, StandardCharsets.UTF_8);
    String watchQuery = (query.isEmpty() ? "?" : query + "&") + "watch=true";
    long since = parseLong(request.getParam("resourceVersion"));
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    Watched watched = new Watched(response, fields, accept != null && accept.contains("as=Table") ? request.path() : null,
        since);

    client.webSocket(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(upstreamPort)
            .setURI(request.path() + watchQuery))
        .onFailure(error -> fail(response, error))
        .onSuccess(upstream -> {
          response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
          response.writeHead();
          upstream.textMessageHandler(watched::send);
          upstream.closeHandler(v -> {
            if (!response.ended() && !response.closed()) response.end();
          });
          request.connection().closeHandler(v -> upstream.close());
          watching(upstream::close, () -> response.ended() || response.closed());
          String timeout = request.getParam("timeoutSeconds");
          if (timeout != null && parseLong(timeout) > 0) {
            vertx.setTimer(TimeUnit.SECONDS.toMillis(parseLong(timeout)), id -> upstream.close());
          }
        });
  }

  /**
   * One watch stream to kubectl: filters events by the field selector, drops the versions of objects the client has
   * already seen (in its list, or earlier in this stream), and renders them as Tables when asked.
   */
  private final class Watched {
    private final HttpServerResponse response;
    private final FieldSelector fields;
    private final String tablePath;
    private final long since;
    private final java.util.Map<String, Long> sent = new java.util.HashMap<>();

    Watched(HttpServerResponse response, FieldSelector fields, String tablePath, long since) {
      this.response = response;
      this.fields = fields;
      this.tablePath = tablePath;
      this.since = since;
    }

    void send(String message) {
      if (response.ended() || response.closed()) return;
      ObjectNode event;
      try {
        event = (ObjectNode) JSON.readTree(message);
      } catch (java.io.IOException | ClassCastException e) {
        return;
      }
      if (!fields.matches(event.path("object"))) return;
      if (!"DELETED".equals(event.path("type").asText())) {
        JsonNode meta = event.path("object").path("metadata");
        String key = meta.path("namespace").asText("") + "/" + meta.path("name").asText("");
        long version = parseLong(meta.path("resourceVersion").asText());
        if (version <= Math.max(since, sent.getOrDefault(key, 0L))) return;
        sent.put(key, version);
      }
      if (tablePath != null && event.has("object")) event.set("object", tables.apply(tablePath, event.get("object")));
      response.write(Buffer.buffer(event + "\n"));
    }
  }

  private static long parseLong(String value) {
    try {
      return value == null || value.isBlank() ? 0 : Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
  }
}
