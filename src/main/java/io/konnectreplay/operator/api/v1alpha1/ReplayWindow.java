package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** The window of a replay: absolute (startAt/endAt) or relative (lookback), never both. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.lookback) ? !has(self.startAt) && !has(self.endAt) : has(self.startAt) && has(self.endAt)",
    message = "set either both startAt and endAt, or lookback alone: exactly one window form")
@ValidationRule(value = "!has(self.startAt) || !has(self.endAt) || timestamp(self.endAt) > timestamp(self.startAt)",
    message = "endAt must be later than startAt")
@ValidationRule(value = "!has(self.startAt) || !has(self.endAt) || timestamp(self.endAt) - timestamp(self.startAt) <= duration('167h')",
    message = "the window may span at most 167h: it is submitted once endAt has passed and must then still start within"
        + " the 7 days Konnect keeps audit logs (use lookback: 168h for everything Konnect still has)")
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class ReplayWindow {

  public static final String RFC3339_PATTERN =
      "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?"
          + "(Z|[+-](0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)$";
  public static final String DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$";

  @Pattern(RFC3339_PATTERN)
  @Size(max = 40)
  @JsonPropertyDescription("Start of the window, RFC3339 with an uppercase Z or an offset within ±18:00 (for example "
      + "2026-11-20T00:00:00Z). Use with endAt. A fraction of a second widens the window to the whole second.")
  private String startAt;

  @Pattern(RFC3339_PATTERN)
  @Size(max = 40)
  @JsonPropertyDescription("End of the window, RFC3339, later than startAt and not in the future when submitted. "
      + "A request whose endAt lies ahead waits until it has passed.")
  private String endAt;

  @Pattern(DURATION_PATTERN)
  @Size(max = 20)
  @ValidationRule(value = "duration(self) >= duration('1m') && duration(self) <= duration('168h')",
      message = "lookback must be between 1m and 168h (7 days)")
  @JsonPropertyDescription("Relative window ending a few seconds before now, as a Go duration between 1m and 168h (for "
      + "example 24h or 90m); a start older than Konnect's 7-day retention is moved to its oldest safe point, so 168h "
      + "means everything Konnect still keeps. Resolved once into status.window when first reconciled; change "
      + "rerunNonce to resolve it again.")
  private String lookback;

  public ReplayWindow() {}

  public ReplayWindow(String startAt, String endAt, String lookback) {
    this.startAt = startAt;
    this.endAt = endAt;
    this.lookback = lookback;
  }

  public static ReplayWindow absolute(String startAt, String endAt) { return new ReplayWindow(startAt, endAt, null); }
  public static ReplayWindow lookback(String lookback) { return new ReplayWindow(null, null, lookback); }

  public String getStartAt() { return startAt; }
  public void setStartAt(String startAt) { this.startAt = startAt; }
  public String getEndAt() { return endAt; }
  public void setEndAt(String endAt) { this.endAt = endAt; }
  public String getLookback() { return lookback; }
  public void setLookback(String lookback) { this.lookback = lookback; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof ReplayWindow that)) return false;
    return Objects.equals(startAt, that.startAt) && Objects.equals(endAt, that.endAt)
        && Objects.equals(lookback, that.lookback);
  }

  @Override
  public int hashCode() { return Objects.hash(startAt, endAt, lookback); }
}
