package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fabric8's CRUD dispatcher made to write as kube-apiserver writes. The mock stores what it is given; this layer, in
 * front of it, does what the API server does before storing:
 *
 * <ul>
 *   <li><b>optimistic concurrency</b>: a replace (PUT, also of …/status) or a patch that carries a resourceVersion other
 *       than the stored one is answered 409 Conflict (the operator relies on it so that a stale informer cache can
 *       never record a submission twice);</li>
 *   <li><b>admission of custom resources</b> against their CRD's structural schema ({@link CrdSchema}), learnt from
 *       every CRD written through it: unknown fields pruned (or refused with 400 under {@code fieldValidation=Strict},
 *       warned about by default), defaults applied, and a spec that breaks the schema or a CEL rule answered 422
 *       Invalid with the API server's field paths and messages. Status writes ({@code …/status}) are not validated;</li>
 *   <li><b>patches</b> computed here and stored as replaces: JSON Patch, JSON merge patch (lists replaced, where the
 *       mock would append), strategic merge patch for built-in kinds (refused with 415 for custom resources, as the API
 *       server does) and server-side apply with create-or-update ({@link ObjectPatches}); a patch of the main resource
 *       leaves the status alone and a patch of …/status leaves everything but the status alone;</li>
 *   <li>a Secret's {@code stringData} merged into {@code data}, and a new Namespace marked Active.</li>
 * </ul>
 *
 * <p>It also answers a SelfSubjectRulesReview (which the mock would reject with 422) by granting the rights on
 * Leases that JOSDK's leader election checks before it starts, so an operator with {@code LEADER_ELECTION=true}
 * runs against it.
 */
