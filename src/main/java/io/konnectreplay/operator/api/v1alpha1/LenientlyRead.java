package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * A spec or a status as this operator read it: when the stored block could not be read at all (see
 * {@link LenientBlock}), an empty block that says what failed. The mark is the operator's, not the resource's: it is
 * never serialized, so {@link #copy} carries it over to the copies JOSDK hands the reconcilers.
 */
public abstract class LenientlyRead {
  /** Set when the stored block could not be read at all: what failed, for the resource's condition or Event. */
  @JsonIgnore
  private transient String unreadable;

  @JsonIgnore
  private transient JsonNode unreadableSource;

  /** What could not be read of the stored block, or null when it was read. */
  public String unreadable() { return unreadable; }

  /** The block as stored, when it could not be read. */
  JsonNode unreadableSource() { return unreadableSource; }

  void markUnreadable(String why, JsonNode stored) {
    this.unreadable = why;
    this.unreadableSource = stored;
  }

  /**
   * A copy by serialization, as JOSDK makes of every resource it hands a reconciler, that keeps what could not be
   * read of its spec and status. Used as JOSDK's cloner, for every kind of the operator.
   */
  public static <R extends HasMetadata> R copy(KubernetesSerialization serialization, R resource) {
    R copy = serialization.clone(resource);
    if (resource instanceof CustomResource<?, ?> from && copy instanceof CustomResource<?, ?> to) {
      carry(from.getSpec(), to.getSpec());
      carry(from.getStatus(), to.getStatus());
    }
    return copy;
  }

  private static void carry(Object from, Object to) {
    if (from instanceof LenientlyRead f && f.unreadable() != null && to instanceof LenientlyRead t) {
      t.markUnreadable(f.unreadable(), f.unreadableSource());
    }
  }
}
