package io.konnectreplay.operator.sandbox;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Turns down fabric8's mock web server, which logs each request through java.util.logging at INFO. */
final class QuietJul {
  // java.util.logging keeps loggers weakly: hold them, or the level is lost with them
  private static final List<Logger> HELD = List.of(Logger.getLogger("io.fabric8.mockwebserver"),
      Logger.getLogger("io.fabric8.kubernetes.client.server.mock"));

  private QuietJul() {}

  static void apply() {
    HELD.forEach(l -> l.setLevel(Level.WARNING));
  }
}
