package io.konnectreplay.operator.konnect;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link KonnectClient}, over OkHttp. Thread-safe: one instance serves every reconcile thread, sharing
 * the per-server request budget and the per-server 429 pause.
 *
 * <p>Each call sends at most one request: OkHttp's silent retry on connection failure and redirects are off, so a
 * budget slot, an observer event and an outcome belong to exactly one request, and the token is never forwarded to
 * another location. Retrying is the reconciler's decision.
 */
public final class OkHttpKonnectClient implements KonnectClient, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OkHttpKonnectClient.class);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String ACCEPT = "application/json, application/problem+json";
  /** Largest body read; Konnect's answers are a few hundred bytes. */
  private static final long MAX_BODY_BYTES = 1 << 20;
  private static final String USER_AGENT = "konnect-replay-operator/" + loadVersion();

  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final Clock clock;
  private final RequestBudget budget;
  private final ServerPauses pauses;
  /** The latest Date header each server answered with: Konnect's own clock. */
  private final java.util.Map<String, Instant> serverClocks = new java.util.concurrent.ConcurrentHashMap<>();
  private final KonnectCallObserver observer;

  private OkHttpKonnectClient(Builder b) {
    OkHttpClient.Builder hb = b.httpClient != null ? b.httpClient.newBuilder() : new OkHttpClient.Builder();
    this.http = hb
        .connectTimeout(b.connectTimeout)
        .readTimeout(b.readTimeout)
        .writeTimeout(b.writeTimeout)
        .callTimeout(b.callTimeout)
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false)
        .build();
    this.ownsHttp = b.httpClient == null;
    this.clock = b.clock;
    this.budget = new RequestBudget(b.maxRequestsPerSecond, b.maxBudgetWait);
    this.pauses = new ServerPauses(b.clock);
    this.observer = b.observer;
  }

  public static Builder builder() { return new Builder(); }

  /** The User-Agent sent with every request: konnect-replay-operator/&lt;version from the build&gt;. */
  public static String userAgent() { return USER_AGENT; }

  /** The OkHttpClient in use, for tests. */
  OkHttpClient http() { return http; }

  /** The per-server request budget, for tests and diagnostics. */
  public RequestBudget requestBudget() { return budget; }

  /** How long calls to the target's server stay paused after a 429, or empty when they may go out. */
  public Optional<Duration> pausedFor(Target target) { return pauses.remaining(serverKey(baseUrl(target))); }

  @Override
  public RemoteReplayJob getReplayJob(Target target, KonnectToken token) throws KonnectException {
    return call("getReplayJob", target, "audit-log-replay-job", token, null, KonnectJson::replayJob);
  }

  @Override
  public RemoteReplayJob submitReplayJob(Target target, KonnectToken token, ReplayWindowRange window)
      throws KonnectException {
    Objects.requireNonNull(window, "window");
    return call("submitReplayJob", target, "audit-log-replay-job", token,
        RequestBody.create(KonnectJson.windowBody(window), JSON), KonnectJson::replayJob);
  }

  @Override
  public Webhook getWebhook(Target target, KonnectToken token) throws KonnectException {
    return call("getWebhook", target, "audit-log-webhook", token, null, KonnectJson::webhook);
  }

  @Override
  public WebhookStatus getWebhookStatus(Target target, KonnectToken token) throws KonnectException {
    return call("getWebhookStatus", target, "audit-log-webhook/status", token, null, KonnectJson::webhookStatus);
  }

  /** Releases the connection pool and threads, when this client created its own OkHttpClient. */
  @Override
  public void close() {
    if (!ownsHttp) return;
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @FunctionalInterface
  private interface BodyReader<T> {
    T read(String body) throws KonnectJson.UnreadableException;
  }

  private <T> T call(String operation, Target target, String resource, KonnectToken token, RequestBody putBody,
      BodyReader<T> reader) throws KonnectException {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(token, "token");
    HttpUrl base = baseUrl(target);
    String server = serverKey(base);
    HttpUrl url = resourceUrl(base, target, resource);
    failIfPaused(server);
    try {
      budget.acquire(server);
    } catch (KonnectException.RateLimited e) {
      notifyObserver(() -> observer.onThrottled(server, e.retryAfter()));
      LOG.debug("{}: not sent, {}", operation, e.getMessage());
      throw e;
    }
    failIfPaused(server); // a 429 may have come in while we waited for the budget

    Request.Builder request = new Request.Builder()
        .url(url)
        .header("Authorization", token.bearerHeader())
        .header("Accept", ACCEPT)
        .header("User-Agent", USER_AGENT);
    String method = putBody == null ? "GET" : "PUT";
    if (putBody != null) request.put(putBody);
    String where = method + " " + url.encodedPath();

    long started = System.nanoTime();
    int code;
    String body;
    String retryAfter;
    try (Response response = http.newCall(request.build()).execute()) {
      code = response.code();
      retryAfter = response.header("Retry-After");
      java.util.Date date = response.headers().getDate("Date");
      if (date != null) serverClocks.merge(server, date.toInstant(), (a, b) -> a.isAfter(b) ? a : b);
      body = response.peekBody(MAX_BODY_BYTES).string();
    } catch (IOException e) {
      Duration latency = Duration.ofNanos(System.nanoTime() - started);
      notifyObserver(() -> observer.onCall(operation, 0, latency));
      String message = token.redact(KonnectMessages.clean(
          "No answer from Konnect at " + server + " (" + where + "): " + describe(e)));
      LOG.debug("{} failed after {} ms: {}", operation, latency.toMillis(), message);
      Throwable cause = token.appearsIn(String.valueOf(e)) ? null : e;
      throw new KonnectException.Unavailable(0, message, cause);
    }
    Duration latency = Duration.ofNanos(System.nanoTime() - started);
    notifyObserver(() -> observer.onCall(operation, code, latency));
    LOG.debug("{} {} {} -> {} in {} ms", operation, server, where, code, latency.toMillis());

    if (code >= 200 && code <= 299) {
      try {
        return reader.read(body);
      } catch (KonnectJson.UnreadableException e) {
        throw new KonnectException.UnexpectedResponse(code, token.redact(KonnectMessages.clean(
            "Konnect answered " + code + " to " + where + " with a body the operator cannot read: "
                + e.getMessage())));
      }
    }
    KonnectException error = KonnectErrors.fromResponse(code, body, retryAfter, clock.instant(), token);
    if (error instanceof KonnectException.RateLimited limited) {
      pauses.pause(server, limited.retryAfter());
      notifyObserver(() -> observer.onRateLimited(server, limited.retryAfter()));
      LOG.debug("{}: Konnect answered 429, pausing every call to {} for {}", operation, server,
          KonnectMessages.formatDuration(limited.retryAfter()));
    }
    throw error;
  }

  private void failIfPaused(String server) throws KonnectException.RateLimited {
    Optional<Duration> remaining = pauses.remaining(server);
    if (remaining.isEmpty()) return;
    Duration wait = remaining.get();
    notifyObserver(() -> observer.onThrottled(server, wait));
    String message = "Calls to Konnect at " + server + " are paused for another "
        + KonnectMessages.formatDuration(wait) + " after a 429 Too Many Requests; nothing was sent";
    LOG.debug("{}", message);
    throw new KonnectException.RateLimited(message, wait, true);
  }

  private void notifyObserver(Runnable notification) {
    try {
      notification.run();
    } catch (RuntimeException e) {
      LOG.debug("Konnect call observer failed: {}", e.toString());
    }
  }

  @Override
  public java.util.Optional<Instant> serverClock(Target target) {
    return java.util.Optional.ofNullable(serverClocks.get(serverKey(baseUrl(target))));
  }

  /** {server}/v2/audit-log-… for the organization, {server}/v2/portals/{id}/audit-log-… for a portal. */
  private static HttpUrl resourceUrl(HttpUrl base, Target target, String resource) {
    HttpUrl.Builder b = base.newBuilder().addPathSegment("v2");
    if (target.isPortal()) b.addPathSegment("portals").addPathSegment(target.portalId()); // encoded as one segment
    return b.addPathSegments(resource).build();
  }

  /** The server URL with its path prefix, without user info, query or fragment. */
  private static HttpUrl baseUrl(Target target) {
    URI uri = target.serverUrl();
    // a trailing slash leaves an empty last segment, which addPathSegment replaces: one slash either way
    return HttpUrl.get(uri.toString()).newBuilder().username("").password("").query(null).fragment(null).build();
  }

  /**
   * The server a 429 pauses and a budget belongs to: scheme, host, port (when not the default) and path prefix of
   * the server URL.
   */
  static String serverKey(HttpUrl url) {
    StringBuilder key = new StringBuilder(url.scheme()).append("://").append(url.host().contains(":")
        ? "[" + url.host() + "]" : url.host());
    if (url.port() != HttpUrl.defaultPort(url.scheme())) key.append(':').append(url.port());
    for (String segment : url.encodedPathSegments()) {
      if (!segment.isEmpty()) key.append('/').append(segment);
    }
    return key.toString();
  }

  private static String describe(IOException e) {
    String detail = e.getMessage() == null ? "" : ": " + e.getMessage();
    if (Thread.currentThread().isInterrupted()) return "interrupted" + detail;
    if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
      return "timed out" + (detail.equalsIgnoreCase(": timeout") ? "" : detail);
    }
    if (e instanceof ConnectException) return "connection refused" + detail;
    if (e instanceof UnknownHostException) return "unknown host" + detail;
    if (e instanceof javax.net.ssl.SSLPeerUnverifiedException || isUntrustedCertificate(e)) {
      return "the server's TLS certificate was not accepted" + detail + ". TLS is always verified: if this server"
          + " uses a private CA, add the CA to the operator JVM's trust store (javax.net.ssl.trustStore in"
          + " JAVA_TOOL_OPTIONS)";
    }
    if (e instanceof SSLException) return "TLS failure" + detail;
    return "connection failed (" + e.getClass().getSimpleName() + ")" + detail;
  }

  private static boolean isUntrustedCertificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateException
          || t instanceof java.security.cert.CertPathValidatorException
          || t instanceof java.security.cert.CertPathBuilderException) {
        return true;
      }
    }
    return false;
  }

  private static String loadVersion() {
    try (InputStream in = OkHttpKonnectClient.class.getResourceAsStream("/konnect-replay-operator.properties")) {
      if (in == null) return "dev";
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "").strip();
      return v.isEmpty() || v.contains("${") || !v.matches("[A-Za-z0-9._+-]+") ? "dev" : v;
    } catch (IOException | IllegalArgumentException e) {
      return "dev";
    }
  }

  /** Builds an {@link OkHttpKonnectClient}. Defaults: 10 requests/s per server, 2s budget wait, timeouts 5/15/10/30s. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private double maxRequestsPerSecond = 10;
    private Duration maxBudgetWait = Duration.ofSeconds(2);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration readTimeout = Duration.ofSeconds(15);
    private Duration writeTimeout = Duration.ofSeconds(10);
    private Duration callTimeout = Duration.ofSeconds(30);
    private KonnectCallObserver observer = KonnectCallObserver.NONE;
    private OkHttpClient httpClient;

    private Builder() {}

    /** The clock for Retry-After HTTP-dates and 429 pauses. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The request budget per server, shared by all resources; the burst is max(1, ceil(rate)). */
    public Builder maxRequestsPerSecond(double maxRequestsPerSecond) {
      if (!(maxRequestsPerSecond > 0) || Double.isInfinite(maxRequestsPerSecond)) {
        throw new IllegalArgumentException("maxRequestsPerSecond must be positive: " + maxRequestsPerSecond);
      }
      this.maxRequestsPerSecond = maxRequestsPerSecond;
      return this;
    }

    /** How long a call may wait for the request budget before it fails with a local RateLimited. */
    public Builder maxBudgetWait(Duration maxBudgetWait) {
      this.maxBudgetWait = notNegative(maxBudgetWait, "maxBudgetWait");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = notNegative(timeout, "connectTimeout");
      return this;
    }

    /** Longest silence while reading an answer. */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = notNegative(timeout, "readTimeout");
      return this;
    }

    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = notNegative(timeout, "writeTimeout");
      return this;
    }

    /** Longest whole call: connect, send, wait and read. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = notNegative(timeout, "callTimeout");
      return this;
    }

    public Builder observer(KonnectCallObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /**
     * An OkHttpClient to share its connection pool and dispatcher (optional). The Konnect client derives its own
     * from it with this builder's timeouts, no redirects and no silent retries; it does not close a given client.
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = httpClient;
      return this;
    }

    public OkHttpKonnectClient build() { return new OkHttpKonnectClient(this); }

    private static Duration notNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + d);
      return d;
    }
  }
}
