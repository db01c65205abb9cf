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
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("Which target to watch (region and optional portalID), how to reach Konnect, how often to read "
    + "the webhook status, how much to widen every gap, and how many finished replays to keep.")
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class AuditLogReplayPolicySpec extends LenientlyRead {

  public static final String DEFAULT_CHECK_INTERVAL = "1m";
  public static final String DEFAULT_MARGIN = "5m";

  @Required
  @Pattern("^[a-z]{2}$")
  @JsonPropertyDescription("Konnect region whose webhook is watched: us, eu, au, me, in or sg "
      + "(the operator's KONNECT_REGIONS setting decides which are accepted).")
  private String region;

  @Pattern(AuditLogReplayJobSpec.UUID_PATTERN)
  @JsonPropertyDescription("ID (uuid) of the Dev Portal whose webhook is watched. "
      + "Omit it to watch the organization's audit-log webhook for the region.")
  private String portalID;

  @Required
  @JsonPropertyDescription("How to reach Konnect: the Secret holding the API token, and optionally the server URL. "
      + "The replays the policy creates use the same.")
  private KonnectSettings konnect;

  @Default(DEFAULT_CHECK_INTERVAL)
  @Pattern(ReplayWindow.DURATION_PATTERN)
  @Size(max = 20)
  @ValidationRule(value = "duration(self) >= duration('10s') && duration(self) <= duration('1h')",
      message = "checkInterval must be between 10s and 1h")
  @JsonPropertyDescription("How often the webhook status is read from Konnect, as a Go duration between 10s and 1h. "
      + "Defaults to 1m.")
  private String checkInterval;

  @Default(DEFAULT_MARGIN)
  @Pattern(ReplayWindow.DURATION_PATTERN)
  @Size(max = 20)
  @ValidationRule(value = "duration(self) >= duration('0s') && duration(self) <= duration('1h')",
      message = "margin must be between 0s and 1h")
  @JsonPropertyDescription("Added before and after every gap, as a Go duration between 0s and 1h (defaults to 5m). "
      + "Gaps closer together than the margin are replayed as one.")
  private String margin;

  @Default("false")
  @JsonPropertyDescription("true stops the checks and creates no replay; the time spent suspended is not healed.")
  private Boolean suspend;

  @Min(0)
  @Max(100)
  @Default("3")
  @JsonPropertyDescription("How many completed replays the policy keeps (0 to 100); older ones are deleted.")
  private Integer successfulJobsHistoryLimit;

  @Min(0)
  @Max(100)
  @Default("1")
  @JsonPropertyDescription("How many failed replays the policy keeps (0 to 100); older ones are deleted.")
  private Integer failedJobsHistoryLimit;

  public String getRegion() { return region; }
  public void setRegion(String region) { this.region = region; }
  public String getPortalID() { return portalID; }
  public void setPortalID(String portalID) { this.portalID = portalID; }
  public KonnectSettings getKonnect() { return konnect; }
  public void setKonnect(KonnectSettings konnect) { this.konnect = konnect; }
  public String getCheckInterval() { return checkInterval; }
  public void setCheckInterval(String checkInterval) { this.checkInterval = checkInterval; }
  public String getMargin() { return margin; }
  public void setMargin(String margin) { this.margin = margin; }
  public Boolean getSuspend() { return suspend; }
  public void setSuspend(Boolean suspend) { this.suspend = suspend; }
  public Integer getSuccessfulJobsHistoryLimit() { return successfulJobsHistoryLimit; }
  public void setSuccessfulJobsHistoryLimit(Integer limit) { this.successfulJobsHistoryLimit = limit; }
  public Integer getFailedJobsHistoryLimit() { return failedJobsHistoryLimit; }
  public void setFailedJobsHistoryLimit(Integer limit) { this.failedJobsHistoryLimit = limit; }

  public boolean suspended() { return Boolean.TRUE.equals(suspend); }
  public String checkIntervalOrDefault() { return blank(checkInterval) ? DEFAULT_CHECK_INTERVAL : checkInterval; }
  public String marginOrDefault() { return blank(margin) ? DEFAULT_MARGIN : margin; }
  public int successfulJobsHistoryLimitOrDefault() {
    return successfulJobsHistoryLimit == null ? 3 : successfulJobsHistoryLimit;
  }
  public int failedJobsHistoryLimitOrDefault() { return failedJobsHistoryLimit == null ? 1 : failedJobsHistoryLimit; }

  private static boolean blank(String s) { return s == null || s.isBlank(); }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof AuditLogReplayPolicySpec that)) return false;
    return Objects.equals(region, that.region) && Objects.equals(portalID, that.portalID)
        && Objects.equals(konnect, that.konnect) && Objects.equals(checkInterval, that.checkInterval)
        && Objects.equals(margin, that.margin) && Objects.equals(suspend, that.suspend)
        && Objects.equals(successfulJobsHistoryLimit, that.successfulJobsHistoryLimit)
        && Objects.equals(failedJobsHistoryLimit, that.failedJobsHistoryLimit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(region, portalID, konnect, checkInterval, margin, suspend, successfulJobsHistoryLimit,
        failedJobsHistoryLimit);
  }
}
