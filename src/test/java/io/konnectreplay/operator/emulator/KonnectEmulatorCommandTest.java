package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KonnectEmulatorCommandTest {
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";

  @Test
  void parsesEveryOption() {
    EmulatorCommand.Options o = EmulatorCommand.parse(new String[] {"--port", "0", "--token", "kpat_x",
        "--portal", "eu/" + PORTAL, "--timings", "fast"});

    assertThat(o.port()).isZero();
    assertThat(o.token()).isEqualTo("kpat_x");
    assertThat(o.portals()).singleElement().satisfies(p -> assertThat(p).containsExactly("eu", PORTAL));
    assertThat(o.timings()).isEqualTo(JobTimings.fast());
  }

  @Test
  void generatesATokenAndDefaultsToDemoTimings() {
    EmulatorCommand.Options o = EmulatorCommand.parse(new String[0]);

    assertThat(o.token()).startsWith("kpat_");
    assertThat(o.timings()).isEqualTo(JobTimings.demo());
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> EmulatorCommand.parse(new String[] {"--port"})).isInstanceOf(
        CommandLine.ParameterException.class);
    assertThatThrownBy(() -> EmulatorCommand.parse(new String[] {"--port", "x"})).isInstanceOf(
        CommandLine.ParameterException.class);
    assertThatThrownBy(() -> EmulatorCommand.parse(new String[] {"--portal", "eu"})).isInstanceOf(
        CommandLine.ParameterException.class);
    assertThatThrownBy(() -> EmulatorCommand.parse(new String[] {"--timings", "slow"})).isInstanceOf(
        CommandLine.ParameterException.class);
    assertThatThrownBy(() -> EmulatorCommand.parse(new String[] {"--verbose"})).isInstanceOf(
        CommandLine.ParameterException.class);
  }

  @Test
  void startsWithThePortalsAndPrintsUrlsAndToken() {
    EmulatorCommand.Options o = EmulatorCommand.parse(new String[] {"--token", "kpat_x", "--portal", "eu/" + PORTAL});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (KonnectEmulator konnect = EmulatorCommand.start(o, new FakeReplayDelivery())) {
      EmulatorCommand.print(konnect, o, new PrintStream(out, true, StandardCharsets.UTF_8));

      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(printed).contains(konnect.regionUrl("eu").toString()).contains("kpat_x").contains(PORTAL);
      assertThat(new EmulatorClient(konnect.baseUrl(), "kpat_x")
          .get("/eu/v2/portals/" + PORTAL + "/audit-log-replay-job").status()).isEqualTo(200);
    }
  }
}
