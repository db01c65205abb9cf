package io.konnectreplay.operator.emulator;

import io.konnectreplay.operator.config.CommandLineTypes;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar … emulator [--port N] [--token T] [--portal region/uuid]… [--timings fast|demo]}: runs the Konnect
 * emulator alone until the process is killed, and prints the server URLs and the token to use.
 */
@Command(name = "emulator", sortOptions = false, showDefaultValues = true,
    description = "Run the Konnect emulator alone until the process is killed; prints its URLs and the token to use.")
public final class EmulatorCommand implements Callable<Integer> {

  /** How long the emulator's replay jobs take. */
  enum Timings { fast, demo }

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
  @Option(names = "--port", paramLabel = "N", defaultValue = "0", converter = CommandLineTypes.Port.class,
      description = "port to listen on (0: any free port)")
  int port;
  @Option(names = "--token", paramLabel = "T", description = "the token it accepts (default: a random kpat_ token)")
  String token;
  @Option(names = "--portal", paramLabel = "REGION/UUID", converter = PortalConverter.class,
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description = "a portal that exists, with its region; repeat for more")
  List<Portal> portals = new ArrayList<>();
  @Option(names = "--timings", paramLabel = "fast|demo", defaultValue = "demo",
      description = "replay jobs take a few hundred ms (fast) or a few seconds (demo)")
  Timings timings;

  /** Parsed command line. */
  record Options(int port, String token, List<String[]> portals, JobTimings timings) {}

  @Override
  public Integer call() throws InterruptedException {
    Options options = options();
    KonnectEmulator emulator = start(options, defaultDelivery());
    print(emulator, options, System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      emulator.close();
      stopped.countDown();
    }, "konnect-emulator-shutdown"));
    stopped.await();
    return 0;
  }

  Options options() {
    String t = token;
    if (t == null) {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      t = "kpat_emulator" + HexFormat.of().formatHex(random);
    }
    return new Options(port, t, portals.stream().map(p -> new String[] {p.region(), p.id()}).toList(), timings == Timings.fast ? JobTimings.fast() : JobTimings.demo());
  }

  /** Parses a command line as the jar does; a refused one is a {@link CommandLine.ParameterException}. */
  static Options parse(String[] args) {
    EmulatorCommand command = new EmulatorCommand();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  /** {@code --portal region/uuid}. */
  record Portal(String region, String id) {}

  static final class PortalConverter implements CommandLine.ITypeConverter<Portal> {
    @Override
    public Portal convert(String v) {
      int slash = v.indexOf('/');
      if (slash <= 0 || slash == v.length() - 1) {
        throw new CommandLine.TypeConversionException("'" + v + "' is not region/uuid");
      }
      return new Portal(v.substring(0, slash), v.substring(slash + 1));
    }
  }

  static KonnectEmulator start(Options options, ReplayDelivery delivery) {
    KonnectEmulator emulator = KonnectEmulator.builder()
        .port(options.port())
        .token(options.token())
        .timings(options.timings())
        .delivery(delivery)
        .start();
    for (String[] portal : options.portals()) {
      emulator.addPortal(portal[0], portal[1]);
    }
    return emulator;
  }

  static void print(KonnectEmulator emulator, Options options, PrintStream out) {
    out.println("Konnect emulator listening on " + emulator.baseUrl() + " (paths without a region go to "
        + emulator.defaultRegion() + ")");
    for (String region : emulator.regions()) {
      out.println("  " + region + ": " + emulator.regionUrl(region));
    }
    for (String[] portal : options.portals()) {
      out.println("  portal " + portal[1] + " in " + portal[0]);
    }
    out.println("Token: " + options.token() + "   (Authorization: Bearer " + options.token() + ")");
    out.println("JWKS:  " + emulator.baseUrl() + "/v2/audit-log-webhook/jwks.json");
    out.flush();
  }

  /** Konnect's delivery: synthetic audit events of the last 7 days, Ed25519-signed, gzip batches, retries. */
  static ReplayDelivery defaultDelivery() {
    java.time.Clock clock = java.time.Clock.systemUTC();
    return new SignedWebhookDelivery(new SyntheticAuditLog(clock), AuditLogSigner.generate());
  }
}
