package io.konnectreplay.operator.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The fault rules in force, tried in the order they were added. Thread-safe. */
public final class Faults {
  private final List<FaultRule> rules = new CopyOnWriteArrayList<>();

  public Faults add(FaultRule rule) {
    rules.add(rule);
    return this;
  }

  public void clear() {
    rules.clear();
  }

  public List<FaultRule> rules() {
    return List.copyOf(rules);
  }

  /**
   * The rules that fire for this request: every firing latency rule, then at most one answering rule, which is last.
   */
  List<FaultRule> fire(String method, EndpointKind kind, String region, String portalId) {
    List<FaultRule> fired = new ArrayList<>();
    for (FaultRule rule : rules) {
      if (rule.matches(method, kind, region, portalId) && rule.fire()) {
        fired.add(rule);
        if (rule.action != FaultRule.Action.LATENCY) {
          break;
        }
      }
    }
    return fired;
  }
}
