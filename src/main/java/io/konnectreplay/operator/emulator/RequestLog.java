package io.konnectreplay.operator.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Every request the emulator answered (or dropped), in arrival order. Thread-safe. */
public final class RequestLog {
  private final List<RecordedRequest> entries = new ArrayList<>();

  synchronized void add(RecordedRequest request) {
    entries.add(request);
  }

  /** An immutable copy of the whole log. */
  public synchronized List<RecordedRequest> all() {
    return List.copyOf(entries);
  }

  public synchronized List<RecordedRequest> matching(Predicate<RecordedRequest> filter) {
    return entries.stream().filter(filter).toList();
  }

  /**
   * How many requests of this method and kind the client under test sent; external entries are not counted.
   *
   * @param method an HTTP method, or null for any
   */
  public synchronized long count(String method, EndpointKind kind) {
    return entries.stream()
        .filter(r -> !r.external())
        .filter(r -> method == null || method.equalsIgnoreCase(r.method()))
        .filter(r -> kind.matches(r.kind()))
        .count();
  }

  public synchronized void clear() {
    entries.clear();
  }
}
