package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.konnectreplay.operator.emulator.AuditLogSigner.Format;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Kong's published audit-log examples (JSON, CEF and a portal event) parse; their signatures are illustrative and do not verify. */
class AuditLogLineTest {

  static final String DOCUMENTED_JWKS = "{\"keys\":[{\"kty\":\"OKP\",\"alg\":\"EdDSA\","
      + "\"kid\":\"3f60bc4376c937154f3c004ebd180433ac0d03e6\",\"crv\":\"Ed25519\","
      + "\"x\":\"XWxGtApfcqmKI7p0OKnF5JSEWMVoLsytFXLEP7xZ_l8\"}]}";

  static final String DOCUMENTED_ORG_CEF = "2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|"
      + "Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true "
      + "org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 "
      + "trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4 "
      + "sig=KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ";

  static final String DOCUMENTED_PORTAL_CEF = "2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|"
      + "AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=1750688927556 src=172.71.232.22 "
      + "request=/api/v2/developer/authenticate success=true org_id=998db3e4-… portal_id=3e551b39-… "
      + "principal_id=a3d2699a-… trace_id=3360194145499877252 user_agent= sig=XQC3OSFx…";

  static final String DOCUMENTED_JSON = "{\"action\":\"read\",\"cef_version\":\"0\",\"event_class_id\":\"identity\","
      + "\"event_product\":\"Konnect\",\"event_ts\":\"2023-04-28T20:52:09Z\",\"event_vendor\":\"KongInc\","
      + "\"event_version\":\"1.0\",\"granted\":true,\"name\":\"Authz.identity-provider\","
      + "\"org_id\":\"b065b594-6afc-4658-9101-5d9cf3f36b7b\",\"principal_id\":\"87655c36-8d63-48fe-9a1e-53b28dfbc19b\","
      + "\"rt\":1682715129807,\"severity\":1,\"src\":\"127.0.0.6\",\"trace_id\":3895213347334635099,"
      + "\"user_agent\":\"grpc-go/1.54.0\","
      + "\"sig\":\"Jm73seSwAiacSBysDmgQ3D_R_1c39_T0Iuus9GqUEnAjCc-UnyKhFgS8jDx5UIl4J6PTCH5ouuPizwnjnMDECg\"}";

  @Test
  void documentedOrgCefExampleParses() {
    AuditLogLine line = AuditLogLine.parse(DOCUMENTED_ORG_CEF);

    assertThat(line.format()).isEqualTo(Format.CEF);
    assertThat(line.fields())
        .containsEntry("event_ts", "2025-06-18T21:02:36Z")
        .containsEntry("host", "konghq.com")
        .containsEntry("cef_version", "0")
        .containsEntry("event_vendor", "KongInc")
        .containsEntry("event_product", "Konnect")
        .containsEntry("event_version", "1.0")
        .containsEntry("event_class_id", "konnect")
        .containsEntry("name", "Authz.control-planes")
        .containsEntry("severity", "1")
        .containsEntry("action", "list")
        .containsEntry("granted", "true")
        .containsEntry("user_agent", "grpc-node-js/1.12.4")
        .containsEntry("sig", "KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ");
    assertThat(line.eventId()).isEqualTo("3959872677347089807");
    assertThat(line.eventTime()).isEqualTo(Instant.ofEpochMilli(1750280466889L));
    assertThat(line.target()).isEqualTo("org:777db3e4-5cb7-4dd5-b51c-9878096a6999");
    // the documented signatures are illustrative.
    assertThat(AuditLogSigner.verifyLine(DOCUMENTED_ORG_CEF, DOCUMENTED_JWKS)).isFalse();
  }

  @Test
  void documentedPortalCefExampleParsesWithAnEmptyUserAgent() {
    AuditLogLine line = AuditLogLine.parse(DOCUMENTED_PORTAL_CEF);

    assertThat(line.fields())
        .containsEntry("event_product", "Dev-Portal")
        .containsEntry("event_class_id", "AUTHENTICATION_TYPE_BASIC")
        .containsEntry("name", "AUTHENTICATION_OUTCOME_SUCCESS")
        .containsEntry("severity", "0")
        .containsEntry("request", "/api/v2/developer/authenticate")
        .containsEntry("success", "true")
        .containsEntry("user_agent", "")
        .containsEntry("sig", "XQC3OSFx…");
    assertThat(line.target()).isEqualTo("portal:3e551b39-…");
    assertThat(AuditLogSigner.verifyLine(DOCUMENTED_PORTAL_CEF, DOCUMENTED_JWKS)).isFalse();
  }

  @Test
  void cefValuesMayContainSpaces() {
    AuditLogLine line = AuditLogLine.parse("2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|KongGateway|"
        + "Ingress|1|rt=1 user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges) query=a\\=1 trace_id=7");

    assertThat(line.fields())
        .containsEntry("user_agent", "grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)")
        .containsEntry("query", "a=1")
        .containsEntry("trace_id", "7");
  }

  @Test
  void syslogStyleTimestampsAreKept() {
    AuditLogLine line = AuditLogLine.parse("Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|"
        + "trace_id=1");

    assertThat(line.get("event_ts")).isEqualTo("Apr 14 05:39:08");
    assertThat(line.eventTime()).isNull();
  }

  @Test
  void documentedJsonExampleParsesWithANumericTraceId() {
    AuditLogLine line = AuditLogLine.parse(DOCUMENTED_JSON);

    assertThat(line.format()).isEqualTo(Format.JSON);
    assertThat(line.eventId()).isEqualTo("3895213347334635099");
    assertThat(line.eventTime()).isEqualTo(Instant.ofEpochMilli(1682715129807L));
    assertThat(line.get("granted")).isEqualTo("true");
    assertThat(AuditLogSigner.split(DOCUMENTED_JSON).signedText()).endsWith("\"user_agent\":\"grpc-go/1.54.0\"}");
    assertThat(AuditLogSigner.verifyLine(DOCUMENTED_JSON, DOCUMENTED_JWKS)).isFalse();
  }

  @Test
  void cpsIsDetectedAndUnwrapped() {
    AuditLogLine line = AuditLogLine.parse("{\"event\":" + DOCUMENTED_JSON + "}");

    assertThat(line.format()).isEqualTo(Format.CPS);
    assertThat(line.eventId()).isEqualTo("3895213347334635099");
    assertThat(line.get("name")).isEqualTo("Authz.identity-provider");
  }

  @Test
  void garbageIsRefused() {
    assertThatThrownBy(() -> AuditLogLine.parse("hello")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditLogLine.parse("{\"a\":")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AuditLogLine.parse("x konghq.com CEF:0|KongInc|Konnect"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
