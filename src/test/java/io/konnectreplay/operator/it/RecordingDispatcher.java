package io.konnectreplay.operator.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.konnectreplay.operator.sandbox.OptimisticCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded API's dispatcher, plus: it counts status writes of AuditLogReplayJobs, noting those that changed
 * nothing, and records the GETs of single Secrets (namespace/name), which the operator makes outside its cache.
 */
final class RecordingDispatcher extends OptimisticCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.regex.Pattern SECRET_PATH =
      java.util.regex.Pattern.compile("/api/v1/namespaces/([^/?]+)/secrets/([^/?]+)(\\?.*)?");
  final AtomicInteger statusWrites = new AtomicInteger();
  final AtomicInteger unchangedStatusWrites = new AtomicInteger();
  final AtomicInteger statusConflicts = new AtomicInteger();
  final java.util.Queue<String> secretGets = new java.util.concurrent.ConcurrentLinkedQueue<>();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    java.util.regex.Matcher secret = SECRET_PATH.matcher(path);
    if ("GET".equals(request.getMethod()) && secret.matches()) secretGets.add(secret.group(1) + "/" + secret.group(2));
    if ("PUT".equals(request.getMethod()) && path.contains("/auditlogreplayjobs/") && path.endsWith("/status")) {
      JsonNode before = status(new String(handleGet(path.substring(0, path.length() - "/status".length())).getBody().getBytes(),
          java.nio.charset.StandardCharsets.UTF_8));
      JsonNode after = status(new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
      MockResponse response = super.dispatch(request);
      if (response.code() == 200) {
        statusWrites.incrementAndGet();
        if (before != null && before.equals(after)) unchangedStatusWrites.incrementAndGet();
      } else if (response.code() == 409) {
        statusConflicts.incrementAndGet();
      }
      return response;
    }
    return super.dispatch(request);
  }

  private static JsonNode status(String body) {
    try {
      return body == null || body.isEmpty() ? null : JSON.readTree(body).get("status");
    } catch (Exception e) {
      return null;
    }
  }
}
