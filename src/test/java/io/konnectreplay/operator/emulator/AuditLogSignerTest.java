package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.konnectreplay.operator.emulator.AuditLogSigner.Format;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AuditLogSignerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AuditLogSigner SIGNER = AuditLogSigner.fromSeed(42L);

  static final String UNSIGNED_JSON = "{\"action\":\"read\",\"cef_version\":\"0\",\"event_class_id\":\"identity\","
      + "\"event_product\":\"Konnect\",\"event_ts\":\"2023-04-28T20:52:09Z\",\"granted\":true,"
      + "\"name\":\"Authz.identity-provider\",\"rt\":1682715129807,\"severity\":1,\"trace_id\":\"3895213347334635099\","
      + "\"user_agent\":\"grpc-go/1.54.0\"}";
  static final String UNSIGNED_CEF = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|"
      + "Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true "
      + "org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 trace_id=3959872677347089807 "
      + "user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)";

  @Test
  void jsonSigIsTheLastKeyAndCoversTheLineWithoutIt() throws Exception {
    String signed = SIGNER.signLine(UNSIGNED_JSON, "json");

    assertThat(signed).startsWith(UNSIGNED_JSON.substring(0, UNSIGNED_JSON.length() - 1) + ",\"sig\":\"").endsWith("\"}");
    JsonNode node = MAPPER.readTree(signed);
    List<String> keys = iteratorToList(node.fieldNames());
    assertThat(keys).last().isEqualTo("sig");
    String sig = node.get("sig").asText();
    assertThat(sig).hasSize(86).matches("[A-Za-z0-9_-]{86}");
    assertThat(Base64.getUrlDecoder().decode(sig)).hasSize(64);
    assertThat(AuditLogSigner.split(signed).signedText()).isEqualTo(UNSIGNED_JSON);
    assertThat(AuditLogSigner.verifyLine(signed, SIGNER.publicKey())).isTrue();
  }

  @Test
  void cefSigIsAppendedLastAndCoversTheLineWithoutIt() {
    String signed = SIGNER.signLine(UNSIGNED_CEF, "cef");

    assertThat(signed).startsWith(UNSIGNED_CEF + " sig=").matches(".* sig=[A-Za-z0-9_-]{86}");
    assertThat(AuditLogSigner.split(signed).signedText()).isEqualTo(UNSIGNED_CEF);
    assertThat(AuditLogSigner.verifyLine(signed, SIGNER.publicKey())).isTrue();
  }

  @Test
  void cpsWrapsTheSignedJsonObject() throws Exception {
    String signed = SIGNER.signLine(UNSIGNED_JSON, "cps");

    assertThat(signed).startsWith("{\"event\":{").endsWith("\"}}");
    JsonNode event = MAPPER.readTree(signed).get("event");
    assertThat(iteratorToList(event.fieldNames())).last().isEqualTo("sig");
    // The inner object is exactly the JSON line: the same sig, verifiable alone.
    assertThat(AuditLogSigner.unwrapCps(signed)).isEqualTo(SIGNER.signLine(UNSIGNED_JSON, "json"));
    assertThat(AuditLogSigner.verifyLine(signed, SIGNER.publicKey())).isTrue();
    assertThat(AuditLogSigner.verifyLine(AuditLogSigner.unwrapCps(signed), SIGNER.publicKey())).isTrue();
    // An already wrapped unsigned line gives the same result.
    assertThat(SIGNER.signLine("{\"event\":" + UNSIGNED_JSON + "}", Format.CPS)).isEqualTo(signed);
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void anyChangedByteBreaksTheSignature(Format format) {
    String signed = SIGNER.signLine(format == Format.CEF ? UNSIGNED_CEF : UNSIGNED_JSON, format);
    byte[] bytes = signed.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      byte[] changed = bytes.clone();
      // flip a low bit, keeping ASCII; '{' <-> 'z' style changes included
      changed[i] = (byte) (changed[i] ^ 0x01);
      String tampered = new String(changed, StandardCharsets.UTF_8);
      assertThat(AuditLogSigner.verifyLine(tampered, SIGNER.publicKey()))
          .as("byte %d of %s changed: %s", i, format, tampered)
          .isFalse();
    }
  }

  @Test
  void missingOrForeignSignatureDoesNotVerify() {
    assertThat(AuditLogSigner.verifyLine(UNSIGNED_JSON, SIGNER.publicKey())).isFalse();
    assertThat(AuditLogSigner.verifyLine(UNSIGNED_CEF, SIGNER.publicKey())).isFalse();
    assertThat(AuditLogSigner.verifyLine("", SIGNER.publicKey())).isFalse();
    AuditLogSigner other = AuditLogSigner.fromSeed(43L);
    assertThat(AuditLogSigner.verifyLine(other.signLine(UNSIGNED_JSON, "json"), SIGNER.publicKey())).isFalse();
    assertThat(AuditLogSigner.verifyLine(other.signLine(UNSIGNED_CEF, "cef"), SIGNER.jwksJson())).isFalse();
  }

  @Test
  void jwksRoundTrip() throws Exception {
    String jwks = SIGNER.jwksJson();

    JsonNode key = MAPPER.readTree(jwks).get("keys").get(0);
    assertThat(iteratorToList(key.fieldNames())).containsExactly("kty", "alg", "kid", "crv", "x");
    assertThat(key.get("kty").asText()).isEqualTo("OKP");
    assertThat(key.get("alg").asText()).isEqualTo("EdDSA");
    assertThat(key.get("crv").asText()).isEqualTo("Ed25519");
    assertThat(key.get("x").asText()).matches("[A-Za-z0-9_-]{43}");
    assertThat(AuditLogSigner.publicKeyFromJwks(jwks)).isEqualTo(SIGNER.publicKey());
    assertThat(AuditLogSigner.verifyLine(SIGNER.signLine(UNSIGNED_CEF, "cef"), jwks)).isTrue();
  }

  @Test
  void keyIdIsTheSha1OfTheRawPublicKey() throws Exception {
    assertThat(SIGNER.kid()).matches("[0-9a-f]{40}");
    byte[] raw = AuditLogSigner.rawKey(SIGNER.publicKey());
    assertThat(raw).hasSize(32);
    assertThat(SIGNER.kid()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(raw)));
    assertThat(AuditLogSigner.generate().kid()).isNotEqualTo(SIGNER.kid());
  }

  @Test
  void aSeedGivesTheSameKeyAndSignature() {
    AuditLogSigner again = AuditLogSigner.fromSeed(42L);
    assertThat(again.kid()).isEqualTo(SIGNER.kid());
    assertThat(again.jwksJson()).isEqualTo(SIGNER.jwksJson());
    // Ed25519 is deterministic: the same key signs the same bytes the same way.
    assertThat(again.signLine(UNSIGNED_JSON, "json")).isEqualTo(SIGNER.signLine(UNSIGNED_JSON, "json"));
  }

  @Test
  void theDocumentedJwksParses() {
    String documented = "{\"keys\":[{\"kty\":\"OKP\",\"alg\":\"EdDSA\","
        + "\"kid\":\"3f60bc4376c937154f3c004ebd180433ac0d03e6\",\"crv\":\"Ed25519\","
        + "\"x\":\"XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8\"}]}";

    assertThat(AuditLogSigner.rawKey(AuditLogSigner.publicKeyFromJwks(documented)))
        .isEqualTo(Base64.getUrlDecoder().decode("XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8"));
  }

  @Test
  void rejectsWhatCannotBeSigned() {
    assertThatThrownBy(() -> SIGNER.signLine("a\nb", "cef")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SIGNER.signLine("not json", "json")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SIGNER.signLine("{}", "xml")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditLogSigner.publicKeysFromJwks("{}")).isInstanceOf(IllegalArgumentException.class);
  }

  private static <T> List<T> iteratorToList(java.util.Iterator<T> iterator) {
    List<T> list = new java.util.ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }
}
