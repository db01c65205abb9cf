package io.konnectreplay.operator.emulator;

import io.konnectreplay.operator.emulator.AuditLogSigner.Format;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a replay window the way Konnect does: the window's events from a {@link SyntheticAuditLog},
 * each line signed by an {@link AuditLogSigner}, in batches of at most {@code maxBatchSize} newline-separated lines,
 * gzip-compressed, {@code POST}ed with {@code Content-Type: text/plain}, {@code Content-Encoding: gzip} and the
 * webhook's {@code Authorization} verbatim.
 *
 * <p>Retries follow Konnect's documented rules: a batch is retried after a connection error (including a timeout), a
 * 500 or a 429, at most 4 times, waiting 1 s and doubling up to 30 s; any other non-2xx answer ends the delivery. A
 * batch that is finally refused ends it too: later batches are not sent. {@code Retry-After} is not honoured (Konnect
 * does not document it for webhooks).
 *
 * <p>{@code skip_ssl_verification} turns off certificate and host-name checks for https endpoints; it has no effect on
 * http endpoints.
 */
public final class SignedWebhookDelivery implements ReplayDelivery {

  private static final Logger LOG = LoggerFactory.getLogger(SignedWebhookDelivery.class);
  private static final MediaType TEXT_PLAIN = MediaType.get("text/plain");

  /**
   * How batches are sent.
   *
   * @param maxBatchSize events per POST, at least 1 (default 100)
   * @param baseRetryWait the first wait before a retry (Konnect: 1 s); it doubles on each retry
   * @param maxRetryWait the longest wait (Konnect: 30 s)
   * @param maxRetries retries per batch after the first attempt (Konnect: 4)
   * @param connectTimeout to open a connection
   * @param callTimeout for a whole request, from connecting to reading the answer
   */
  public record Options(int maxBatchSize, Duration baseRetryWait, Duration maxRetryWait, int maxRetries,
      Duration connectTimeout, Duration callTimeout) {

    public Options {
      if (maxBatchSize < 1) {
        throw new IllegalArgumentException("maxBatchSize must be at least 1");
      }
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must not be negative");
      }
      Objects.requireNonNull(baseRetryWait, "baseRetryWait");
      Objects.requireNonNull(maxRetryWait, "maxRetryWait");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(callTimeout, "callTimeout");
    }

    /** Konnect's rules: 100 events per batch, 1 s doubling to 30 s, 4 retries; 5 s to connect, 30 s per call. */
    public static Options defaults() {
      return new Options(100, Duration.ofSeconds(1), Duration.ofSeconds(30), 4, Duration.ofSeconds(5),
          Duration.ofSeconds(30));
    }

    public Options withMaxBatchSize(int size) {
      return new Options(size, baseRetryWait, maxRetryWait, maxRetries, connectTimeout, callTimeout);
    }

    public Options withBaseRetryWait(Duration wait) {
      return new Options(maxBatchSize, wait, maxRetryWait, maxRetries, connectTimeout, callTimeout);
    }

    public Options withTimeouts(Duration connect, Duration call) {
      return new Options(maxBatchSize, baseRetryWait, maxRetryWait, maxRetries, connect, call);
    }

