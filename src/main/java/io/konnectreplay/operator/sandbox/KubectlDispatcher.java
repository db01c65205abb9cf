package io.konnectreplay.operator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fabric8's CRUD mock as strict as an API server ({@link OptimisticCrudDispatcher}), plus what kubectl needs from
 * an API server and the mock does not answer: the discovery documents ({@code /version}, {@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/<group>/<version>}), the
 * OpenAPI index kubectl's client-side validation reads, and {@code Table} answers to {@code kubectl get} (with the
 * CRD's printer columns for custom resources, the API server's Event columns for events). Everything else goes to the
 * layer below unchanged.
 *
 * <p>Only the kinds the sandbox uses are announced: core namespaces, secrets, configmaps and events, leases, CRDs,
 * and the CRDs installed at start.
 */
public class KubectlDispatcher extends OptimisticCrudDispatcher {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json";

  /** A built-in resource the sandbox announces. */
  private record Resource(String name, String singular, String kind, boolean namespaced, List<String> shortNames) {}

  private static final List<Resource> CORE = List.of(
      new Resource("namespaces", "namespace", "Namespace", false, List.of("ns")),
      new Resource("secrets", "secret", "Secret", true, List.of()),
      new Resource("configmaps", "configmap", "ConfigMap", true, List.of("cm")),
      new Resource("events", "event", "Event", true, List.of("ev")));
  private static final Map<String, List<Resource>> BUILT_IN_GROUPS = Map.of(
      "apiextensions.k8s.io/v1", List.of(new Resource("customresourcedefinitions", "customresourcedefinition",
          "CustomResourceDefinition", false, List.of("crd", "crds"))),
      "coordination.k8s.io/v1", List.of(new Resource("leases", "lease", "Lease", true, List.of())));

  private final List<CustomResourceDefinition> crds = new ArrayList<>();
  private final Clock clock;
  private volatile String serverAddress = "127.0.0.1:0";

  public KubectlDispatcher() {
    this(Clock.systemUTC());
  }

  public KubectlDispatcher(Clock clock) {
    this.clock = clock;
  }

  /** Announces a CRD in discovery and uses its printer columns for tables. */
  public synchronized void announce(CustomResourceDefinition crd) {
    crds.add(crd);
  }

  /** host:port as clients reach it, for {@code serverAddressByClientCIDRs}. */
  void serverAddress(String hostPort) {
    this.serverAddress = hostPort;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    if (bare.length() > 1 && bare.endsWith("/")) bare = bare.substring(0, bare.length() - 1);
    if ("GET".equals(request.getMethod())) {
      ObjectNode discovery = discovery(bare);
      if (discovery != null) return json(200, discovery);
      if (bare.startsWith("/openapi/")) {
        ObjectNode openApi = openApi(bare);
        return openApi != null ? json(200, openApi)
            : status(404, "NotFound", "the sandbox serves OpenAPI v3 operations only, no schemas");
      }
    }
    if ("GET".equals(request.getMethod()) && path.contains("watch=true") && request.getHeader("Upgrade") == null) {
      return status(400, "BadRequest", "this API server streams watches over WebSocket only: use the sandbox's"
          + " kubeconfig, whose address (a proxy) streams them over HTTP too");
    }
    if ("GET".equals(request.getMethod()) && bare.endsWith("/events") && path.contains("fieldSelector=")) {
      MockResponse events = eventsOf(bare, path);
      if (events != null) return events;
    }
    String contentType = request.getHeader("Content-Type");
    if (contentType != null && contentType.contains("protobuf")) {
      return status(415, "UnsupportedMediaType", "the sandbox's API server reads JSON only: use `kubectl apply -f`"
          + " (kubectl create sends protobuf for built-in kinds)");
    }
    if ("PATCH".equals(request.getMethod()) && contentType != null && contentType.startsWith(STRATEGIC_MERGE)) {
      request = asMergePatch(request);
    }
    MockResponse response = super.dispatch(request);
    String accept = request.getHeader("Accept");
    if ("GET".equals(request.getMethod()) && accept != null && accept.contains("as=Table")
        && !path.contains("watch=true") && response.code() == 200) {
      return table(bare, response);
    }
    return response;
  }

  private static final String STRATEGIC_MERGE = "application/strategic-merge-patch+json";

