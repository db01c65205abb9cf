package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true) // read tolerantly: see TolerantReadTest
public class SecretKeyRef {

  public static final String DEFAULT_KEY = "token";

  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @Size(max = 253)
  @JsonPropertyDescription("Name of the Secret in the resource's namespace (references to other namespaces are not supported).")
  private String name;

  @Default(DEFAULT_KEY)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @Size(max = 253)
  @JsonPropertyDescription("Key in the Secret's data that holds the token. Defaults to \"token\".")
  private String key;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getKey() { return key; }
  public void setKey(String key) { this.key = key; }

  public String keyOrDefault() { return key == null || key.isEmpty() ? DEFAULT_KEY : key; }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof SecretKeyRef that)) return false;
    return Objects.equals(name, that.name) && Objects.equals(key, that.key);
  }

  @Override
  public int hashCode() { return Objects.hash(name, key); }
}
