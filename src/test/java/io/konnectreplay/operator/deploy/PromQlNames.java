package io.konnectreplay.operator.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. Enough of PromQL for the chart's rules and dashboard: strings, label
 * matchers, ranges, grouping clauses, Grafana variables, functions, keywords and numbers are not metric names.
 */
final class PromQlNames {
  private PromQlNames() {}

  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
      "ignoring", "group_left", "group_right", "inf", "nan");

  static Set<String> of(String expr) {
    String s = STRINGS.matcher(expr).replaceAll(" ");
    s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
    s = s.replaceAll("\\$\\{[^}]*}|\\$\\w+", " ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group();
      int before = m.start() - 1;
      if (before >= 0 && (Character.isDigit(s.charAt(before)) || s.charAt(before) == '.')) continue; // 1e3, 5m
      int after = m.end();
      while (after < s.length() && Character.isWhitespace(s.charAt(after))) after++;
      boolean function = after < s.length() && s.charAt(after) == '(';
      if (!function && !KEYWORDS.contains(word.toLowerCase())) names.add(word);
    }
    return names;
  }
}