  /**
   * {@code kubectl apply} patches a built-in kind (a Namespace, a Secret) with a strategic merge patch, which the mock
   * does not read. One with no lists and no {@code $} directives means the same as a JSON merge patch, so it is
   * passed on as one; any other is left as it is (and refused by the mock).
   */
  private static RecordedRequest asMergePatch(RecordedRequest request) {
    byte[] body = request.getBody().getBytes(); // reading the body consumes it: the request passed on gets a copy
    RecordedRequest unchanged = new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
        request.getHeaders(), new io.fabric8.mockwebserver.http.Buffer(body));
    JsonNode patch;
    try {
      patch = JSON.readTree(body);
    } catch (IOException e) {
      return unchanged;
    }
    if (patch == null || !plainMerge(patch)) return unchanged;
    var builder = request.getHeaders().newBuilder();
    for (String name : request.getHeaders().toMultimap().keySet()) {
      if (name.equalsIgnoreCase("Content-Type")) builder.removeAll(name);
    }
    io.fabric8.mockwebserver.http.Headers headers = builder.add("Content-Type", "application/merge-patch+json").build();
    return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), headers,
        new io.fabric8.mockwebserver.http.Buffer(body));
  }

  private static boolean plainMerge(JsonNode node) {
    if (node.isArray()) return false;
    if (!node.isObject()) return true;
    var fields = node.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      if (field.getKey().startsWith("$") || !plainMerge(field.getValue())) return false;
    }
    return true;
  }

  // ---- discovery ---------------------------------------------------------------------------------------------

  private synchronized ObjectNode discovery(String path) {
    switch (path) {
      case "/version" -> {
        ObjectNode v = JSON.createObjectNode();
        v.put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-sandbox").put("gitCommit", "sandbox")
            .put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z").put("goVersion", "none")
            .put("compiler", "none").put("platform", "sandbox/fabric8-mock");
        return v;
      }
      case "/api" -> {
        ObjectNode v = JSON.createObjectNode().put("kind", "APIVersions");
        v.putArray("versions").add("v1");
        v.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
            .put("serverAddress", serverAddress);
        return v;
      }
      case "/api/v1" -> {
        return resourceList("v1", CORE);
      }
      case "/apis" -> {
        ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        BUILT_IN_GROUPS.keySet().stream().sorted().forEach(gv -> group(groups, gv.substring(0, gv.indexOf('/')),
            List.of(gv.substring(gv.indexOf('/') + 1))));
        // One entry per group: several CRDs of a group share it (kubectl sees a kind twice otherwise).
        java.util.Map<String, java.util.LinkedHashSet<String>> versions = new java.util.LinkedHashMap<>();
        for (CustomResourceDefinition crd : crds) {
          crd.getSpec().getVersions().stream().filter(CustomResourceDefinitionVersion::getServed)
              .map(CustomResourceDefinitionVersion::getName)
              .forEach(v -> versions.computeIfAbsent(crd.getSpec().getGroup(), g -> new java.util.LinkedHashSet<>())
                  .add(v));
        }
        versions.forEach((group, served) -> group(groups, group, List.copyOf(served)));
        return list;
      }
      default -> {
        if (!path.startsWith("/apis/") || path.chars().filter(c -> c == '/').count() != 3) return null;
        String groupVersion = path.substring("/apis/".length());
        if (BUILT_IN_GROUPS.containsKey(groupVersion)) return resourceList(groupVersion,
            BUILT_IN_GROUPS.get(groupVersion));
        List<Resource> custom = new ArrayList<>();
        List<List<String>> categories = new ArrayList<>();
        for (CustomResourceDefinition crd : crds) {
          for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
            if (!groupVersion.equals(crd.getSpec().getGroup() + "/" + version.getName())) continue;
            CustomResourceDefinitionNames names = crd.getSpec().getNames();
            custom.add(new Resource(names.getPlural(), names.getSingular(), names.getKind(),
                "Namespaced".equals(crd.getSpec().getScope()),
                names.getShortNames() == null ? List.of() : names.getShortNames()));
            categories.add(names.getCategories() == null ? List.of() : names.getCategories());
          }
        }
        if (custom.isEmpty()) return null;
        ObjectNode list = resourceList(groupVersion, custom);
        ArrayNode resources = (ArrayNode) list.get("resources");
        for (int i = 0; i < custom.size(); i++) {
          ArrayNode cats = ((ObjectNode) resources.get(2 * i)).putArray("categories");
          categories.get(i).forEach(cats::add);
        }
        return list;
      }
    }
  }

  // ---- events of one object (kubectl describe) ---------------------------------------------------------------

  /**
   * The mock ignores field selectors on nested fields, so {@code kubectl describe} would find no events: answer
   * {@code fieldSelector=involvedObject.name=…,involvedObject.uid=…} by filtering the namespace's events here.
   */
  private MockResponse eventsOf(String bare, String path) {
    String query = path.substring(path.indexOf('?') + 1);
    List<String> selectors = new ArrayList<>();
    for (String param : query.split("&")) {
      if (param.startsWith("fieldSelector=")) {
        selectors.add(java.net.URLDecoder.decode(param.substring("fieldSelector=".length()),
            java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    FieldSelector selector = FieldSelector.parse(String.join(",", selectors)).orElse(null);
    if (selector == null || selector.isEmpty() || !selector.onlyUnder("involvedObject")) return null;
    MockResponse all = handleGet(bare);
    if (all.code() != 200) return all;
    try {
      ObjectNode list = (ObjectNode) JSON.readTree(new String(all.getBody().getBytes(),
          java.nio.charset.StandardCharsets.UTF_8));
      ArrayNode kept = JSON.createArrayNode();
      for (JsonNode event : list.path("items")) {
        if (selector.matches(event)) kept.add(event);
      }
      list.set("items", kept);
      list.put("kind", "EventList"); // the mock says "List", which kubectl's typed client does not take for events
      return json(200, list);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void group(ArrayNode groups, String name, List<String> versions) {
    ObjectNode group = groups.addObject().put("name", name);
    ArrayNode vs = group.putArray("versions");
    versions.forEach(v -> vs.addObject().put("groupVersion", name + "/" + v).put("version", v));
    group.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0))
        .put("version", versions.get(0));
  }

  /** An APIResourceList: each resource, then its status subresource, in that order. */
  private static ObjectNode resourceList(String groupVersion, List<Resource> resources) {
    ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", groupVersion);
    ArrayNode items = list.putArray("resources");
    for (Resource r : resources) {
      ObjectNode item = items.addObject().put("name", r.name()).put("singularName", r.singular())
          .put("namespaced", r.namespaced()).put("kind", r.kind());
      ArrayNode verbs = item.putArray("verbs");
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch").forEach(verbs::add);
      if (!r.shortNames().isEmpty()) {
        ArrayNode shortNames = item.putArray("shortNames");
        r.shortNames().forEach(shortNames::add);
      }
      ObjectNode status = items.addObject().put("name", r.name() + "/status").put("singularName", "")
          .put("namespaced", r.namespaced()).put("kind", r.kind());
      status.putArray("verbs").add("get").add("patch").add("update");
    }
    return list;
  }

  // ---- OpenAPI ----------------------------------------------------------------------------------------------

  /**
   * kubectl validates a manifest on the client unless the server's OpenAPI v3 says its PATCH takes the
   * {@code fieldValidation} parameter; then it leaves validation to the server. So the sandbox announces that
   * parameter for every kind it serves, with no schemas. The server then validates: a custom resource is admitted
   * against its CRD by {@link OptimisticCrudDispatcher}, with kubectl's {@code fieldValidation} (Strict by default).
   */
  private synchronized ObjectNode openApi(String path) {
    Map<String, List<String[]>> kinds = new java.util.TreeMap<>();
    CORE.forEach(r -> kinds.computeIfAbsent("api/v1", k -> new ArrayList<>())
        .add(new String[] {"", "v1", r.kind(), "/api/v1/" + r.name()}));
    BUILT_IN_GROUPS.forEach((gv, resources) -> resources.forEach(r -> kinds.computeIfAbsent("apis/" + gv,
        k -> new ArrayList<>()).add(new String[] {gv.substring(0, gv.indexOf('/')), gv.substring(gv.indexOf('/') + 1),
        r.kind(), "/apis/" + gv + "/" + r.name()})));
    for (CustomResourceDefinition crd : crds) {
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        String gv = crd.getSpec().getGroup() + "/" + v.getName();
        kinds.computeIfAbsent("apis/" + gv, k -> new ArrayList<>()).add(new String[] {crd.getSpec().getGroup(),
            v.getName(), crd.getSpec().getNames().getKind(), "/apis/" + gv + "/" + crd.getSpec().getNames().getPlural()});
      }
    }
    if (path.equals("/openapi/v3")) {
      ObjectNode index = JSON.createObjectNode();
      ObjectNode paths = index.putObject("paths");
      kinds.keySet().forEach(gv -> paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=sandbox"));
      return index;
    }
    if (!path.startsWith("/openapi/v3/")) return null;
    List<String[]> ofGroupVersion = kinds.get(path.substring("/openapi/v3/".length()));
    if (ofGroupVersion == null) return null;
    ObjectNode doc = JSON.createObjectNode().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes (sandbox)").put("version", "v1.32.0");
    ObjectNode paths = doc.putObject("paths");
    for (String[] k : ofGroupVersion) {
      ObjectNode patch = paths.putObject(k[3] + "/{name}").putObject("patch");
      patch.putObject("x-kubernetes-group-version-kind").put("group", k[0]).put("version", k[1]).put("kind", k[2]);
      patch.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query")
          .putObject("schema").put("type", "string");
      patch.putObject("responses").putObject("200").put("description", "OK");
    }
    // The CRDs' schemas, as an API server publishes them, so that `kubectl explain` shows the field docs.
    ObjectNode schemas = JSON.createObjectNode();
    for (CustomResourceDefinition crd : crds) {
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        String gv = crd.getSpec().getGroup() + "/" + v.getName();
        if (!path.equals("/openapi/v3/apis/" + gv) || v.getSchema() == null) continue;
        ObjectNode schema = JSON.valueToTree(v.getSchema().getOpenAPIV3Schema());
        ObjectNode properties = schema.get("properties") instanceof ObjectNode p ? p : schema.putObject("properties");
        if (!properties.has("apiVersion")) {
          properties.putObject("apiVersion").put("type", "string").put("description", "APIVersion defines the"
              + " versioned schema of this representation of an object.");
        }
        if (!properties.has("kind")) {
          properties.putObject("kind").put("type", "string").put("description", "Kind is a string value"
              + " representing the REST resource this object represents.");
        }
        if (!properties.has("metadata")) properties.putObject("metadata").put("type", "object");
        schema.putArray("x-kubernetes-group-version-kind").addObject().put("group", crd.getSpec().getGroup())
            .put("version", v.getName()).put("kind", crd.getSpec().getNames().getKind());
        String name = String.join(".", reversed(crd.getSpec().getGroup().split("\\."))) + "." + v.getName() + "."
            + crd.getSpec().getNames().getKind();
        schemas.set(name, schema);
      }
    }
    if (!schemas.isEmpty()) doc.putObject("components").set("schemas", schemas);
    return doc;
  }

  private static List<String> reversed(String[] parts) {
    List<String> list = new ArrayList<>(List.of(parts));
    java.util.Collections.reverse(list);
    return list;
  }

  // ---- tables ------------------------------------------------------------------------------------------------

  /** The list or object the mock answered, as a meta.k8s.io/v1 Table, as an API server answers kubectl get. */
  private MockResponse table(String path, MockResponse response) {
    JsonNode body;
    try {
      body = JSON.readTree(response.getBody().readUtf8());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return json(200, tableOf(path, body));
  }

  /** A list or one object of the collection at {@code path}, as a Table (also for watch events, by the proxy). */
  ObjectNode tableOf(String path, JsonNode body) {
    if (path.startsWith("/api/v1/") && (path.endsWith("/events") || path.contains("/events/"))) {
      return eventTable(body);
    }
    List<CustomResourceColumnDefinition> columns = printerColumns(path);
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    if (body.path("metadata").has("resourceVersion")) {
      metadata.set("resourceVersion", body.path("metadata").get("resourceVersion"));
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    definitions.addObject().put("name", "Name").put("type", "string").put("format", "name")
        .put("description", "Name of the resource").put("priority", 0);
    for (CustomResourceColumnDefinition c : columns) {
      definitions.addObject().put("name", c.getName()).put("type", c.getType())
          .put("format", c.getFormat() == null ? "" : c.getFormat())
          .put("description", c.getDescription() == null ? "" : c.getDescription())
          .put("priority", c.getPriority() == null ? 0 : c.getPriority());
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> objects = new ArrayList<>();
    if (body.has("items")) body.get("items").forEach(objects::add);
    else objects.add(body);
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(object.path("metadata").path("name").asText());
      for (CustomResourceColumnDefinition c : columns) {
        String value = JsonPathLite.first(object, c.getJsonPath());
        if ("date".equals(c.getType())) cells.add(value == null ? "<unknown>" : age(value));
        else if (value == null) cells.addNull();
        else cells.add(value);
      }
      ObjectNode partial = row.putObject("object").put("kind", "PartialObjectMetadata")
          .put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", object.path("metadata"));
    }
    return table;
  }

  /** The API server's columns for core Events ({@code kubectl get events}; -o wide adds those of priority 1). */
  private static final List<String[]> EVENT_COLUMNS = List.of(
      new String[] {"Last Seen", "0", "When the event was last seen"}, new String[] {"Type", "0", "Normal or Warning"},
      new String[] {"Reason", "0", "Why the event was recorded"},
      new String[] {"Object", "0", "The object the event is about"},
      new String[] {"Subobject", "1", "The field of the object"}, new String[] {"Source", "1", "Who reported it"},
      new String[] {"Message", "0", "What happened"}, new String[] {"First Seen", "1", "When first seen"},
      new String[] {"Count", "1", "How many times"}, new String[] {"Name", "1", "Name of the event"});

  private ObjectNode eventTable(JsonNode body) {
    ObjectNode table = JSON.createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    if (body.path("metadata").has("resourceVersion")) {
      metadata.set("resourceVersion", body.path("metadata").get("resourceVersion"));
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    for (String[] c : EVENT_COLUMNS) {
      definitions.addObject().put("name", c[0]).put("type", "string").put("format", c[0].equals("Name") ? "name" : "")
          .put("description", c[2]).put("priority", Integer.parseInt(c[1]));
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> events = new ArrayList<>();
    if (body.has("items")) body.get("items").forEach(events::add);
    else events.add(body);
    for (JsonNode e : events) {
      String first = e.path("firstTimestamp").asText(e.path("eventTime").asText(""));
      String last = e.path("lastTimestamp").asText("");
      if (last.isEmpty()) last = first;
      if (e.path("series").has("lastObservedTime")) last = e.path("series").path("lastObservedTime").asText();
      long count = e.path("series").has("count") ? e.path("series").path("count").asLong()
          : Math.max(1, e.path("count").asLong(1));
      JsonNode involved = e.path("involvedObject");
      String kind = involved.path("kind").asText("").toLowerCase(java.util.Locale.ROOT);
      String object = involved.path("name").asText("").isEmpty() ? kind : kind + "/" + involved.path("name").asText();
      String source = e.path("source").path("component").asText("");
      if (source.isEmpty()) source = e.path("reportingComponent").asText("");
      if (!e.path("source").path("host").asText("").isEmpty()) source += ", " + e.path("source").path("host").asText();
      ObjectNode row = rows.addObject();
      row.putArray("cells").add(last.isEmpty() ? "<unknown>" : age(last)).add(e.path("type").asText(""))
          .add(e.path("reason").asText("")).add(object).add(involved.path("fieldPath").asText(""))
          .add(source).add(e.path("message").asText("").strip()).add(first.isEmpty() ? "<unknown>" : age(first))
          .add(count).add(e.path("metadata").path("name").asText(""));
      row.putObject("object").put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1")
          .set("metadata", e.path("metadata"));
    }
    return table;
  }

  private synchronized List<CustomResourceColumnDefinition> printerColumns(String path) {
    for (CustomResourceDefinition crd : crds) {
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        String prefix = "/apis/" + crd.getSpec().getGroup() + "/" + version.getName() + "/";
        String plural = crd.getSpec().getNames().getPlural();
        if (path.startsWith(prefix) && (path.endsWith("/" + plural) || path.contains("/" + plural + "/"))
            && version.getAdditionalPrinterColumns() != null) {
          return version.getAdditionalPrinterColumns();
        }
      }
    }
    CustomResourceColumnDefinition age = new CustomResourceColumnDefinition();
    age.setName("Age");
    age.setType("date");
    age.setJsonPath(".metadata.creationTimestamp");
    return List.of(age);
  }

  /** kubectl's short age: 45s, 3m12s, 5h, 2d. */
  String age(String timestamp) {
    Duration d;
    try {
      d = Duration.between(Instant.parse(timestamp), clock.instant());
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
    if (d.isNegative()) d = Duration.ZERO;
    long s = d.toSeconds();
    if (s < 120) return s + "s";
    if (s < 600) return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    if (d.toHours() < 3) return d.toMinutes() + "m";
    if (d.toHours() < 48) return d.toHours() + "h";
    return d.toDays() + "d";
  }

  // ---- answers -----------------------------------------------------------------------------------------------

  private static MockResponse json(int code, JsonNode body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", JSON_TYPE).setBody(body.toString());
  }

  private static MockResponse status(int code, String reason, String message) {
    return json(code, statusBody(code, reason, message));
  }

  /** A failed API call's answer body, as an API server writes it (also used by {@link KubectlProxy}). */
  static ObjectNode statusBody(int code, String reason, String message) {
    return ApiStatus.body(code, reason, message);
  }
}
