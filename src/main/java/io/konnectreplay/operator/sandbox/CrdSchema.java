package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelStandardFunctions;
import com.google.protobuf.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One CRD version's structural schema, applied to an object the way kube-apiserver applies it on create and update:
 * unknown fields pruned (except under {@code x-kubernetes-preserve-unknown-fields}), nulls of non-nullable fields
 * dropped, defaults set, then the OpenAPI checks (type, required, enum, pattern, length, bounds, items) and, when they
 * found nothing that blocks them, the {@code x-kubernetes-validations} CEL rules, with {@code self} bound to the value at
 * the rule's place and {@code oldSelf} to the stored value for transition rules. Errors are worded as the API server
 * words them, so a 422 built from them reads as on a cluster.
 *
 * <p>Pure and in memory (no HTTP): the embedded API calls it for every write of a custom resource, and property tests
 * call it directly.
 */
public final class CrdSchema {
  static final String NOT_CHECKED = "some validation rules were not checked because the object was invalid; correct"
      + " the existing errors to complete validation";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Fields every object at the root (or an embedded resource) has without the schema naming them. */
  private static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private final ObjectNode root;
  private final Map<JsonNode, List<Rule>> rules = new IdentityHashMap<>();
  private final Map<JsonNode, Pattern> patterns = new IdentityHashMap<>();
  private final boolean hasRules;

  /** A compiled x-kubernetes-validations rule. */
  private record Rule(String expression, String message, CelRuntime.Program program, CelRuntime.Program messageProgram,
      boolean transition, FieldError.Type type, String fieldPath) {}

  /** What admission made of an object: the object as it would be stored, the fields pruned, and the errors. */
  public record Admission(ObjectNode object, List<String> prunedFields, List<FieldError> errors,
      List<FieldError> ruleErrors) {
    public boolean admitted() { return errors.isEmpty(); }

    /** The errors of the OpenAPI checks, without those of the CEL rules. */
    public List<FieldError> schemaErrors() {
      return errors.stream().filter(e -> !ruleErrors.contains(e)).toList();
    }
  }

  private CrdSchema(ObjectNode root) {
    this.root = root;
    compile(root, "");
    this.hasRules = !rules.isEmpty();
  }

  /** Compiles the schema's patterns and rules; an {@link IllegalArgumentException} names a rule that does not compile. */
  public static CrdSchema of(JsonNode openApiV3Schema) {
    if (!(openApiV3Schema instanceof ObjectNode schema)) throw new IllegalArgumentException("schema is not an object");
    return new CrdSchema(schema.deepCopy());
  }

  /**
   * Admits {@code object} (not changed: a copy is pruned and defaulted). {@code old} is the stored object on update
   * (null on create), for transition rules. Root fields in {@code skipped} (the status, when it has its own
   * subresource) are neither pruned nor validated.
   */
  public Admission admit(ObjectNode object, ObjectNode old, Set<String> skipped) {
    ObjectNode copy = object.deepCopy();
    List<String> pruned = new ArrayList<>();
    prune(copy, root, "", true, pruned, skipped);
    applyDefaults(copy, root, skipped, true);
    List<FieldError> errors = new ArrayList<>();
    List<Object[]> ruleSites = new ArrayList<>();
    check(copy, root, "", old, errors, ruleSites, skipped, true);
    List<FieldError> ruleErrors = new ArrayList<>();
    if (hasRules) {
      if (errors.stream().anyMatch(FieldError::blocksRules)) {
        errors.add(new FieldError(FieldError.Type.INVALID, null, null, NOT_CHECKED));
      } else {
        for (Object[] site : ruleSites) {
          evaluate((JsonNode) site[0], (ObjectNode) site[1], (String) site[2], (JsonNode) site[3], ruleErrors);
        }
        errors.addAll(ruleErrors);
      }
    }
    pruned.sort(null);
    return new Admission(copy, List.copyOf(pruned), List.copyOf(errors), List.copyOf(ruleErrors));
  }

