package io.cloudpark.park;

import java.util.List;

/**
 * The full park state of one extension after a change: what every registered device of the extension is told.
 *
 * @param tenantId  the tenant
 * @param extension the extension the calls are parked at
 * @param version   grows by one with every change at this extension
 * @param reason    what changed: parked, retrieved, recalled, abandoned, timed-out, refresh…
 * @param parkId    the call that changed (null for a refresh)
 * @param calls     all calls parked there now, oldest first (empty = cleared)
 */
public record ParkInfo(long tenantId, String extension, long version, String reason, String parkId,
                       List<ParkedCall> calls) {
    public ParkInfo {
        calls = List.copyOf(calls);
    }

    /** The calls devices are told about: a call still being put on hold is not retrievable yet. */
    public List<ParkedCall> announced() {
        return calls.stream().filter(call -> call.status() != ParkStatus.HOLDING).toList();
    }
}
