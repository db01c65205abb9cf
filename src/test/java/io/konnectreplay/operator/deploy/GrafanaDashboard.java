package io.konnectreplay.operator.deploy;

import static io.konnectreplay.operator.deploy.DeployFiles.chart;
import static io.konnectreplay.operator.deploy.DeployFiles.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chart's Grafana dashboard and the PromQL in it. */
final class GrafanaDashboard {
  private GrafanaDashboard() {}

  static final String FILE = "konnect-replay-operator.json";
  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)\\s*$");

  static String json() {
    return read(chart().resolve("dashboards").resolve(FILE));
  }

  /** Each query of the dashboard (panel targets and template variables) with the metric names it reads. */
  static Map<String, Set<String>> metricNamesByQuery(String json) {
    JsonNode dashboard;
    try {
      dashboard = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionError("the dashboard is not JSON", e);
    }
    Map<String, Set<String>> byQuery = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText("");
        if (!expr.isEmpty()) byQuery.put(expr, PromQlNames.of(expr));
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) continue;
      JsonNode query = variable.path("query");
      String text = query.isTextual() ? query.asText() : query.path("query").asText();
      Matcher m = LABEL_VALUES.matcher(text);
      byQuery.put(text, PromQlNames.of(m.matches() ? m.group(1) : text));
    }
    return byQuery;
  }
}
