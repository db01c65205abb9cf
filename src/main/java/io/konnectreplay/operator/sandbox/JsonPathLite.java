package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Kubernetes JSONPath that printer columns use: {@code .a.b}, {@code .a[0].b} and
 * {@code .a[?(@.type=="Ready")].b}. Enough for the sandbox's tables; anything else yields no value.
 */
final class JsonPathLite {
  private static final Pattern STEP = Pattern.compile(
      "\\.([A-Za-z0-9_-]+)|\\[(\\d+)]|\\[\\?\\(@\\.([A-Za-z0-9_-]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)]");

  private JsonPathLite() {}

  /** The first value the path selects, as text (objects and arrays as JSON); null when it selects nothing. */
  static String first(JsonNode root, String path) {
    List<JsonNode> current = List.of(root);
    Matcher m = STEP.matcher(path.strip());
    int at = 0;
    while (at < path.strip().length()) {
      if (!m.find(at) || m.start() != at) return null;
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        if (m.group(1) != null) {
          if (node.has(m.group(1))) next.add(node.get(m.group(1)));
        } else if (m.group(2) != null) {
          int i = Integer.parseInt(m.group(2));
          if (node.isArray() && i < node.size()) next.add(node.get(i));
        } else if (node.isArray()) {
          for (JsonNode item : node) {
            if (m.group(4).equals(item.path(m.group(3)).asText(null))) next.add(item);
          }
        }
      }
      current = next;
      at = m.end();
    }
    if (current.isEmpty() || current.get(0).isNull() || current.get(0).isMissingNode()) return null;
    JsonNode value = current.get(0);
    return value.isValueNode() ? value.asText() : value.toString();
  }
}