  // ---- compile -----------------------------------------------------------------------------------------------

  private void compile(JsonNode schema, String path) {
    if (!(schema instanceof ObjectNode s)) return;
    if (s.hasNonNull("pattern")) {
      try {
        patterns.put(s, Pattern.compile(s.get("pattern").asText()));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("pattern at " + path + " does not compile: " + e.getMessage(), e);
      }
    }
    List<Rule> compiled = new ArrayList<>();
    for (JsonNode v : s.path("x-kubernetes-validations")) compiled.add(compileRule(v, celType(s), path));
    if (!compiled.isEmpty()) rules.put(s, compiled);
    s.path("properties").fields().forEachRemaining(e -> compile(e.getValue(), join(path, e.getKey())));
    compile(s.get("items"), path + "[*]");
    if (s.get("additionalProperties") instanceof ObjectNode a) compile(a, path + "[*]");
  }

  private static Rule compileRule(JsonNode v, CelType selfType, String path) {
    String expression = v.path("rule").asText();
    boolean transition = Pattern.compile("\\boldSelf\\b").matcher(expression).find();
    CelRuntime.Program program = program(expression, selfType, SimpleType.BOOL, path);
    CelRuntime.Program messageProgram = v.hasNonNull("messageExpression")
        ? program(v.get("messageExpression").asText(), selfType, SimpleType.STRING, path) : null;
    FieldError.Type type = switch (v.path("reason").asText("FieldValueInvalid")) {
      case "FieldValueForbidden" -> FieldError.Type.FORBIDDEN;
      case "FieldValueRequired" -> FieldError.Type.REQUIRED;
      case "FieldValueDuplicate" -> FieldError.Type.DUPLICATE;
      default -> FieldError.Type.INVALID;
    };
    String fieldPath = v.path("fieldPath").asText("");
    return new Rule(expression, v.path("message").asText(""), program, messageProgram, transition, type, fieldPath);
  }

  private static CelRuntime.Program program(String expression, CelType selfType, CelType result, String path) {
    CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addLibraries(CelExtensions.strings())
        .addVar("self", selfType)
        .addVar("oldSelf", selfType)
        .setResultType(result)
        .build();
    try {
      CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
      return RUNTIME.createProgram(ast);
    } catch (Exception e) {
      throw new IllegalArgumentException("rule at " + (path.isEmpty() ? "<root>" : path) + " does not compile: "
          + expression + ": " + e.getMessage(), e);
    }
  }

  /**
   * The standard runtime, except that {@code timestamp(string)} refuses a date that does not exist (month 13, 30
   * February, hour 25) as CEL's Go implementation in the API server does, where cel-java would roll it over.
   */
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .setStandardEnvironmentEnabled(false)
      .setStandardFunctions(CelStandardFunctions.newBuilder().filterFunctions((function, overload) ->
          overload != CelStandardFunctions.StandardFunction.Overload.Conversions.STRING_TO_TIMESTAMP).build())
      .addFunctionBindings(CelFunctionBinding.from("string_to_timestamp", String.class, CrdSchema::timestamp))
      .addLibraries(CelExtensions.strings())
      .build();

