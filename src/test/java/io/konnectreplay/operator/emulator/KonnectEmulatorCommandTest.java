package io.konnectreplay.operator.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.konnectreplay.operator.emulator.EmulatorClient.Answer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KonnectEmulatorCommandTest {
  static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";

  @Test
  void parsesEveryOption() {
    EmulatorCommand.Options o = EmulatorCommand.parse(new String[] {"--port", "0", "--token", "kpat_x",
        "--portal", "eu/" + PORTAL, "--timings", "fast", "--no-sink", "--sink-port", "0", "--live-interval", "2s",
        "--event-interval", "1s", "--inactive-after", "5"});

    assertThat(o.port()).isZero();
    assertThat(o.token()).isEqualTo("kpat_x");
    assertThat(o.portals()).singleElement().satisfies(p -> assertThat(p).containsExactly("eu", PORTAL));
    assertThat(o.timings()).isEqualTo(JobTimings.fast());
    assertThat(o.sink()).isFalse();
    assertThat(o.liveInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.eventInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(o.inactiveAfter()).isEqualTo(5);
    assertThat(EmulatorCommand.parse(new String[] {"--live-interval", "off"}).liveInterval()).isNull();
  }

  @Test
  void defaultsAreAStandaloneKonnect() {
    EmulatorCommand.Options o = EmulatorCommand.parse(new String[0]);

    assertThat(o.token()).startsWith("kpat_");
    assertThat(o.timings()).isEqualTo(JobTimings.demo());
    assertThat(o.portals()).isEmpty();
    assertThat(o.sink()).isTrue();
    assertThat(o.liveInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.eventInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.inactiveAfter()).isEqualTo(3);
  }

  @Test
  void rejectsBadArguments() {
    for (String[] args : List.of(new String[] {"--port"}, new String[] {"--port", "x"},
        new String[] {"--portal", "eu"}, new String[] {"--timings", "slow"}, new String[] {"--verbose"},
        new String[] {"--live-interval", "0s"}, new String[] {"--event-interval", "soon"},
        new String[] {"--inactive-after", "0"})) {
      assertThatThrownBy(() -> EmulatorCommand.parse(args)).as(Arrays.toString(args))
          .isInstanceOf(CommandLine.ParameterException.class);
    }
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    String help = EmulatorCommand.usage();

    // each option's text: from its line to the next option's line
    String options = help.substring(help.indexOf("\n  -"));
    List<String> blocks = Arrays.stream(options.split("\n(?=  -|      --)")).map(String::strip)
        .filter(b -> !b.isEmpty()).toList();
    CommandLine spec = new CommandLine(new EmulatorCommand());
    for (CommandLine.Model.OptionSpec option : spec.getCommandSpec().options()) {
      if (option.usageHelp()) {
        continue;
      }
      String shown = option.negatable() ? option.longestName().replace("--", "--[no-]") : option.longestName();
      assertThat(blocks).as(shown + " in\n" + help).filteredOn(b -> b.startsWith(shown + "=") || b.startsWith(shown + " ")).singleElement()
          .satisfies(b -> assertThat(b).containsIgnoringCase("default"));
    }
    assertThat(help).contains("--[no-]sink", "--live-interval", "--event-interval", "--inactive-after",
        "--sink-port", "--portal", "--token", "--timings", "--port");
  }

  @Test
  void withPortalsOnlyThoseExistAndTheyArePrinted() {
    EmulatorCommand.Options o = EmulatorCommand.parse(new String[] {"--token", "kpat_x", "--portal", "eu/" + PORTAL,
        "--no-sink", "--live-interval", "off"});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (EmulatorCommand.Running running = EmulatorCommand.start(o, new FakeReplayDelivery())) {
      KonnectEmulator konnect = running.emulator();
      EmulatorCommand.print(running, o, new PrintStream(out, true, StandardCharsets.UTF_8));

      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(printed).contains(konnect.regionUrl("eu").toString()).contains("kpat_x").contains(PORTAL);
      EmulatorClient client = new EmulatorClient(konnect.baseUrl(), "kpat_x");
      assertThat(client.get("/eu/v2/portals/" + PORTAL + "/audit-log-replay-job").status()).isEqualTo(200);
      assertThat(client.get("/eu/v2/portals/" + UUID.randomUUID() + "/audit-log-replay-job").status())
          .isEqualTo(404);
      assertThat(running.sink()).isNull();
      assertThat(client.get("/eu/v3/audit-log-webhook/status").json().get("webhook_status").asText())
          .isEqualTo("unconfigured");
    }
  }

  @Test
  void standaloneAnUnknownPortalIsKnownAndACurlStyleReplayCompletesIntoTheSink() {
    EmulatorCommand.Options o = EmulatorCommand.parse(new String[] {"--token", "kpat_x", "--timings", "fast",
        "--event-interval", "1m", "--live-interval", "off"});
    AuditLogSigner signer = AuditLogSigner.generate();
    SyntheticAuditLog log = new SyntheticAuditLog(Clock.systemUTC(), o.eventInterval(), 0L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (EmulatorCommand.Running running = EmulatorCommand.start(o, new SignedWebhookDelivery(log, signer))) {
      EmulatorCommand.print(running, o, new PrintStream(out, true, StandardCharsets.UTF_8));
      assertThat(out.toString(StandardCharsets.UTF_8)).contains(running.defaultPortal())
          .contains(running.sink().url().toString()).contains("curl -s -X PUT").contains("Live:  off");
      EmulatorClient client = new EmulatorClient(running.emulator().baseUrl(), "kpat_x");
      String portal = UUID.randomUUID().toString();
      String job = "/us/v3/portals/" + portal + "/audit-log-replay-job";
      Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1));
      Instant start = end.minus(Duration.ofHours(1));

      Answer webhook = client.get("/us/v3/portals/" + portal + "/audit-log-webhook");
      assertThat(webhook.status()).isEqualTo(200);
      assertThat(webhook.json().get("enabled").asBoolean()).isTrue();
      assertThat(client.putWindow(job, start, end).status()).isEqualTo(202);

      await().atMost(Duration.ofSeconds(10)).until(() -> client.get(job).json().get("status").asText(),
          s -> s.equals("completed") || s.equals("failed"));
      assertThat(client.get(job).json().get("status").asText()).isEqualTo("completed");
      long expected = log.count("us", portal, start, end);
      assertThat(expected).isBetween(59L, 61L);
      assertThat(running.sink().countVerifiedBetween("portal:" + portal, start, end)).isEqualTo(expected);
      assertThat(running.sink().rejected()).isZero();
      Answer status = client.get("/us/v3/portals/" + portal + "/audit-log-webhook/status");
      assertThat(status.json().get("webhook_status").asText()).isEqualTo("active");
      assertThat(status.json().get("last_response_code").asInt()).isEqualTo(200);
      // the printed default portal exists too, and a non-uuid is still unknown
      assertThat(running.emulator().portals("us")).contains(running.defaultPortal(), portal);
      assertThat(client.get("/us/v3/portals/not-a-uuid/audit-log-replay-job").status()).isEqualTo(404);
    }
  }
}
