package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class KonnectSettings {

  @Required
  @JsonPropertyDescription("The Secret, in the same namespace, that holds the Konnect personal (kpat_) or "
      + "system-account (spat_) access token.")
  private SecretKeyRef authRef;

  @Pattern("^https?://[^\\s]+$")
  @Size(max = 253)
  @JsonPropertyDescription("Konnect API server, for example https://eu.api.konghq.com. Defaults to the operator's "
      + "KONNECT_SERVER_URL_TEMPLATE for the region and must match its KONNECT_ALLOWED_SERVER_URLS.")
  private String serverURL;

  public KonnectSettings() {}

  public KonnectSettings(SecretKeyRef authRef, String serverURL) {
    this.authRef = authRef;
    this.serverURL = serverURL;
  }

  public SecretKeyRef getAuthRef() { return authRef; }
  public void setAuthRef(SecretKeyRef authRef) { this.authRef = authRef; }
  public String getServerURL() { return serverURL; }
  public void setServerURL(String serverURL) { this.serverURL = serverURL; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof KonnectSettings that)) return false;
    return Objects.equals(authRef, that.authRef) && Objects.equals(serverURL, that.serverURL);
  }

  @Override
  public int hashCode() { return Objects.hash(authRef, serverURL); }
}