  private static Timestamp timestamp(String text) {
    try {
      Instant instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME
          .withResolverStyle(ResolverStyle.STRICT)).toInstant();
      return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    } catch (DateTimeException e) {
      String reason = e.getMessage() == null ? "invalid" : e.getMessage();
      int colon = reason.indexOf(": ");
      throw new IllegalArgumentException("string to timestamp conversion error: parsing time " + FieldError.quote(text)
          + ": " + (colon >= 0 ? reason.substring(colon + 2) : reason), e);
    }
  }

  private static CelType celType(ObjectNode schema) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) return SimpleType.DYN;
    return switch (schema.path("type").asText("")) {
      case "string" -> SimpleType.STRING;
      case "integer" -> SimpleType.INT;
      case "number" -> SimpleType.DOUBLE;
      case "boolean" -> SimpleType.BOOL;
      case "array" -> ListType.create(SimpleType.DYN);
      case "object" -> MapType.create(SimpleType.STRING, SimpleType.DYN);
      default -> SimpleType.DYN;
    };
  }

  // ---- prune and default -------------------------------------------------------------------------------------

  private static void prune(JsonNode value, JsonNode schema, String path, boolean atRoot, List<String> pruned,
      Set<String> skipped) {
    if (!(schema instanceof ObjectNode s)) return;
    if (value instanceof ObjectNode object) {
      boolean embedded = atRoot || s.path("x-kubernetes-embedded-resource").asBoolean(false);
      boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      JsonNode properties = s.path("properties");
      JsonNode additional = s.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> field = it.next();
        String name = field.getKey();
        String childPath = join(path, name);
        if (atRoot && skipped.contains(name)) continue;
        if (embedded && OBJECT_FIELDS.contains(name) && !properties.has(name)) continue;
        JsonNode childSchema = properties.get(name);
        if (childSchema == null && additional instanceof ObjectNode a) childSchema = a;
        if (childSchema == null) {
          if (!preserve && !(additional != null && additional.asBoolean(false))) {
            pruned.add(childPath);
            it.remove();
          }
          continue;
        }
        if (field.getValue().isNull() && !childSchema.path("nullable").asBoolean(false)) {
          it.remove(); // the API server drops a null it cannot store, then defaults the field
          continue;
        }
        if (embedded && name.equals("metadata")) continue;
        prune(field.getValue(), childSchema, childPath, false, pruned, skipped);
      }
    } else if (value instanceof ArrayNode array && s.get("items") != null) {
      for (int i = 0; i < array.size(); i++) prune(array.get(i), s.get("items"), path + "[" + i + "]", false, pruned,
          skipped);
    }
  }

  private static void applyDefaults(JsonNode value, JsonNode schema, Set<String> skipped, boolean atRoot) {
    if (!(schema instanceof ObjectNode s)) return;
    if (value instanceof ObjectNode object) {
      s.path("properties").fields().forEachRemaining(p -> {
        if (atRoot && skipped.contains(p.getKey())) return;
        if (!object.has(p.getKey()) && p.getValue().has("default")) object.set(p.getKey(), p.getValue().get("default").deepCopy());
        if (object.has(p.getKey())) applyDefaults(object.get(p.getKey()), p.getValue(), skipped, false);
      });
      if (s.get("additionalProperties") instanceof ObjectNode a) {
        object.fields().forEachRemaining(e -> {
          if (!s.path("properties").has(e.getKey())) applyDefaults(e.getValue(), a, skipped, false);
        });
      }
    } else if (value instanceof ArrayNode array && s.get("items") != null) {
      array.forEach(item -> applyDefaults(item, s.get("items"), skipped, false));
    }
  }

  // ---- the OpenAPI checks -------------------------------------------------------------------------------------

  private void check(JsonNode value, JsonNode schemaNode, String path, JsonNode old, List<FieldError> errors,
      List<Object[]> ruleSites, Set<String> skipped, boolean atRoot) {
    if (!(schemaNode instanceof ObjectNode s)) return;
    if (value.isNull()) {
      if (!s.path("nullable").asBoolean(false)) errors.add(typeError(path, s, value));
      return;
    }
    String type = s.path("type").asText("");
    boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
    if (intOrString ? !(value.isIntegralNumber() || value.isTextual()) : !hasType(value, type)) {
      errors.add(typeError(path, s, value));
      return;
    }
    if (s.has("enum")) {
      boolean listed = false;
      List<String> quoted = new ArrayList<>();
      for (JsonNode allowed : s.get("enum")) {
        listed |= sameValue(allowed, value);
        quoted.add(FieldError.quote(allowed.asText()));
      }
      if (!listed) errors.add(new FieldError(FieldError.Type.NOT_SUPPORTED, path, value,
          "supported values: " + String.join(", ", quoted)));
    }
    if (value.isTextual()) checkString(value, s, path, errors);
    if (value.isNumber()) checkNumber(value, s, path, errors);
    if (value instanceof ArrayNode array) {
      if (s.has("maxItems") && array.size() > s.get("maxItems").asLong()) {
        errors.add(new FieldError(FieldError.Type.TOO_MANY, path, NODES.numberNode(array.size()),
            "must have at most " + s.get("maxItems").asLong() + " items"));
      }
      if (s.has("minItems") && array.size() < s.get("minItems").asLong()) {
        errors.add(invalid(path, NODES.numberNode(array.size()), "should have at least " + s.get("minItems").asLong()
            + " items"));
      }
      JsonNode items = s.get("items");
      if (items != null) {
        for (int i = 0; i < array.size(); i++) {
          check(array.get(i), items, path + "[" + i + "]", null, errors, ruleSites, skipped, false);
        }
      }
    }
    if (value instanceof ObjectNode object) {
      for (JsonNode required : s.path("required")) {
        if (!object.has(required.asText())) {
          errors.add(new FieldError(FieldError.Type.REQUIRED, join(path, required.asText()), null, null));
        }
      }
      if (s.has("maxProperties") && object.size() > s.get("maxProperties").asLong()) {
        errors.add(new FieldError(FieldError.Type.TOO_MANY, path, NODES.numberNode(object.size()),
            "must have at most " + s.get("maxProperties").asLong() + " items"));
      }
      JsonNode properties = s.path("properties");
      JsonNode additional = s.get("additionalProperties");
      object.fields().forEachRemaining(field -> {
        String name = field.getKey();
        if (atRoot && (skipped.contains(name) || name.equals("metadata"))) return;
        JsonNode childSchema = properties.get(name);
        String childPath = childSchema != null ? join(path, name) : path + "[" + name + "]";
        if (childSchema == null && additional instanceof ObjectNode a) childSchema = a;
        if (childSchema == null) return;
        JsonNode oldChild = old == null ? null : old.get(name);
        check(field.getValue(), childSchema, childPath, oldChild, errors, ruleSites, skipped, false);
      });
    }
    if (rules.containsKey(s)) ruleSites.add(new Object[] {value, s, path, old});
  }

  private void checkString(JsonNode value, ObjectNode s, String path, List<FieldError> errors) {
    String text = value.asText();
    long length = text.codePointCount(0, text.length());
    if (s.has("maxLength") && length > s.get("maxLength").asLong()) {
      errors.add(new FieldError(FieldError.Type.TOO_LONG, path, value, "may not be more than "
          + s.get("maxLength").asLong() + " bytes"));
    }
    if (s.has("minLength") && length < s.get("minLength").asLong()) {
      errors.add(invalid(path, value, "should be at least " + s.get("minLength").asLong() + " chars long"));
    }
    Pattern pattern = patterns.get(s);
    if (pattern != null && !pattern.matcher(text).find()) {
      errors.add(invalid(path, value, "should match '" + s.get("pattern").asText() + "'"));
    }
  }

  private static void checkNumber(JsonNode value, ObjectNode s, String path, List<FieldError> errors) {
    BigDecimal n = value.decimalValue();
    if (s.has("maximum")) {
      int c = n.compareTo(s.get("maximum").decimalValue());
      boolean exclusive = s.path("exclusiveMaximum").asBoolean(false);
      if (c > 0 || (exclusive && c == 0)) {
        errors.add(invalid(path, value, "should be less than " + (exclusive ? "" : "or equal to ")
            + number(s.get("maximum"))));
      }
    }
    if (s.has("minimum")) {
      int c = n.compareTo(s.get("minimum").decimalValue());
      boolean exclusive = s.path("exclusiveMinimum").asBoolean(false);
      if (c < 0 || (exclusive && c == 0)) {
        errors.add(invalid(path, value, "should be greater than " + (exclusive ? "" : "or equal to ")
            + number(s.get("minimum"))));
      }
    }
    if (s.has("multipleOf") && s.get("multipleOf").decimalValue().signum() != 0
        && n.remainder(s.get("multipleOf").decimalValue()).signum() != 0) {
      errors.add(invalid(path, value, "should be a multiple of " + number(s.get("multipleOf"))));
    }
  }

  /** kube-openapi's wording: the path "in body", then what it should be. */
  private static FieldError invalid(String path, JsonNode value, String should) {
    return new FieldError(FieldError.Type.INVALID, path, value, path + " in body " + should);
  }

  private static FieldError typeError(String path, ObjectNode s, JsonNode value) {
    String expected = s.path("x-kubernetes-int-or-string").asBoolean(false) ? "integer,string"
        : s.path("type").asText("");
    String actual = jsonType(value);
    return new FieldError(FieldError.Type.TYPE_INVALID, path, new TextNode(actual),
        path + " in body must be of type " + expected + ": " + FieldError.quote(actual));
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> true; // no type: anything (x-kubernetes-preserve-unknown-fields)
    };
  }

  private static String jsonType(JsonNode value) {
    if (value.isNull()) return "null";
    if (value.isTextual()) return "string";
    if (value.isIntegralNumber()) return "integer";
    if (value.isNumber()) return "number";
    if (value.isBoolean()) return "boolean";
    if (value.isArray()) return "array";
    return "object";
  }

  private static boolean sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0;
    return a.equals(b);
  }

  private static String number(JsonNode n) {
    BigDecimal d = n.decimalValue().stripTrailingZeros();
    return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
  }

  // ---- CEL ---------------------------------------------------------------------------------------------------

  private void evaluate(JsonNode value, ObjectNode schema, String path, JsonNode old, List<FieldError> errors) {
    String typeName = schema.path("x-kubernetes-int-or-string").asBoolean(false) ? "integer-or-string"
        : schema.path("type").asText("object");
    for (Rule rule : rules.get(schema)) {
      if (rule.transition() && old == null) continue; // a transition rule applies to updates of a stored value only
      Map<String, Object> activation = new LinkedHashMap<>();
      activation.put("self", cel(value));
      if (old != null) activation.put("oldSelf", cel(old));
      String field = path + rule.fieldPath();
      String ruleText = rule.message().isBlank() ? rule.expression().strip() : rule.message().strip();
      Object result;
      try {
        result = rule.program().eval(activation);
      } catch (Exception e) {
        Throwable cause = e.getCause() instanceof IllegalArgumentException c ? c : e;
        errors.add(new FieldError(FieldError.Type.INVALID, field, new TextNode(typeName),
            cause.getMessage() + " evaluating rule: " + ruleText));
        continue;
      }
      if (Boolean.TRUE.equals(result)) continue;
      String message = rule.message().isBlank() ? "failed rule: " + rule.expression().strip() : rule.message().strip();
      if (rule.messageProgram() != null) {
        try {
          Object m = rule.messageProgram().eval(activation);
          if (m instanceof String s && !s.isBlank()) message = s.strip();
        } catch (Exception e) {
          // the API server falls back to the message (or the rule) when messageExpression fails
        }
      }
      errors.add(new FieldError(rule.type(), field, new TextNode(typeName), message));
    }
  }

  /** A JSON value as CEL sees it: maps, lists, int (long), double, string, bool. */
  static Object cel(JsonNode node) {
    if (node == null || node.isNull()) return NullValue.NULL_VALUE;
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), cel(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(cel(item)));
      return list;
    }
    if (node.isIntegralNumber()) return node.asLong();
    if (node.isNumber()) return node.asDouble();
    if (node.isBoolean()) return node.asBoolean();
    return node.asText();
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
