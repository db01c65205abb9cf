package io.konnectreplay.operator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** /healthz (the process can serve), /readyz (the operator started and its informers are healthy), /metrics. */
public final class OperatorHttpServer implements AutoCloseable {
  private final HttpServer server;

  private OperatorHttpServer(HttpServer server) { this.server = server; }

  public static OperatorHttpServer start(String host, int port, BooleanSupplier healthy, BooleanSupplier ready,
      Supplier<String> metrics) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "http-endpoints");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/healthz", ex -> answer(ex, healthy.getAsBoolean() ? 200 : 503,
        healthy.getAsBoolean() ? "ok\n" : "unhealthy\n", "text/plain"));
    server.createContext("/readyz", ex -> answer(ex, ready.getAsBoolean() ? 200 : 503,
        ready.getAsBoolean() ? "ready\n" : "not ready\n", "text/plain"));
    server.createContext("/metrics", ex -> answer(ex, 200, metrics.get(),
        "text/plain; version=0.0.4; charset=utf-8"));
    server.start();
    return new OperatorHttpServer(server);
  }

  public int port() { return server.getAddress().getPort(); }

  private static void answer(HttpExchange ex, int code, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() { server.stop(0); }
}
