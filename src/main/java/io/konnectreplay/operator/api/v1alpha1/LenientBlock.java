package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * Reads a resource's spec or status so that a value this version cannot read at all (a string where an object is
 * expected, as a CRD other than this operator's admits: {@code spec.window: "1h"}) does not fail the whole list or
 * watch event, which would stop the informer for every resource. The block is replaced by an empty one that carries
 * what could not be read ({@link LenientlyRead#unreadable()}); the reconciler reports it on that resource only. Both
 * kinds, job and policy, read their spec and status through it.
 * Unknown fields are not a problem at all: every class of the package ignores them.
 */
abstract class LenientBlock<T extends LenientlyRead> extends StdDeserializer<T> {
  private final String field;
  private final java.util.function.Supplier<T> empty;

  LenientBlock(Class<T> type, String field, java.util.function.Supplier<T> empty) {
    super(type);
    this.field = field;
    this.empty = empty;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode node = parser.readValueAsTree();
    try {
      return context.readTreeAsValue(node, (Class<T>) handledType());
    } catch (JsonMappingException e) {
      T block = empty.get();
      block.markUnreadable(describe(node, e), node);
      return block;
    }
  }

  /** {@code spec.window could not be read: "1h" is a string where this operator expects an object}. */
  private String describe(JsonNode root, JsonMappingException e) {
    StringBuilder path = new StringBuilder(field);
    JsonNode value = root;
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
        value = value == null ? null : value.get(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
        value = value == null ? null : value.get(ref.getIndex());
      }
    }
    Class<?> expected = e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m
        ? m.getTargetType() : null;
    return path + " could not be read: " + shown(value) + " is " + kind(value) + " where this version of the operator"
        + " expects " + expected(expected) + " (was the resource admitted by a CRD other than this operator's?)";
  }

  private static String shown(JsonNode value) {
    if (value == null) return "the value";
    String text = value.toString();
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }

  private static String kind(JsonNode value) {
    if (value == null) return "a value";
    return switch (value.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> "null";
    };
  }

  private static String expected(Class<?> type) {
    if (type == null) return "another type";
    if (type == String.class || type.isEnum()) return "a string";
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) return "a number";
    if (type == Boolean.class || type == boolean.class) return "a boolean";
    if (Collection.class.isAssignableFrom(type) || type.isArray()) return "a list";
    if (Map.class.isAssignableFrom(type) || !type.getName().startsWith("java.")) return "an object";
    return "another type";
  }

  static final class JobSpec extends LenientBlock<AuditLogReplayJobSpec> {
    JobSpec() { super(AuditLogReplayJobSpec.class, "spec", AuditLogReplayJobSpec::new); }
  }

  static final class JobStatus extends LenientBlock<AuditLogReplayJobStatus> {
    JobStatus() { super(AuditLogReplayJobStatus.class, "status", AuditLogReplayJobStatus::new); }
  }

  static final class PolicySpec extends LenientBlock<AuditLogReplayPolicySpec> {
    PolicySpec() { super(AuditLogReplayPolicySpec.class, "spec", AuditLogReplayPolicySpec::new); }
  }

  static final class PolicyStatus extends LenientBlock<AuditLogReplayPolicyStatus> {
    PolicyStatus() { super(AuditLogReplayPolicyStatus.class, "status", AuditLogReplayPolicyStatus::new); }
  }
}
