package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The equality terms of a Kubernetes field selector ({@code a.b=x,c.d==y}), which fabric8's mock does not apply to
 * nested fields: the sandbox applies them itself, to events' {@code involvedObject} (kubectl describe) and to watched
 * objects' {@code metadata} (kubectl get NAME -w, kubectl wait).
 */
record FieldSelector(Map<String, String> terms) {

  /** Parses a decoded selector; empty when it holds a term other than an equality ({@code !=}, or no value). */
  static Optional<FieldSelector> parse(String selector) {
    Map<String, String> terms = new LinkedHashMap<>();
    if (selector != null && !selector.isBlank()) {
      for (String term : selector.split(",")) {
        String[] parts = term.split("==?", 2);
        if (parts.length != 2 || term.contains("!=")) return Optional.empty();
        terms.put(parts[0].strip(), parts[1].strip());
      }
    }
    return Optional.of(new FieldSelector(Map.copyOf(terms)));
  }

  boolean isEmpty() { return terms.isEmpty(); }

  /** Whether every field lies under one of these top-level fields (for example "metadata"). */
  boolean onlyUnder(String... parents) {
    return terms.keySet().stream().allMatch(field -> {
      for (String parent : parents) {
        if (field.startsWith(parent + ".")) return true;
      }
      return false;
    });
  }

  /** Whether the object has every selected field at its dotted path with the selected value. */
  boolean matches(JsonNode object) {
    return terms.entrySet().stream()
        .allMatch(term -> term.getValue().equals(JsonPathLite.first(object, "." + term.getKey())));
  }
}
