package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.sandbox.ApiFaults.Match;
import io.konnectreplay.operator.sandbox.ApiFaults.Verb;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fault layer's choices: requests classified as the API server routes them, shares, 410s on resumes only. */
class ApiFaultsTest {
  static final String JOBS = "/apis/konnectreplay.io/v1alpha1/namespaces/platform/auditlogreplayjobs";

  @Test
  void requestsAreClassifiedByVerbResourceAndSubresource() {
    assertThat(ApiFaults.classify("PUT", JOBS + "/a/status", false))
        .isEqualTo(new ApiFaults.Call(Verb.UPDATE, "auditlogreplayjobs", "status", false));
    assertThat(ApiFaults.classify("GET", JOBS + "?labelSelector=x", false).verb()).isEqualTo(Verb.LIST);
    assertThat(ApiFaults.classify("GET", JOBS + "/a", false).verb()).isEqualTo(Verb.GET);
    assertThat(ApiFaults.classify("GET", JOBS + "?watch=true&resourceVersion=12", true))
        .isEqualTo(new ApiFaults.Call(Verb.WATCH, "auditlogreplayjobs", null, true));
    assertThat(ApiFaults.classify("GET", JOBS + "?watch=true&resourceVersion=0", true).resume()).isFalse();
    assertThat(ApiFaults.classify("POST", "/api/v1/namespaces/platform/events", false))
        .isEqualTo(new ApiFaults.Call(Verb.CREATE, "events", null, false));
    assertThat(ApiFaults.classify("PATCH", "/apis/coordination.k8s.io/v1/namespaces/p/leases/l", false).resource())
        .isEqualTo("leases");
  }

  @Test
  void aShareOfTheMatchingCallsIsAnsweredAndCountedUntilTheFaultStops() {
    ApiFaults faults = new ApiFaults(1);
    var handle = faults.answer(Match.statusWrites(), 0.2, 503, Duration.ofSeconds(1));
    ApiFaults.Call write = new ApiFaults.Call(Verb.UPDATE, "auditlogreplayjobs", "status", false);
    ApiFaults.Call other = new ApiFaults.Call(Verb.UPDATE, "auditlogreplayjobs", null, false);
    int answered = 0;
    for (int i = 0; i < 1000; i++) {
      ApiFaults.Verdict v = faults.decide(write);
      if (v.code() == 503) {
        answered++;
        assertThat(v.retryAfter()).isEqualTo(Duration.ofSeconds(1));
      }
      assertThat(faults.decide(other).code()).as("the spec update is not a status write").isZero();
    }
    assertThat(answered).isBetween(150, 250);
    assertThat(faults.injected()).containsEntry("503 patch|update auditlogreplayjobs/status", (long) answered);
    handle.stop();
    assertThat(faults.decide(write).code()).isZero();
    assertThat(faults.calls(Verb.UPDATE, "auditlogreplayjobs")).isEqualTo(2001);
  }

  @Test
  void goneIsAnsweredToResumedWatchesOnlyAsManyTimesAsAsked() {
    ApiFaults faults = new ApiFaults(1);
    faults.goneOnNextResumes(2);
    ApiFaults.Call fresh = new ApiFaults.Call(Verb.WATCH, "auditlogreplayjobs", null, false);
    ApiFaults.Call resume = new ApiFaults.Call(Verb.WATCH, "auditlogreplayjobs", null, true);
    assertThat(faults.decide(fresh).code()).isZero();
    assertThat(faults.decide(resume).code()).isEqualTo(410);
    assertThat(faults.decide(resume).code()).isEqualTo(410);
    assertThat(faults.decide(resume).code()).isZero();
    assertThat(faults.injected()).containsEntry("410 on watch resume", 2L);
  }
}
