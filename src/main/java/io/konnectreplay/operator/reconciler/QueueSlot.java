package io.konnectreplay.operator.reconciler;

/**
 * A request's place among the requests for its target.
 *
 * @param head true when this request may use the target now (it is active, or first in line with none active)
 * @param position 1 = next once the blocker finishes; 0 for the head
 * @param blockedBy namespace/name of the request in front that occupies or will occupy the target; null for the head
 */
public record QueueSlot(boolean head, int position, String blockedBy) {
  public static final QueueSlot HEAD = new QueueSlot(true, 0, null);
}
