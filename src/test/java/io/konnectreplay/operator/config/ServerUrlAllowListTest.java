package io.konnectreplay.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The allow-list matches the parsed URL (scheme, host, port), never the raw string. */
class ServerUrlAllowListTest {

  static final ServerUrlAllowList DEFAULT = ServerUrlAllowList.parse(OperatorSettings.DEFAULT_ALLOWED_SERVER_URLS);

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "https://us.api.konghq.com, true",
      "https://eu.api.konghq.com/, true",
      "https://US.API.KONGHQ.COM, true",
      "https://us.api.konghq.com:443, true",
      "https://a.b.api.konghq.com, true",
      "https://api.konghq.com, false",
      "http://us.api.konghq.com, false",
      "https://us.api.konghq.com:8443, false",
      "https://us.api.konghq.com.evil.example, false",
      "https://evilapi.konghq.com, false",
      "https://us.api.konghq.com@evil.example, false",
      "https://user:pw@us.api.konghq.com, false",
      "https://us.api.konghq.com?x=1, false",
      "https://us.api.konghq.com#frag, false",
      "https://evil.example/us.api.konghq.com, false",
      "ftp://us.api.konghq.com, false",
      "us.api.konghq.com, false",
  })
  void defaultAllowListAdmitsOnlyKonnectHosts(String url, boolean allowed) {
    assertThat(DEFAULT.check(url).isPresent()).isEqualTo(allowed);
  }

  @ParameterizedTest(name = "{0} allowed by {1} → {2}")
  @CsvSource({
      "http://127.0.0.1:8081/us, http://127.0.0.1:*, true",
      "http://127.0.0.1/us, http://127.0.0.1:*, true",
      "http://127.0.0.1:8081, http://127.0.0.1:8081, true",
      "http://127.0.0.1:8082, http://127.0.0.1:8081, false",
      "https://127.0.0.1:8081, http://127.0.0.1:*, false",
      "http://localhost:8081, http://127.0.0.1:*, false",
      "https://konnect.internal.example, https://konnect.internal.example, true",
      "https://konnect.internal.example:444, https://konnect.internal.example, false",
  })
  void customPatterns(String url, String patterns, boolean allowed) {
    assertThat(ServerUrlAllowList.parse(patterns).check(url).isPresent()).isEqualTo(allowed);
  }

  @ParameterizedTest
  @CsvSource({"us.api.konghq.com", "https://*.api.konghq.com/v2", "ftp://x.example", "https://x.example:port"})
  void malformedPatternsAreRejectedAtStartup(String pattern) {
    assertThatThrownBy(() -> ServerUrlAllowList.parse(pattern)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"http://127.0.0.1:8081/us/, http://127.0.0.1:8081/us", "https://US.api.konghq.com, https://us.api.konghq.com"})
  void normalizedFormKeepsThePathPrefixAndLowercasesTheHost(String url, String normalized) {
    assertThat(ServerUrlAllowList.normalize(url)).hasValueSatisfying(u -> assertThat(u).hasToString(normalized));
  }
}
