package io.konnectreplay.operator.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny HTTP client for tests: sends JSON, keeps the raw answer. */
final class EmulatorClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String token;

  EmulatorClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  EmulatorClient withToken(String otherToken) {
    return new EmulatorClient(base, otherToken);
  }

  record Answer(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(body, e);
      }
    }
  }

  Answer get(String path) {
    return send("GET", path, null);
  }

  Answer put(String path, String body) {
    return send("PUT", path, body);
  }

  Answer patch(String path, String body) {
    return send("PATCH", path, body);
  }

  Answer post(String path, String body) {
    return send("POST", path, body);
  }

  Answer delete(String path) {
    return send("DELETE", path, null);
  }

  Answer putWindow(String path, java.time.Instant start, java.time.Instant end) {
    return put(path, "{\"start_at\":\"" + start + "\",\"end_at\":\"" + end + "\"}");
  }

  Answer send(String method, String path, String body) {
    try {
      return sendOrThrow(method, path, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Answer sendOrThrow(String method, String path, String body) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body(), r.headers());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
