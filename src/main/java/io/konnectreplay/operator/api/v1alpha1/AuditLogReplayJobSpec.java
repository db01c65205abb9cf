package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What to replay: the target (region and optional portalID), the window, and how to reach Konnect.")
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class AuditLogReplayJobSpec extends LenientlyRead {

  public static final String UUID_PATTERN =
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

  @Required
  @Pattern("^[a-z]{2}$")
  @JsonPropertyDescription("Konnect region whose audit logs are replayed: us, eu, au, me, in or sg "
      + "(the operator's KONNECT_REGIONS setting decides which are accepted).")
  private String region;

  @Pattern(UUID_PATTERN)
  @JsonPropertyDescription("ID (uuid) of the Dev Portal whose audit logs are replayed. "
      + "Omit it to replay the organization's audit logs for the region.")
  private String portalID;

  @Required
  @JsonPropertyDescription("The time window to replay: either startAt and endAt, or lookback. "
      + "Konnect keeps audit logs for 7 days, so the whole window must lie within the last 7 days.")
  private ReplayWindow window;

  @Required
  @JsonPropertyDescription("How to reach Konnect: the Secret holding the API token, and optionally the server URL.")
  private KonnectSettings konnect;

  @Default("false")
  @JsonPropertyDescription("true keeps the request from being submitted to Konnect. "
      + "Has no effect once the replay was submitted (Konnect cannot cancel a replay job).")
  private Boolean suspend;

  @Size(max = 63)
  @JsonPropertyDescription("Change this value to replay the same window again. A lookback window is resolved anew.")
  private String rerunNonce;

  @Min(0)
  @Max(5)
  @Default("0")
  @JsonPropertyDescription("How many times to resubmit the replay after Konnect reports it failed (0 to 5).")
  private Integer backoffLimit;

  public String getRegion() { return region; }
  public void setRegion(String region) { this.region = region; }
  public String getPortalID() { return portalID; }
  public void setPortalID(String portalID) { this.portalID = portalID; }
  public ReplayWindow getWindow() { return window; }
  public void setWindow(ReplayWindow window) { this.window = window; }
  public KonnectSettings getKonnect() { return konnect; }
  public void setKonnect(KonnectSettings konnect) { this.konnect = konnect; }
  public Boolean getSuspend() { return suspend; }
  public void setSuspend(Boolean suspend) { this.suspend = suspend; }
  public String getRerunNonce() { return rerunNonce; }
  public void setRerunNonce(String rerunNonce) { this.rerunNonce = rerunNonce; }
  public Integer getBackoffLimit() { return backoffLimit; }
  public void setBackoffLimit(Integer backoffLimit) { this.backoffLimit = backoffLimit; }

  public boolean suspended() { return Boolean.TRUE.equals(suspend); }
  public int backoffLimitOrDefault() { return backoffLimit == null ? 0 : backoffLimit; }
  public String rerunNonceOrEmpty() { return rerunNonce == null ? "" : rerunNonce; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof AuditLogReplayJobSpec that)) return false;
    return Objects.equals(region, that.region) && Objects.equals(portalID, that.portalID)
        && Objects.equals(window, that.window) && Objects.equals(konnect, that.konnect)
        && Objects.equals(suspend, that.suspend) && Objects.equals(rerunNonce, that.rerunNonce)
        && Objects.equals(backoffLimit, that.backoffLimit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(region, portalID, window, konnect, suspend, rerunNonce, backoffLimit);
  }
}