    /** The wait before retry number {@code retry} (1-based): base × 2^(retry-1), at most maxRetryWait. */
    Duration waitBeforeRetry(int retry) {
      Duration wait = baseRetryWait;
      for (int i = 1; i < retry && wait.compareTo(maxRetryWait) < 0; i++) {
        wait = wait.multipliedBy(2);
      }
      return wait.compareTo(maxRetryWait) > 0 ? maxRetryWait : wait;
    }
  }

  /** How the delivery waits between retries; tests record the waits instead. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final SyntheticAuditLog auditLog;
  private final AuditLogSigner signer;
  private final Options options;
  private final Clock clock;
  private final Sleeper sleeper;
  private final OkHttpClient client;
  private volatile OkHttpClient insecureClient;

  public SignedWebhookDelivery(SyntheticAuditLog auditLog, AuditLogSigner signer) {
    this(auditLog, signer, Options.defaults());
  }

  public SignedWebhookDelivery(SyntheticAuditLog auditLog, AuditLogSigner signer, Options options) {
    this(auditLog, signer, options, duration -> Thread.sleep(duration.toMillis()));
  }

  SignedWebhookDelivery(SyntheticAuditLog auditLog, AuditLogSigner signer, Options options, Sleeper sleeper) {
    this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = auditLog.clock();
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.client = new OkHttpClient.Builder()
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.callTimeout())
        .writeTimeout(options.callTimeout())
        .callTimeout(options.callTimeout())
        // Konnect's retry rules are applied here, not by the client behind our back.
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .build();
  }

  @Override
  public String jwksJson() { return signer.jwksJson(); }

  public AuditLogSigner signer() { return signer; }

  public SyntheticAuditLog auditLog() { return auditLog; }

  public Options options() { return options; }

  /**
   * Sends the window's events. With no event in the window nothing is sent and the result is delivered, with code 0
   * and no attempt time. {@code eventsSent} counts the events of batches that got a 2xx. An endpoint that is not an
   * http(s) URL (such as Konnect's {@code "unconfigured"}) gives a failed result with code 0.
   *
   * @throws IllegalArgumentException when {@code logFormat} is not cef, json or cps (null means cef)
   */
  @Override
  public DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to) {
    return deliver(region, portalId, webhook, from, to, false);
  }

  /** As {@link #deliver}, logging successes at debug and failures at info: it runs on every live tick. */
  @Override
  public DeliveryResult deliverLive(String region, String portalId, WebhookConfig webhook, Instant from,
      Instant to) {
    return deliver(region, portalId, webhook, from, to, true);
  }

  private DeliveryResult deliver(String region, String portalId, WebhookConfig webhook, Instant from, Instant to,
      boolean live) {
    Objects.requireNonNull(webhook, "webhook");
    String what = live ? "live" : "replay";
    Format format = Format.of(webhook.logFormat());
    String target = region + (portalId == null ? "/org" : "/portal/" + portalId);
    // "unconfigured" or any other non-URL fails the delivery, as an unreachable endpoint would
    HttpUrl url = webhook.endpoint() == null ? null : HttpUrl.parse(webhook.endpoint());
    if (url == null) {
      LOG.warn("{} {} [{}, {}): the endpoint is not an http(s) URL", what, target, from, to);
      return new DeliveryResult(false, 0, "endpoint is not an http(s) URL", clock.instant(), 0);
    }
    long total = auditLog.count(region, portalId, from, to);
    if (total == 0) {
      if (!live) {
        LOG.info("replay {} [{}, {}): no events in the window, nothing sent", target, from, to);
      }
      return new DeliveryResult(true, 0, "no events in the window", null, 0);
    }
    OkHttpClient http = clientFor(webhook, url);
    // Batches are built as they are sent, so a dense log is never held in memory at once.
    Iterator<SyntheticAuditLog.Event> events = auditLog.stream(region, portalId, from, to).iterator();
    List<SyntheticAuditLog.Event> batch = new ArrayList<>(options.maxBatchSize());
    Attempt last = null;
    int sent = 0;
    int batches = 0;
    while (events.hasNext()) {
      batch.clear();
      while (events.hasNext() && batch.size() < options.maxBatchSize()) {
        batch.add(events.next());
      }
      byte[] body = gzip(batchBody(batch, format));
      last = sendWithRetries(http, url, webhook, body, batch.size());
      if (!last.accepted()) {
        String text = "{} {} [{}, {}): batch {} not accepted ({} {}); {} of {} events delivered";
        Object[] args = {what, target, from, to, batches + 1, last.code(), last.message(), sent, total};
        if (live) {
          LOG.info(text, args);
        } else {
          LOG.warn(text, args);
        }
        return new DeliveryResult(false, last.code(), last.message(), last.at(), sent);
      }
      sent += batch.size();
      batches++;
    }
    if (live) {
      LOG.debug("live {} [{}, {}): {} events delivered to {}", target, from, to, sent, url.redact());
    } else {
      LOG.info("replay {} [{}, {}): {} events in {} batches delivered to {}", target, from, to, sent, batches,
          url.redact());
    }
    return new DeliveryResult(true, last.code(), last.message(), last.at(), sent);
  }

  /** One request's outcome: the HTTP code (0 when no response came) and its message. */
  private record Attempt(int code, String message, Instant at, boolean retryable) {
    boolean accepted() { return code >= 200 && code < 300; }
  }

  private Attempt sendWithRetries(OkHttpClient http, HttpUrl url, WebhookConfig webhook, byte[] body,
      int eventCount) {
    Attempt attempt = sendOnce(http, url, webhook, body);
    for (int retry = 1; !attempt.accepted() && attempt.retryable() && retry <= options.maxRetries(); retry++) {
      Duration wait = options.waitBeforeRetry(retry);
      LOG.debug("batch of {} events: {} {}; retry {} of {} in {}", eventCount, attempt.code(), attempt.message(),
          retry, options.maxRetries(), wait);
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return attempt;
      }
      attempt = sendOnce(http, url, webhook, body);
    }
    return attempt;
  }

  private Attempt sendOnce(OkHttpClient http, HttpUrl url, WebhookConfig webhook, byte[] body) {
    Request.Builder request = new Request.Builder()
        .url(url)
        .header("Content-Encoding", "gzip")
        .post(RequestBody.create(body, TEXT_PLAIN));
    if (webhook.authorization() != null && !webhook.authorization().isEmpty()) {
      request.header("Authorization", webhook.authorization());
    }
    Instant at = clock.instant();
    try (Response response = http.newCall(request.build()).execute()) {
      int code = response.code();
      String message = response.message().isEmpty() ? reasonPhrase(code) : response.message();
      return new Attempt(code, message, at, code == 500 || code == 429);
    } catch (IOException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Attempt(0, message, at, true);
    }
  }

  /** The signed lines of a batch, separated by newlines (no trailing newline). */
  String batchBody(List<SyntheticAuditLog.Event> batch, Format format) {
    StringBuilder body = new StringBuilder(batch.size() * 400);
    for (SyntheticAuditLog.Event event : batch) {
      if (body.length() > 0) {
        body.append('\n');
      }
      body.append(signer.signLine(event.line(format), format));
    }
    return body.toString();
  }

  private static byte[] gzip(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length() / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private OkHttpClient clientFor(WebhookConfig webhook, HttpUrl url) {
    if (!webhook.skipTlsVerification() || !url.isHttps()) {
      return client;
    }
    OkHttpClient insecure = insecureClient;
    if (insecure == null) {
      X509TrustManager trustAll = new X509TrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
      };
      try {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        insecure = client.newBuilder()
            .sslSocketFactory(tls.getSocketFactory(), trustAll)
            .hostnameVerifier((host, session) -> true)
            .build();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot build a TLS context", e);
      }
      insecureClient = insecure;
    }
    return insecure;
  }

  private static String reasonPhrase(int code) {
    return switch (code) {
      case 200 -> "OK";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "HTTP " + code;
    };
  }
}
