package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The patch kinds the API server takes, applied to a stored object the way it applies them: JSON Patch (RFC 6902),
 * JSON merge patch (RFC 7386: maps merge, {@code null} deletes, lists are replaced), strategic merge patch for
 * built-in kinds, and the merge step of server-side apply. The strategic merge knows the few list merge keys the
 * sandbox's kinds have ({@code metadata.finalizers} merged as a set, {@code metadata.ownerReferences} by uid) and the
 * {@code $patch}, {@code $retainKeys}, {@code $deleteFromPrimitiveList/} and {@code $setElementOrder/} directives;
 * every other list is replaced, as for a list without a patch strategy.
 */
final class ObjectPatches {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ObjectPatches() {}

  /** A patch the API server refuses as malformed (answered 422, or 400 for a body it cannot read). */
  static final class PatchException extends RuntimeException {
    PatchException(String message) { super(message); }
  }

  static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) throw new PatchException("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    try {
      return JsonPatch.apply(patch, target);
    } catch (RuntimeException e) {
      throw new PatchException(e.getMessage());
    }
  }

  /** RFC 7386. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) return patch.deepCopy();
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : NODES.objectNode();
    patch.fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) result.remove(e.getKey());
      else result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
    });
    return result;
  }

  // ---- strategic merge ---------------------------------------------------------------------------------------

  static JsonNode strategicMerge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) throw new PatchException("strategic merge patch must be an object");
    return mergeMap(target != null && target.isObject() ? (ObjectNode) target : NODES.objectNode(),
        (ObjectNode) patch, "");
  }

  private static ObjectNode mergeMap(ObjectNode target, ObjectNode patch, String path) {
    String directive = patch.path("$patch").asText("");
    if (directive.equals("replace")) {
      ObjectNode replaced = patch.deepCopy();
      replaced.remove("$patch");
      return stripDirectives(replaced);
    }
    if (directive.equals("delete")) return null;
    ObjectNode result = target.deepCopy();
    if (patch.get("$retainKeys") instanceof ArrayNode retain) {
      Set<String> keep = new LinkedHashSet<>();
      retain.forEach(k -> keep.add(k.asText()));
      List<String> names = new ArrayList<>();
      result.fieldNames().forEachRemaining(names::add);
      names.stream().filter(k -> !keep.contains(k)).forEach(result::remove);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.equals("$patch") || key.equals("$retainKeys") || key.startsWith("$setElementOrder/")) continue;
      if (key.startsWith("$deleteFromPrimitiveList/")) {
        String list = key.substring("$deleteFromPrimitiveList/".length());
        if (result.get(list) instanceof ArrayNode items && value.isArray()) {
          ArrayNode kept = NODES.arrayNode();
          items.forEach(item -> { if (!contains((ArrayNode) value, item)) kept.add(item); });
          result.set(list, kept);
        }
        continue;
      }
      String childPath = path.isEmpty() ? key : path + "." + key;
      JsonNode current = result.get(key);
      if (value.isNull()) {
        result.remove(key);
      } else if (value.isObject() && current != null && current.isObject()) {
        ObjectNode merged = mergeMap((ObjectNode) current, (ObjectNode) value, childPath);
        if (merged == null) result.remove(key);
        else result.set(key, merged);
      } else if (value.isArray()) {
        result.set(key, mergeList(current instanceof ArrayNode a ? a : null, (ArrayNode) value, childPath));
      } else {
        result.set(key, value.isObject() ? stripDirectives(((ObjectNode) value).deepCopy()) : value.deepCopy());
      }
    }
    return result;
  }

  private static ArrayNode mergeList(ArrayNode current, ArrayNode patch, String path) {
    if (current == null) return stripList(patch);
    if (path.equals("metadata.finalizers")) {
      ArrayNode union = current.deepCopy();
      patch.forEach(item -> { if (!contains(union, item)) union.add(item); });
      return union;
    }
    if (path.equals("metadata.ownerReferences")) return mergeByKey(current, patch, "uid");
    return stripList(patch);
  }

  private static ArrayNode mergeByKey(ArrayNode current, ArrayNode patch, String key) {
    ArrayNode result = current.deepCopy();
    for (JsonNode item : patch) {
      if (!item.isObject()) continue;
      int at = -1;
      for (int i = 0; i < result.size(); i++) {
        if (result.get(i).path(key).equals(item.path(key))) at = i;
      }
      boolean delete = item.path("$patch").asText("").equals("delete");
      if (at >= 0 && delete) result.remove(at);
      else if (at >= 0) result.set(at, mergeMap((ObjectNode) result.get(at), (ObjectNode) item, ""));
      else if (!delete) result.add(stripDirectives(((ObjectNode) item).deepCopy()));
    }
    return result;
  }

  private static boolean contains(ArrayNode list, JsonNode item) {
    for (JsonNode i : list) if (i.equals(item)) return true;
    return false;
  }

  private static ArrayNode stripList(ArrayNode list) {
    ArrayNode copy = NODES.arrayNode();
    list.forEach(i -> copy.add(i.isObject() ? stripDirectives(((ObjectNode) i).deepCopy()) : i.deepCopy()));
    return copy;
  }

  private static ObjectNode stripDirectives(ObjectNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      if (name.startsWith("$")) node.remove(name);
      else if (node.get(name) instanceof ObjectNode child) stripDirectives(child);
    }
    return node;
  }

  // ---- server-side apply -------------------------------------------------------------------------------------

  /** Fields whose ownership apply does not track: identity and the server's own metadata. */
  private static final Set<String> UNOWNED_METADATA = Set.of("name", "namespace", "uid", "resourceVersion",
      "generation", "creationTimestamp", "managedFields", "deletionTimestamp", "selfLink");

  /**
   * The field set of an applied configuration, as {@code fieldsV1}: {@code {"f:spec":{"f:region":{}}}}. Maps are
   * walked, lists and scalars are owned whole (lists are atomic here).
   */
  static ObjectNode fieldSet(JsonNode applied) {
    ObjectNode set = NODES.objectNode();
    applied.fields().forEachRemaining(e -> {
      if (e.getKey().equals("apiVersion") || e.getKey().equals("kind")) return;
      if (e.getKey().equals("metadata") && e.getValue().isObject()) {
        ObjectNode meta = NODES.objectNode();
        e.getValue().fields().forEachRemaining(m -> {
          if (!UNOWNED_METADATA.contains(m.getKey())) meta.set("f:" + m.getKey(), owned(m.getValue()));
        });
        if (!meta.isEmpty()) set.set("f:metadata", meta);
        return;
      }
      set.set("f:" + e.getKey(), owned(e.getValue()));
    });
    return set;
  }

  private static ObjectNode owned(JsonNode value) {
    ObjectNode set = NODES.objectNode();
    if (value.isObject()) value.fields().forEachRemaining(e -> set.set("f:" + e.getKey(), owned(e.getValue())));
    return set;
  }

  /**
   * Server-side apply onto a stored object: the applied fields are set (maps merged, lists and scalars replaced), and
   * the fields the same manager applied before ({@code previous}) but no longer applies are removed, unless another
   * applier ({@code othersOwn}) also owns them.
   */
  static ObjectNode apply(ObjectNode current, ObjectNode applied, ObjectNode previous, List<ObjectNode> othersOwn) {
    ObjectNode result = current.deepCopy();
    overlay(result, applied);
    if (previous != null) removeDropped(result, previous, fieldSet(applied), othersOwn);
    return result;
  }

  private static void overlay(ObjectNode target, ObjectNode applied) {
    applied.fields().forEachRemaining(e -> {
      JsonNode current = target.get(e.getKey());
      if (e.getValue().isObject() && current instanceof ObjectNode c) overlay(c, (ObjectNode) e.getValue());
      else target.set(e.getKey(), e.getValue().deepCopy());
    });
  }

  /**
   * Removes the fields owned in {@code previous} that {@code now} no longer holds. An entry with children owns those
   * children: it is walked, and the map it names goes only if nothing is left in it.
   */
  private static void removeDropped(ObjectNode target, ObjectNode previous, ObjectNode now, List<ObjectNode> others) {
    previous.fields().forEachRemaining(e -> {
      String name = e.getKey().substring(2);
      JsonNode nowChild = now == null ? null : now.get(e.getKey());
      List<ObjectNode> othersChild = new ArrayList<>();
      for (ObjectNode o : others) if (o.get(e.getKey()) instanceof ObjectNode c) othersChild.add(c);
      boolean leaf = e.getValue().isEmpty();
      if (!leaf && target.get(name) instanceof ObjectNode child) {
        removeDropped(child, (ObjectNode) e.getValue(), nowChild instanceof ObjectNode n ? n : null, othersChild);
        if (child.isEmpty() && nowChild == null && othersChild.isEmpty() && !name.equals("metadata")) {
          target.remove(name);
        }
      } else if (leaf && nowChild == null && othersChild.isEmpty()) {
        target.remove(name);
      }
    });
  }
}
