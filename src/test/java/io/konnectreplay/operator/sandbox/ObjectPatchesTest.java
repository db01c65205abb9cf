package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The patch kinds as the API server applies them, and how the embedded API reads a request's path. */
class ObjectPatchesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "null deletes, maps merge | {'a':1,'m':{'x':1,'y':2}} | {'a':null,'m':{'y':3}} | {'m':{'x':1,'y':3}}",
      "lists are replaced, not appended | {'l':[1,2]} | {'l':[3]} | {'l':[3]}",
      "a scalar replaces a map | {'m':{'x':1}} | {'m':'s'} | {'m':'s'}"})
  void mergePatchIsRfc7386(String name, String target, String patch, String result) {
    assertThat(ObjectPatches.mergePatch(json(target), json(patch))).isEqualTo(json(result));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "maps merge, null deletes | {'data':{'a':'1','b':'2'}} | {'data':{'b':null,'c':'3'}} | {'data':{'a':'1','c':'3'}}",
      "$patch replace | {'data':{'a':'1'}} | {'data':{'$patch':'replace','c':'3'}} | {'data':{'c':'3'}}",
      "$patch delete | {'data':{'a':'1'},'k':1} | {'data':{'$patch':'delete'}} | {'k':1}",
      "$retainKeys | {'s':{'a':1,'b':2}} | {'s':{'$retainKeys':['b','c'],'c':3}} | {'s':{'b':2,'c':3}}",
      "finalizers merge as a set | {'metadata':{'finalizers':['a','b']}} | {'metadata':{'finalizers':['b','c'],"
          + "'$setElementOrder/finalizers':['a','b','c']}} | {'metadata':{'finalizers':['a','b','c']}}",
      "$deleteFromPrimitiveList | {'metadata':{'finalizers':['a','b']}} | "
          + "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}} | {'metadata':{'finalizers':['b']}}",
      "ownerReferences by uid | {'metadata':{'ownerReferences':[{'uid':'1','name':'a'},{'uid':'2','name':'b'}]}} | "
          + "{'metadata':{'ownerReferences':[{'uid':'2','name':'c'},{'uid':'1','$patch':'delete'}]}} | "
          + "{'metadata':{'ownerReferences':[{'uid':'2','name':'c'}]}}",
      "other lists are replaced | {'spec':{'finalizers':['kubernetes']}} | {'spec':{'finalizers':[]}} | "
          + "{'spec':{'finalizers':[]}}"})
  void strategicMergeForBuiltInKinds(String name, String target, String patch, String result) {
    assertThat(ObjectPatches.strategicMerge(json(target), json(patch))).isEqualTo(json(result));
  }

  @Test
  void applyRemovesWhatTheSameManagerNoLongerAppliesUnlessAnotherApplierOwnsIt() {
    ObjectNode current = (ObjectNode) json("{'metadata':{'name':'x','labels':{'a':'1','b':'2'}},"
        + "'spec':{'region':'us','rerunNonce':'1','suspend':true,'backoffLimit':3}}");
    ObjectNode before = (ObjectNode) json("{'metadata':{'name':'x','labels':{'a':'1'}},"
        + "'spec':{'region':'us','rerunNonce':'1','suspend':true}}");
    ObjectNode now = (ObjectNode) json("{'metadata':{'name':'x'},'spec':{'region':'eu'}}");
    ObjectNode otherApplier = ObjectPatches.fieldSet(json("{'spec':{'suspend':true}}"));

    ObjectNode result = ObjectPatches.apply(current, now, ObjectPatches.fieldSet(before), List.of(otherApplier));

    assertThat(result).isEqualTo(json("{'metadata':{'name':'x','labels':{'b':'2'}},"
        + "'spec':{'region':'eu','suspend':true,'backoffLimit':3}}"));
    assertThat(ObjectPatches.fieldSet(before)).isEqualTo(json("{'f:metadata':{'f:labels':{'f:a':{}}},"
        + "'f:spec':{'f:region':{},'f:rerunNonce':{},'f:suspend':{}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "/api/v1/namespaces/ns/secrets/s?fieldManager=kubectl | core | ns | secrets | s | -",
      "/api/v1/namespaces/tenant | core | - | namespaces | tenant | -",
      "/api/v1/namespaces/tenant/status | core | - | namespaces | tenant | status",
      "/apis/konnectreplay.io/v1alpha1/namespaces/ns/auditlogreplayjobs/j/status | konnectreplay.io | ns "
          + "| auditlogreplayjobs | j | status",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions | apiextensions.k8s.io | - "
          + "| customresourcedefinitions | - | -"})
  void pathsAreReadAsTheApiServerRoutesThem(String path, String group, String namespace, String resource, String name,
      String subresource) {
    ApiPath parsed = ApiPath.parse(path).orElseThrow();
    assertThat(parsed.group()).isEqualTo(group.equals("core") ? "" : group);
    assertThat(parsed.namespace()).isEqualTo(namespace);
    assertThat(parsed.resource()).isEqualTo(resource);
    assertThat(parsed.name()).isEqualTo(name);
    assertThat(parsed.subresource()).isEqualTo(subresource);
  }

  @Test
  void queriesAreDecoded() {
    assertThat(ApiPath.parse("/api/v1/namespaces/ns/secrets/s?fieldManager=kubectl&fieldValidation=Strict")
        .orElseThrow().query()).containsEntry("fieldManager", "kubectl").containsEntry("fieldValidation", "Strict");
    assertThat(ApiPath.parse("/version")).isEmpty();
  }
}
