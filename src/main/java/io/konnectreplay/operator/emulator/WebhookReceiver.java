package io.konnectreplay.operator.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.konnectreplay.operator.emulator.AuditLogSigner.Format;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SIEM stand-in: an HTTP endpoint on 127.0.0.1 that takes Konnect's audit-log webhook calls and checks them.
 *
 * <p>It accepts {@code POST} on any path, answers 401 when the {@code Authorization} header is not the expected one,
 * gunzips the body when {@code Content-Encoding} contains {@code gzip} (raw otherwise, as kongctl's listener does),
 * reads one event per line (JSON, CEF or CPS, detected per line), verifies each {@code sig} against the JWKS, and
 * counts. An event's id is its {@code trace_id}; a line whose id was seen before is a duplicate. Counts "between" two
 * instants and per target count each verified event once, however often it arrived.
 *
 * <p>Faults for retry tests: {@link #failNextBatches} answers a status code instead of taking the batch, and
 * {@link #dropNextConnections} closes the connection without an answer.
 *
 * <p>Outages: {@link #down()} makes it answer 503 to every POST (on the same port) until {@link #up()}. While down
 * it still reads what it refuses, so it knows which signed events were emitted during the outage; {@link #outages()}
 * reports per outage and target how many were emitted, how many arrived later (a replay), and how many are lost.
 */
public final class WebhookReceiver implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);
  private static final String PATH = "/audit-logs";
  private static final int KEPT_REJECTIONS = 20;

  private final HttpServer server;
  private final ExecutorService executor;
  private final String expectedAuthorization;
  private final List<PublicKey> keys;

  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong gzipBatches = new AtomicLong();
  private final AtomicLong unauthorized = new AtomicLong();
  private final AtomicLong faultsAnswered = new AtomicLong();
  private final AtomicLong connectionsDropped = new AtomicLong();
  private final AtomicLong eventsReceived = new AtomicLong();
  private final AtomicLong verified = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final Map<Format, AtomicLong> linesPerFormat = new EnumMap<>(Format.class);
  private final Set<String> seenIds = ConcurrentHashMap.newKeySet();
  /** Verified events by id, the first arrival of each. */
  private final Map<String, VerifiedEvent> verifiedEvents = new ConcurrentHashMap<>();
  private final Deque<String> recentRejections = new ArrayDeque<>();

  private volatile Map<String, String> lastBatchHeaders = Map.of();
  private final Object faultLock = new Object();
  private int failuresLeft;
  private int failureCode;
  private final AtomicInteger dropsLeft = new AtomicInteger();

  private record VerifiedEvent(Instant time, String target) {}

  /** An outage in progress or over: its span, and the verified events refused during it, by id. */
  private static final class OutageLog {
    final Instant from;
    volatile Instant to;
    final int status;
    final Map<String, VerifiedEvent> emitted = new ConcurrentHashMap<>();

    OutageLog(Instant from, int status) {
      this.from = from;
      this.status = status;
    }
  }

  private final Clock clock;
  private final List<OutageLog> outages = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile OutageLog currentOutage;
  private final AtomicLong refusedWhileDown = new AtomicLong();

  private WebhookReceiver(int port, String expectedAuthorization, List<PublicKey> keys, Clock clock)
      throws IOException {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.expectedAuthorization = expectedAuthorization;
    this.keys = List.copyOf(keys);
    for (Format format : Format.values()) {
      linesPerFormat.put(format, new AtomicLong());
    }
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "webhook-receiver-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Starts a receiver.
   *
   * @param port the port, 0 for an ephemeral one
   * @param expectedAuthorization the exact Authorization header to require, or null to accept any
   * @param jwksJson the JWKS document whose keys verify the events
   */
  public static WebhookReceiver start(int port, String expectedAuthorization, String jwksJson) {
    return start(port, expectedAuthorization, jwksJson, Clock.systemUTC());
  }

  /** As {@link #start(int, String, String)}, with the clock that dates outages. */
  public static WebhookReceiver start(int port, String expectedAuthorization, String jwksJson, Clock clock) {
    List<PublicKey> keys = AuditLogSigner.publicKeysFromJwks(Objects.requireNonNull(jwksJson, "jwksJson"));
    try {
      return new WebhookReceiver(port, expectedAuthorization, keys, clock);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  /** Starts a receiver whose keys come from a JWKS URL (the emulator's {@code /v2/audit-log-webhook/jwks.json}). */
  public static WebhookReceiver startFetchingJwks(int port, String expectedAuthorization, URI jwksUrl) {
    return start(port, expectedAuthorization, fetchJwks(jwksUrl));
  }

  /** GETs a JWKS document without a token: receivers call it unauthenticated. */
  static String fetchJwks(URI jwksUrl) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(jwksUrl).timeout(Duration.ofSeconds(10))
        .header("Accept", "application/json").GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET " + jwksUrl + " answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("GET " + jwksUrl + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fetching " + jwksUrl, e);
    }
  }

  /** Where to send events: {@code http://127.0.0.1:<port>/audit-logs}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
  }

  public int port() { return server.getAddress().getPort(); }

  /** Answers {@code statusCode} (for example 500 or 429) to the next {@code count} POSTs instead of taking them. */
  public void failNextBatches(int count, int statusCode) {
    if (statusCode < 200 || statusCode > 599) {
      throw new IllegalArgumentException("not an HTTP status code: " + statusCode);
    }
    synchronized (faultLock) {
      failuresLeft = Math.max(0, count);
      failureCode = statusCode;
    }
  }

  /** Starts an outage answering 503 Service Unavailable; see {@link #down(int)}. */
  public void down() {
    down(503);
  }

  /**
   * Starts an outage: until {@link #up()} every POST is answered {@code statusCode} (503 and 502 end a Konnect
   * delivery at once; 500 and 429 make it retry). The port stays the same. Refused events are read, verified and
   * remembered as emitted during the outage, not taken. Does nothing while already down.
   */
  public synchronized void down(int statusCode) {
    if (statusCode < 300 || statusCode > 599) {
      throw new IllegalArgumentException("an outage answers a non-2xx status: " + statusCode);
    }
    if (currentOutage == null) {
      OutageLog outage = new OutageLog(clock.instant(), statusCode);
      outages.add(outage);
      currentOutage = outage;
      LOG.info("webhook receiver {} down (answering {})", url(), statusCode);
    }
  }

  /** Ends the outage: POSTs are taken again. Does nothing while up. */
  public synchronized void up() {
    OutageLog outage = currentOutage;
    if (outage != null) {
      outage.to = clock.instant();
      currentOutage = null;
      LOG.info("webhook receiver {} up after {} ({} events refused)", url(),
          Duration.between(outage.from, outage.to), outage.emitted.size());
    }
  }

  public boolean isDown() {
    return currentOutage != null;
  }

  /**
   * One target's view of one outage.
   *
   * @param target {@code portal:<id>} or {@code org:<org_id>}
   * @param from when the outage began
   * @param to when it ended, or null while it goes on
   * @param emitted distinct signed events refused during the outage (what the sender tried to deliver)
   * @param recoveredLater of those, the ones received at some point (after the outage: a replay)
   * @param lost emitted and never received
   * @param firstEventAt the time of the earliest event emitted (null when none)
   * @param lastEventAt the time of the latest event emitted (null when none)
   */
  public record Outage(String target, Instant from, Instant to, long emitted, long recoveredLater, long lost,
      Instant firstEventAt, Instant lastEventAt) {}

  /**
   * Every outage so far, oldest first, one record per target that emitted during it (an outage in which nothing was
   * sent has one record with a null target and zero counts). Counts are as of now: a replay that lands later turns
   * lost events into recovered ones.
   */
  public List<Outage> outages() {
    List<Outage> report = new ArrayList<>();
    for (OutageLog outage : outages) {
      Map<String, List<Map.Entry<String, VerifiedEvent>>> byTarget = new TreeMap<>();
      for (Map.Entry<String, VerifiedEvent> e : outage.emitted.entrySet()) {
        byTarget.computeIfAbsent(String.valueOf(e.getValue().target()), k -> new ArrayList<>()).add(e);
      }
      if (byTarget.isEmpty()) {
        report.add(new Outage(null, outage.from, outage.to, 0, 0, 0, null, null));
      }
      byTarget.forEach((target, events) -> {
        long recovered = events.stream().filter(e -> verifiedEvents.containsKey(e.getKey())).count();
        Instant first = events.stream().map(e -> e.getValue().time()).filter(Objects::nonNull)
            .min(Instant::compareTo).orElse(null);
        Instant last = events.stream().map(e -> e.getValue().time()).filter(Objects::nonNull)
            .max(Instant::compareTo).orElse(null);
        report.add(new Outage(target, outage.from, outage.to, events.size(), recovered, events.size() - recovered,
            first, last));
      });
    }
    return report;
  }

  /** Events emitted during an outage and never received, over every outage and target. */
  public long lost() {
    return outages().stream().mapToLong(Outage::lost).sum();
  }

  /** POSTs answered with the outage status. */
  public long refusedWhileDown() {
    return refusedWhileDown.get();
  }

  /** Closes the next {@code count} POST connections without any answer. */
  public void dropNextConnections(int count) {
    dropsLeft.set(Math.max(0, count));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        respond(exchange, 405, "method not allowed");
        return;
      }
      if (dropsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        connectionsDropped.incrementAndGet();
        // Closing an exchange that sent no headers closes the connection: the client sees no response.
        return;
      }
      OutageLog outage = currentOutage;
      if (outage != null) {
        refusedWhileDown.incrementAndGet();
        remember(outage, exchange);
        respond(exchange, outage.status, "receiver down");
        return;
      }
      int fault = takeFault();
      if (fault != 0) {
        faultsAnswered.incrementAndGet();
        drain(exchange.getRequestBody());
        respond(exchange, fault, "injected fault");
        return;
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (expectedAuthorization != null && !expectedAuthorization.equals(authorization)) {
        unauthorized.incrementAndGet();
        drain(exchange.getRequestBody());
        respond(exchange, 401, "Unauthorized");
        return;
      }
      byte[] raw = exchange.getRequestBody().readAllBytes();
      String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
      boolean gzip = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip");
      String body;
      try {
        body = new String(gzip ? gunzip(raw) : raw, StandardCharsets.UTF_8);
      } catch (IOException e) {
        respond(exchange, 400, "body is not gzip: " + e.getMessage());
        return;
      }
      batches.incrementAndGet();
      lastBatchHeaders = headersOf(exchange);
      if (gzip) {
        gzipBatches.incrementAndGet();
      }
      int lines = 0;
      for (String line : body.split("\n")) {
        String trimmed = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        if (!trimmed.isBlank()) {
          take(trimmed);
          lines++;
        }
      }
      LOG.debug("batch of {} lines ({} bytes{})", lines, raw.length, gzip ? ", gzip" : "");
      respond(exchange, 200, "OK");
    } finally {
      exchange.close();
    }
  }

  /** Reads a refused batch and keeps its verified events as emitted during the outage. */
  private void remember(OutageLog outage, HttpExchange exchange) throws IOException {
    byte[] raw = exchange.getRequestBody().readAllBytes();
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    String body;
    try {
      boolean gzip = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip");
      body = new String(gzip ? gunzip(raw) : raw, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return;
    }
    for (String line : body.split("\n")) {
      String trimmed = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (trimmed.isBlank()) {
        continue;
      }
      try {
        AuditLogLine parsed = AuditLogLine.parse(trimmed);
        if (AuditLogSigner.verifyLine(trimmed, keys)) {
          String id = parsed.eventId() != null ? parsed.eventId() : "sig:" + parsed.get("sig");
          outage.emitted.putIfAbsent(id, new VerifiedEvent(parsed.eventTime(), parsed.target()));
        }
      } catch (IllegalArgumentException e) {
        // not an event: nothing was emitted
      }
    }
  }

  /** The headers a test may want to check; never Authorization, which may hold a real token. */
  private static Map<String, String> headersOf(HttpExchange exchange) {
    Map<String, String> headers = new TreeMap<>();
    for (String name : List.of("Content-Type", "Content-Encoding", "User-Agent")) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) {
        headers.put(name, value);
      }
    }
    return Map.copyOf(headers);
  }

  private int takeFault() {
    synchronized (faultLock) {
      if (failuresLeft > 0) {
        failuresLeft--;
        return failureCode;
      }
      return 0;
    }
  }

  private void take(String line) {
    eventsReceived.incrementAndGet();
    AuditLogLine parsed;
    try {
      parsed = AuditLogLine.parse(line);
    } catch (IllegalArgumentException e) {
      reject("unparseable: " + e.getMessage());
      return;
    }
    linesPerFormat.get(parsed.format()).incrementAndGet();
    String id = parsed.eventId();
    if (id != null && !seenIds.add(id)) {
      duplicates.incrementAndGet();
    }
    if (!AuditLogSigner.verifyLine(line, keys)) {
      reject((parsed.get("sig") == null ? "missing sig: " : "bad sig: ") + AuditLogSigner.abbreviate(line));
      return;
    }
    verified.incrementAndGet();
    String key = id != null ? id : "sig:" + parsed.get("sig");
    Instant time = parsed.eventTime();
    verifiedEvents.putIfAbsent(key, new VerifiedEvent(time, parsed.target()));
  }

  private void reject(String reason) {
    rejected.incrementAndGet();
    synchronized (recentRejections) {
      if (recentRejections.size() == KEPT_REJECTIONS) {
        recentRejections.removeFirst();
      }
      recentRejections.addLast(reason);
    }
  }

  private static byte[] gunzip(byte[] raw) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      return in.readAllBytes();
    }
  }

  private static void drain(InputStream body) throws IOException {
    body.transferTo(OutputStream.nullOutputStream());
  }

  private static void respond(HttpExchange exchange, int code, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  // ---- counts ------------------------------------------------------------------------------------------------

  /** POSTs taken (authorized, not faulted, readable). */
  public long batches() { return batches.get(); }

  /** Content-Type, Content-Encoding and User-Agent of the last batch taken (empty before the first). */
  public Map<String, String> lastBatchHeaders() { return lastBatchHeaders; }

  /** Lines received, duplicates and rejected lines included. */
  public long eventsReceived() { return eventsReceived.get(); }

  /** Lines whose sig verified, duplicates included. */
  public long verified() { return verified.get(); }

  /** Lines without a sig, with a sig that does not verify, or that cannot be parsed. */
  public long rejected() { return rejected.get(); }

  /** Lines whose event id had already been received. */
  public long duplicates() { return duplicates.get(); }

  /** POSTs answered 401. */
  public long unauthorized() { return unauthorized.get(); }

  /** Distinct verified events. */
  public long uniqueVerified() { return verifiedEvents.size(); }

  /** Distinct verified events whose time ({@code rt}, else {@code event_ts}) is in {@code [from, to)}. */
  public long countVerifiedBetween(Instant from, Instant to) {
    return countVerifiedBetween(null, from, to);
  }

  /**
   * Distinct verified events of a target in {@code [from, to)}.
   *
   * @param target {@code portal:<portal_id>} or {@code org:<org_id>}; null for every target
   */
  public long countVerifiedBetween(String target, Instant from, Instant to) {
    return verifiedEvents.values().stream()
        .filter(e -> target == null || target.equals(e.target()))
        .filter(e -> e.time() != null && !e.time().isBefore(from) && e.time().isBefore(to))
        .count();
  }

  /** The time of a target's earliest verified event, or null before the first. */
  public Instant firstVerifiedAt(String target) {
    return verifiedEvents.values().stream().filter(e -> target.equals(e.target()) && e.time() != null)
        .map(VerifiedEvent::time).min(Instant::compareTo).orElse(null);
  }

  /** The time of a target's latest verified event, or null before the first. */
  public Instant lastVerifiedAt(String target) {
    return verifiedEvents.values().stream().filter(e -> target.equals(e.target()) && e.time() != null)
        .map(VerifiedEvent::time).max(Instant::compareTo).orElse(null);
  }

  /** Distinct verified events per target ({@code portal:<id>} or {@code org:<org_id>}), sorted by target. */
  public Map<String, Long> verifiedPerTarget() {
    Map<String, Long> counts = new TreeMap<>();
    verifiedEvents.values().forEach(e -> counts.merge(e.target(), 1L, Long::sum));
    return counts;
  }

  /** The last rejection reasons (at most 20), oldest first. */
  public List<String> recentRejections() {
    synchronized (recentRejections) {
      return new ArrayList<>(recentRejections);
    }
  }

  /** Forgets every count, id and finished outage; faults stay armed and a current outage goes on, emptied. */
  public synchronized void reset() {
    for (AtomicLong counter : List.of(batches, gzipBatches, unauthorized, faultsAnswered, connectionsDropped,
        eventsReceived, verified, rejected, duplicates, refusedWhileDown)) {
      counter.set(0);
    }
    linesPerFormat.values().forEach(c -> c.set(0));
    lastBatchHeaders = Map.of();
    seenIds.clear();
    verifiedEvents.clear();
    outages.clear();
    if (currentOutage != null) {
      currentOutage = new OutageLog(clock.instant(), currentOutage.status);
      outages.add(currentOutage);
    }
    synchronized (recentRejections) {
      recentRejections.clear();
    }
  }

  /** Every count at once, for printing. */
  public Summary summary() {
    Map<String, Long> formats = new TreeMap<>();
    linesPerFormat.forEach((format, count) -> formats.put(format.wireName(), count.get()));
    return new Summary(batches.get(), gzipBatches.get(), unauthorized.get(), faultsAnswered.get(),
        connectionsDropped.get(), eventsReceived.get(), verified.get(), rejected.get(), duplicates.get(),
        uniqueVerified(), Map.copyOf(formats), Map.copyOf(verifiedPerTarget()));
  }

  /**
   * What the receiver saw.
   *
   * @param batches POSTs taken
   * @param gzipBatches of which gzip-encoded
   * @param unauthorized POSTs answered 401
   * @param faultsAnswered POSTs answered an injected status
   * @param connectionsDropped POSTs whose connection was dropped on purpose
   * @param eventsReceived lines received
   * @param verified lines whose sig verified
   * @param rejected lines with a missing or bad sig, or unparseable
   * @param duplicates lines whose event id had been received before
   * @param uniqueVerified distinct verified events
   * @param linesPerFormat parsed lines per format (cef, json, cps)
   * @param verifiedPerTarget distinct verified events per target
   */
  public record Summary(long batches, long gzipBatches, long unauthorized, long faultsAnswered,
      long connectionsDropped, long eventsReceived, long verified, long rejected, long duplicates,
      long uniqueVerified, Map<String, Long> linesPerFormat, Map<String, Long> verifiedPerTarget) {

    @Override
    public String toString() {
      return "batches=" + batches + " (gzip " + gzipBatches + "), unauthorized=" + unauthorized
          + ", faults=" + faultsAnswered + ", dropped=" + connectionsDropped + ", events=" + eventsReceived
          + ", verified=" + verified + ", rejected=" + rejected + ", duplicates=" + duplicates
          + ", unique=" + uniqueVerified + ", formats=" + new TreeMap<>(linesPerFormat)
          + ", perTarget=" + new TreeMap<>(verifiedPerTarget);
    }
  }

  /** Stops listening at once. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
