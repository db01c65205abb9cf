package io.konnectreplay.operator.reconciler;

/**
 * A request's place among the requests for its target.
 *
 * @param head true when this request may use the target now (it is active, or first in line with none active)
 * @param position 1 = next once the blocker finishes; 0 for the head
 * @param blockedBy namespace/name of the request in front that occupies or will occupy the target; null for the head
 * @param readFirst true when the request that held the target was deleted while Konnect may still run its job: the
 *     head reads the remote job before any PUT, so it waits for that job instead of meeting a 409
 */
public record QueueSlot(boolean head, int position, String blockedBy, boolean readFirst) {
  public static final QueueSlot HEAD = new QueueSlot(true, 0, null, false);

  public QueueSlot(boolean head, int position, String blockedBy) {
    this(head, position, blockedBy, false);
  }

  /** The same place, reading the remote job before any PUT. */
  public QueueSlot readingFirst() { return new QueueSlot(head, position, blockedBy, true); }
}
