package io.konnectreplay.operator.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A resource request's path, read as the API server routes it: {@code /api/v1/namespaces/ns/secrets/name} or
 * {@code /apis/group/version/namespaces/ns/plural/name/status}, and its query parameters. {@code group} is "" for the
 * core API.
 */
record ApiPath(String group, String version, String namespace, String resource, String name, String subresource,
    Map<String, String> query) {

  static Optional<ApiPath> parse(String path) {
    int q = path.indexOf('?');
    String bare = q < 0 ? path : path.substring(0, q);
    Map<String, String> query = new LinkedHashMap<>();
    if (q >= 0) {
      for (String param : path.substring(q + 1).split("&")) {
        if (param.isEmpty()) continue;
        int eq = param.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8);
        query.put(key, eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    List<String> parts = List.of(bare.replaceAll("^/+|/+$", "").split("/"));
    String group;
    String version;
    List<String> rest;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      version = parts.get(1);
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      version = parts.get(2);
      rest = parts.subList(3, parts.size());
    } else {
      return Optional.empty();
    }
    String namespace = null;
    boolean namespaceObject = group.isEmpty() && rest.get(0).equals("namespaces")
        && (rest.size() <= 2 || (rest.size() == 3 && List.of("status", "finalize").contains(rest.get(2))));
    if (rest.get(0).equals("namespaces") && rest.size() >= 3 && !namespaceObject) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.size() > 3) return Optional.empty();
    return Optional.of(new ApiPath(group, version, namespace, rest.get(0), rest.size() > 1 ? rest.get(1) : null,
        rest.size() > 2 ? rest.get(2) : null, query));
  }

  boolean isStatus() { return "status".equals(subresource); }

  /** The object's path without subresource or query. */
  String objectPath() {
    return collectionPath() + "/" + name;
  }

  /** The collection the object belongs to. */
  String collectionPath() {
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource;
  }

  /** {@code plural.group} as in the API server's messages ({@code auditlogreplayjobs.konnectreplay.io}, {@code secrets}). */
  String groupResource() {
    return group.isEmpty() ? resource : resource + "." + group;
  }
}
