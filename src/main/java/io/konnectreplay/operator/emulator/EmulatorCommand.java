package io.konnectreplay.operator.emulator;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar … emulator [--port N] [--token T] [--portal region/uuid]… [--timings fast|demo]}: runs the Konnect
 * emulator alone until the process is killed, and prints the server URLs and the token to use.
 */
public final class EmulatorCommand {

  private EmulatorCommand() {}

  /** Parsed command line. */
  record Options(int port, String token, List<String[]> portals, JobTimings timings) {}

  public static void run(String[] args) throws InterruptedException {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("emulator: " + e.getMessage());
      System.err.println(usage());
      throw e;
    }
    KonnectEmulator emulator = start(options, defaultDelivery());
    print(emulator, options, System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      emulator.close();
      stopped.countDown();
    }, "konnect-emulator-shutdown"));
    stopped.await();
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

  static Options parse(String[] args) {
    int port = 0;
    String token = null;
    List<String[]> portals = new ArrayList<>();
    JobTimings timings = JobTimings.demo();
    int i = 0;
    if (args.length > 0 && args[0].equals("emulator")) {
      i = 1;
    }
    for (; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--port" -> port = parsePort(value(args, ++i, arg));
        case "--token" -> token = value(args, ++i, arg);
        case "--portal" -> {
          String v = value(args, ++i, arg);
          int slash = v.indexOf('/');
          if (slash <= 0 || slash == v.length() - 1) {
            throw new IllegalArgumentException("--portal wants region/uuid, got " + v);
          }
          portals.add(new String[] {v.substring(0, slash), v.substring(slash + 1)});
        }
        case "--timings" -> {
          String v = value(args, ++i, arg);
          timings = switch (v) {
            case "fast" -> JobTimings.fast();
            case "demo" -> JobTimings.demo();
            default -> throw new IllegalArgumentException("--timings is fast or demo, got " + v);
          };
        }
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    if (token == null) {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      token = "kpat_emulator" + HexFormat.of().formatHex(random);
    }
    return new Options(port, token, List.copyOf(portals), timings);
  }

  private static int parsePort(String v) {
    try {
      int port = Integer.parseInt(v);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port must be 0..65535, got " + v);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port must be a number, got " + v);
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  public static String usage() {
    return "usage: emulator [--port N] [--token T] [--portal region/uuid]... [--timings fast|demo]";
  }

  /** Konnect's delivery: synthetic audit events of the last 7 days, Ed25519-signed, gzip batches, retries. */
  static ReplayDelivery defaultDelivery() {
    java.time.Clock clock = java.time.Clock.systemUTC();
    return new SignedWebhookDelivery(new SyntheticAuditLog(clock), AuditLogSigner.generate());
  }
}
