package io.konnectreplay.operator.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mock API's CRUD dispatcher, counting the requests it serves by method, namespace and resource (with the
 * subresource), e.g. {@code PUT spread auditlogreplayjobs/status}: how the benchmark sees every write the operator
 * makes, Events included, without trusting the operator's own counters.
 */
final class CountingDispatcher extends KubernetesCrudDispatcher {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    counts.computeIfAbsent(key(request.getMethod(), request.getPath()), k -> new LongAdder()).increment();
    return super.dispatch(request);
  }

  /** {@code METHOD namespace resource[/subresource]}; "-" for requests outside a namespace. */
  static String key(String method, String rawPath) {
    String path = rawPath == null ? "" : rawPath;
    int query = path.indexOf('?');
    if (query >= 0) path = path.substring(0, query);
    String[] parts = path.split("/");
    String namespace = "-";
    String resource = parts.length > 0 ? parts[parts.length - 1] : "";
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].equals("namespaces")) {
        namespace = parts[i + 1];
        resource = i + 2 < parts.length ? parts[i + 2] : "namespaces";
        if (i + 4 < parts.length) resource += "/" + parts[i + 4];
        break;
      }
    }
    return method + " " + namespace + " " + resource;
  }

  /** How many requests matched so far. */
  long count(String method, String namespace, String resource) {
    LongAdder n = counts.get(method + " " + namespace + " " + resource);
    return n == null ? 0 : n.sum();
  }

  /** Every write (anything but GET) so far, in every namespace. */
  long writes() {
    return counts.entrySet().stream().filter(e -> !e.getKey().startsWith("GET "))
        .mapToLong(e -> e.getValue().sum()).sum();
  }

  /** Writes in one namespace, except the creations of AuditLogReplayJobs (the benchmark's own). */
  long writesBesidesCreates(String namespace) {
    return counts.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("GET ") && e.getKey().split(" ")[1].equals(namespace)
            && !e.getKey().equals("POST " + namespace + " auditlogreplayjobs"))
        .mapToLong(e -> e.getValue().sum()).sum();
  }
}