public class OptimisticCrudDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String RULES_REVIEW = """
      {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{},
       "status":{"incomplete":false,"nonResourceRules":[],"resourceRules":[
         {"verbs":["get","create","update","patch","list","watch"],"apiGroups":["coordination.k8s.io"],
          "resources":["leases"]}]}}""";
  private static final String CRDS = "customresourcedefinitions";

  /** A custom resource kind learnt from its CRD: where it is served and the schema of that version. */
  private record CustomKind(String kind, CrdSchema schema, boolean statusSubresource) {}

  private final Object writeLock = new Object();
  private final Map<String, CustomKind> customKinds = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();

  /** An object ready to be stored, or the answer that refuses it. */
  private record Prepared(ObjectNode object, List<String> warnings, MockResponse refusal) {
    static Prepared refused(MockResponse refusal) { return new Prepared(null, List.of(), refusal); }
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    if ("POST".equals(method) && request.getPath().contains("/selfsubjectrulesreviews")) {
      return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
          .setBody(RULES_REVIEW);
    }
    if (!Set.of("POST", "PUT", "PATCH", "DELETE").contains(method)) return super.dispatch(request);
    Optional<ApiPath> parsed = ApiPath.parse(request.getPath());
    if (parsed.isEmpty()) return super.dispatch(request);
    ApiPath path = parsed.get();
    synchronized (writeLock) {
      MockResponse response = switch (method) {
        case "POST" -> path.name() == null ? create(request, path) : super.dispatch(request);
        case "PUT" -> path.name() == null ? super.dispatch(request) : replace(request, path);
        case "PATCH" -> path.name() == null ? super.dispatch(request) : patch(request, path);
        default -> super.dispatch(request);
      };
      if (path.resource().equals(CRDS) && response.code() / 100 == 2) learn(method, response);
      return response;
    }
  }

  // ---- create, replace, patch --------------------------------------------------------------------------------

  private MockResponse create(RecordedRequest request, ApiPath path) {
    ObjectNode object = readObject(request.getUtf8Body());
    if (object == null) return super.dispatch(request);
    Prepared prepared = prepare(path, object, null, fieldValidation(path));
    if (prepared.refusal() != null) return prepared.refusal();
    return withWarnings(super.dispatch(rewritten(request, HttpMethod.POST, request.getPath(), prepared.object())),
        prepared.warnings());
  }

  private MockResponse replace(RecordedRequest request, ApiPath path) {
    ObjectNode object = readObject(request.getUtf8Body());
    if (object == null) return super.dispatch(request);
    ObjectNode current = stored(path);
    if (current == null) return super.dispatch(request);
    String sent = object.path("metadata").path("resourceVersion").asText("");
    if (!sent.isEmpty() && !sent.equals(current.path("metadata").path("resourceVersion").asText())) {
      return ApiStatus.conflict(path);
    }
    return store(request, path, object, current);
  }

  private MockResponse patch(RecordedRequest request, ApiPath path) {
    String contentType = String.valueOf(request.getHeader("Content-Type"));
    boolean custom = customKind(path) != null;
    boolean strategic = contentType.contains("strategic-merge-patch");
    boolean known = contentType.contains("json-patch") || contentType.contains("apply-patch")
        || (strategic ? !custom : contentType.contains("merge-patch"));
    if (!known) return ApiStatus.unsupportedPatch(contentType, custom);
    ObjectNode current = stored(path);
    if (contentType.contains("apply-patch")) return serverSideApply(request, path, current);
    if (current == null) return ApiStatus.notFound(path);
    JsonNode patch = readTree(request.getUtf8Body());
    if (patch == null) return ApiStatus.failure(400, "BadRequest", "the patch is not valid JSON");
    JsonNode patched;
    try {
      if (contentType.contains("json-patch")) patched = ObjectPatches.jsonPatch(current, patch);
      else if (strategic) patched = ObjectPatches.strategicMerge(current, patch);
      else patched = ObjectPatches.mergePatch(current, patch);
    } catch (ObjectPatches.PatchException e) {
      return ApiStatus.failure(422, "Invalid", e.getMessage());
    }
    if (!(patched instanceof ObjectNode object)) return ApiStatus.failure(422, "Invalid", "the patch result is not an object");
    String sent = object.path("metadata").path("resourceVersion").asText("");
    String storedVersion = current.path("metadata").path("resourceVersion").asText();
    if (!sent.isEmpty() && !sent.equals(storedVersion)) return ApiStatus.conflict(path);
    return store(request, path, object, current);
  }

  /**
   * Server-side apply, simplified: create when absent; else the applied fields are merged in and the fields this field
   * manager applied last time but no longer applies are removed. Field ownership is recorded in
   * {@code metadata.managedFields} for appliers only; there are no conflicts with other managers ({@code force} is not
   * needed and changes nothing).
   */
  private MockResponse serverSideApply(RecordedRequest request, ApiPath path, ObjectNode current) {
    String manager = path.query().get("fieldManager");
    if (manager == null || manager.isEmpty()) {
      return ApiStatus.failure(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required"
          + " value: is required for apply patch");
    }
    ObjectNode applied;
    try {
      applied = YAML.readTree(request.getUtf8Body()) instanceof ObjectNode o ? o : null;
    } catch (Exception e) {
      applied = null;
    }
    if (applied == null) return ApiStatus.failure(400, "BadRequest", "the applied configuration is not a YAML object");
    CustomKind kind = customKind(path);
    if (kind != null && kind.statusSubresource() && !path.isStatus()) applied.remove("status");
    ObjectNode meta = applied.withObjectProperty("metadata");
    meta.put("name", path.name());
    if (path.namespace() != null) meta.put("namespace", path.namespace());
    ObjectNode fields = ObjectPatches.fieldSet(applied);
    if (current == null) {
      if (path.isStatus()) return ApiStatus.notFound(path);
      ObjectNode created = applied.deepCopy();
      created.withObjectProperty("metadata").set("managedFields", JSON.createArrayNode().add(managedEntry(manager, applied,
          fields, null)));
      Prepared prepared = prepare(path, created, null, fieldValidation(path));
      if (prepared.refusal() != null) return prepared.refusal();
      return withWarnings(super.dispatch(rewritten(request, HttpMethod.POST, path.collectionPath(), prepared.object())),
          prepared.warnings());
    }
    ObjectNode previous = null;
    List<ObjectNode> others = new ArrayList<>();
    ArrayNode entries = JSON.createArrayNode();
    for (JsonNode entry : current.path("metadata").path("managedFields")) {
      boolean sameSubresource = entry.path("subresource").asText("").equals(path.isStatus() ? "status" : "");
      boolean applier = entry.path("operation").asText().equals("Apply") && sameSubresource;
      if (applier && entry.path("manager").asText().equals(manager)) {
        previous = entry.get("fieldsV1") instanceof ObjectNode f ? f : null;
        continue;
      }
      if (applier && entry.get("fieldsV1") instanceof ObjectNode f) others.add(f);
      entries.add(entry);
    }
    entries.add(managedEntry(manager, applied, fields, path.isStatus() ? "status" : null));
    ObjectNode merged = ObjectPatches.apply(current, applied, previous, others);
    merged.withObjectProperty("metadata").set("managedFields", entries);
    merged.withObjectProperty("metadata").put("resourceVersion", current.path("metadata").path("resourceVersion").asText());
    return store(request, path, merged, current);
  }

  private ObjectNode managedEntry(String manager, ObjectNode applied, ObjectNode fields, String subresource) {
    ObjectNode entry = JSON.createObjectNode().put("manager", manager).put("operation", "Apply")
        .put("apiVersion", applied.path("apiVersion").asText())
        .put("time", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()).put("fieldsType", "FieldsV1");
    entry.set("fieldsV1", fields);
    if (subresource != null) entry.put("subresource", subresource);
    return entry;
  }

  /** Admits the new state of a stored object and stores it by a replace (the mock keeps status or spec as needed). */
  private MockResponse store(RecordedRequest request, ApiPath path, ObjectNode object, ObjectNode current) {
    ObjectNode toStore = object;
    List<String> warnings = List.of();
    if (!path.isStatus()) {
      Prepared prepared = prepare(path, object, current, fieldValidation(path));
      if (prepared.refusal() != null) return prepared.refusal();
      toStore = prepared.object();
      warnings = prepared.warnings();
    }
    if (toStore.path("metadata").path("resourceVersion").asText("").isEmpty()) {
      toStore.withObjectProperty("metadata").put("resourceVersion", current.path("metadata").path("resourceVersion").asText());
    }
    String target = path.isStatus() ? path.objectPath() + "/status" : path.objectPath();
    MockResponse response = super.dispatch(rewritten(request, HttpMethod.PUT, target, toStore));
    if (response.code() == 202) response.setResponseCode(200);
    return withWarnings(response, warnings);
  }

  /** What the API server does to an object before it stores it: per kind, and the CRD's schema for custom kinds. */
  private Prepared prepare(ApiPath path, ObjectNode object, ObjectNode old, String fieldValidation) {
    if (path.group().isEmpty() && path.resource().equals("secrets")) mergeStringData(object);
    if (path.group().isEmpty() && path.resource().equals("namespaces") && old == null) {
      object.withObjectProperty("status").put("phase", "Active");
    }
    if (path.resource().equals(CRDS)) {
      String problem = compileProblem(object);
      if (problem != null) {
        return Prepared.refused(ApiStatus.invalid("apiextensions.k8s.io", "CustomResourceDefinition",
            object.path("metadata").path("name").asText(null), List.of(new FieldError(FieldError.Type.INVALID,
                "spec.validation.openAPIV3Schema", null, problem))));
      }
    }
    CustomKind kind = customKind(path);
    if (kind == null) return new Prepared(object, List.of(), null);
    if (kind.statusSubresource()) {
      // the main resource's writes never change its status: that is the status subresource's
      JsonNode status = old == null ? null : old.get("status");
      if (status == null) object.remove("status");
      else object.set("status", status.deepCopy());
    }
    CrdSchema.Admission admission = kind.schema().admit(object, old,
        kind.statusSubresource() ? Set.of("status") : Set.of());
    String name = object.path("metadata").path("name").asText(path.name());
    if (!admission.prunedFields().isEmpty() && "Strict".equals(fieldValidation)) {
      return Prepared.refused(ApiStatus.strictDecoding(kind.kind(), path.version(), admission.prunedFields()));
    }
    List<String> warnings = "Ignore".equals(fieldValidation) ? List.of()
        : admission.prunedFields().stream().map(f -> "unknown field " + FieldError.quote(f)).toList();
    if (!admission.admitted()) {
      // the API server sends its warnings with a refusal too
      return Prepared.refused(warn(ApiStatus.invalid(path.group(), kind.kind(), name, admission.errors()), warnings));
    }
    return new Prepared(admission.object(), warnings, null);
  }

  /** The query's fieldValidation; the API server's default is Warn. */
  private static String fieldValidation(ApiPath path) {
    return path.query().getOrDefault("fieldValidation", "Warn");
  }

  private static void mergeStringData(ObjectNode secret) {
    if (!(secret.remove("stringData") instanceof ObjectNode stringData)) return;
    ObjectNode data = secret.get("data") instanceof ObjectNode d ? d : secret.putObject("data");
    stringData.fields().forEachRemaining(e -> data.put(e.getKey(),
        Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
  }

  // ---- custom kinds ------------------------------------------------------------------------------------------

  private CustomKind customKind(ApiPath path) {
    return path.group().isEmpty() ? null : customKinds.get(path.group() + "/" + path.version() + "/" + path.resource());
  }

  /** Learns (or forgets) the kinds of a CRD the mock just stored or deleted. */
  private void learn(String method, MockResponse response) {
    ObjectNode crd = readObject(response.getBody().readUtf8());
    if (crd == null || !crd.path("spec").has("versions")) return;
    String group = crd.path("spec").path("group").asText();
    String plural = crd.path("spec").path("names").path("plural").asText();
    boolean deleted = method.equals("DELETE") && !crd.path("metadata").has("deletionTimestamp");
    for (JsonNode version : crd.path("spec").path("versions")) {
      String key = group + "/" + version.path("name").asText() + "/" + plural;
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      if (deleted || !schema.isObject()) {
        customKinds.remove(key);
        continue;
      }
      customKinds.put(key, new CustomKind(crd.path("spec").path("names").path("kind").asText(), CrdSchema.of(schema),
          version.path("subresources").has("status")));
    }
  }

  private static String compileProblem(ObjectNode crd) {
    for (JsonNode version : crd.path("spec").path("versions")) {
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      if (!schema.isObject()) continue;
      try {
        CrdSchema.of(schema);
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    }
    return null;
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  private ObjectNode stored(ApiPath path) {
    MockResponse current = handleGet(path.objectPath());
    return current.code() == 200 ? readObject(current.getBody().readUtf8()) : null;
  }

  private static RecordedRequest rewritten(RecordedRequest request, HttpMethod method, String path, ObjectNode body) {
    Headers.Builder headers = request.getHeaders().newBuilder();
    headers.set("Content-Type", "application/json");
    int q = request.getPath().indexOf('?');
    String target = path.contains("?") || q < 0 ? path : path + request.getPath().substring(q);
    return new RecordedRequest("HTTP/1.1", method, target, headers.build(),
        new Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static MockResponse withWarnings(MockResponse response, List<String> warnings) {
    return response.code() / 100 == 2 ? warn(response, warnings) : response;
  }

  private static MockResponse warn(MockResponse response, List<String> warnings) {
    for (String w : warnings) response.addHeader("Warning", "299 - " + FieldError.quote(w));
    return response;
  }

  private static ObjectNode readObject(String json) {
    return readTree(json) instanceof ObjectNode o ? o : null;
  }

  private static JsonNode readTree(String json) {
    try {
      return json == null || json.isBlank() ? null : JSON.readTree(json);
    } catch (Exception e) {
      return null;
    }
  }
}
