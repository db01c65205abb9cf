package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus' own promtool (Debian package {@code prometheus}; {@code .ci/run} installs it). Without it the tests
 * that need it are skipped on a developer's machine, and fail in CI ({@code CI=true}), which must never skip them.
 */
final class Promtool {
  private Promtool() {}

  record Result(int exitCode, String output) {}

  /** The promtool to run: {@code PROMTOOL} when set, else the first one on PATH. */
  static Path executable() {
    String configured = System.getenv("PROMTOOL");
    if (configured != null && !configured.isBlank()) {
      if (Files.isExecutable(Path.of(configured))) return Path.of(configured);
    } else {
      for (String dir : String.valueOf(System.getenv("PATH")).split(File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
        if (Files.isExecutable(candidate)) return candidate;
      }
    }
    String missing = "promtool is not installed (apt-get install prometheus, or set PROMTOOL to its path)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(missing + ": CI must run the promtool tests");
    Assumptions.abort(missing);
    throw new AssertionError("unreachable");
  }

  /** Runs promtool in {@code dir} with {@code stdin} (may be null); output is stdout and stderr together. */
  static Result run(Path dir, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(executable().toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
        try {
          return process.getInputStream().readAllBytes();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("promtool " + String.join(" ", args) + " did not finish within 60 s");
      }
      return new Result(process.exitValue(), new String(output.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
