package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * fabric8's CRUD dispatcher with the API server's optimistic concurrency: a replace (PUT, also of …/status) that
 * carries a resourceVersion other than the stored one is answered 409 Conflict, as a real API server does. The
 * operator relies on it so that a stale informer cache can never record a submission twice.
 *
 * <p>It also answers a SelfSubjectRulesReview (which the mock would reject with 422) by granting the rights on
 * Leases that JOSDK's leader election checks before it starts, so an operator with {@code LEADER_ELECTION=true}
 * runs against it.
 */
public class OptimisticCrudDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RULES_REVIEW = """
      {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{},
       "status":{"incomplete":false,"nonResourceRules":[],"resourceRules":[
         {"verbs":["get","create","update","patch","list","watch"],"apiGroups":["coordination.k8s.io"],
          "resources":["leases"]}]}}""";
  private final Object replaceLock = new Object();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if ("POST".equals(request.getMethod()) && request.getPath().contains("/selfsubjectrulesreviews")) {
      return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
          .setBody(RULES_REVIEW);
    }
    if (!"PUT".equals(request.getMethod())) return super.dispatch(request);
    synchronized (replaceLock) {
      String sent = resourceVersion(new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
      if (sent != null && !sent.isEmpty()) {
        String path = request.getPath();
        String objectPath = path.endsWith("/status") ? path.substring(0, path.length() - "/status".length()) : path;
        MockResponse current = handleGet(objectPath);
        if (current.code() == 200) {
          String stored = resourceVersion(new String(current.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
          if (stored != null && !stored.equals(sent)) return conflict(objectPath);
        }
      }
      return super.dispatch(request);
    }
  }

  private static MockResponse conflict(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
        + "\"Operation cannot be fulfilled on " + name + ": the object has been modified; please apply your changes"
        + " to the latest version and try again\",\"reason\":\"Conflict\",\"code\":409}";
    return new MockResponse().setResponseCode(409).setBody(body);
  }

  private static String resourceVersion(String json) {
    try {
      JsonNode rv = JSON.readTree(json).path("metadata").path("resourceVersion");
      return rv.isMissingNode() || rv.isNull() ? null : rv.asText();
    } catch (Exception e) {
      return null;
    }
  }
}
