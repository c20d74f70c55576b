package io.cloudpark.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import io.cloudpark.park.EndedPark;
import io.cloudpark.park.ParkEvent;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.park.Party;
import io.cloudpark.tenant.Extension;
import io.cloudpark.tenant.ParkGroup;
import io.cloudpark.tenant.Tenant;

/** What the admin API shows of each domain object: never a password or its hash. */
public final class Views {
    private Views() {
    }

    static Map<String, Object> tenant(Tenant tenant) {
        return ordered("domain", tenant.domain(), "name", tenant.name(), "settings", settings(tenant.policy()));
    }

    public static Map<String, Object> settings(ParkingPolicy policy) {
        return ordered("parkCode", policy.parkCode(), "retrieveCode", policy.retrieveCode(),
                "groupParkCode", policy.groupParkCode(),
                "parkTimeoutSeconds", policy.parkTimeoutSeconds(), "recallRingSeconds", policy.recallRingSeconds(),
                "maxParkedPerExtension", policy.maxParkedPerExtension(), "recallPolicy", policy.recallPolicy().name(),
                "recallAttempts", policy.recallAttempts(), "recallGroup", policy.recallGroup(),
                "recallFallback", policy.recallFallback(), "musicOnHoldUri", policy.musicOnHoldUri());
    }

    static Map<String, Object> extension(Extension extension) {
        return ordered("extension", extension.number(), "displayName", extension.displayName(),
                "parkInfoFormat", extension.parkInfoFormat().name());
    }

    static Map<String, Object> parkGroup(ParkGroup group) {
        return ordered("name", group.name(), "members", group.members());
    }

    static Map<String, Object> party(Party party) {
        return ordered("uri", party.uri(), "displayName", party.displayName());
    }

    static Map<String, Object> parkedCall(Tenant tenant, ParkedCall call) {
        Map<String, Object> out = ordered("id", call.id(), "extension", call.extension(), "status", call.status().name(),
                "parked", party(call.parked()), "parker", party(call.parker()),
                "parkedAt", call.parkedAt().toString(), "recallAt", call.recallAt().toString(),
                "ownerNode", call.ownerNode());
        out.put("retrieve", "sip:" + tenant.policy().retrieveCode() + call.extension() + "@" + tenant.domain() + ";park-id=" + call.id());
        return out;
    }

    static Map<String, Object> endedPark(EndedPark ended) {
        ParkedCall call = ended.call();
        return ordered("id", call.id(), "extension", call.extension(), "resolution", ended.resolution().name(),
                "parked", party(call.parked()), "parker", party(call.parker()), "parkedAt", call.parkedAt().toString(),
                "endedAt", ended.endedAt().toString(), "endedBy", ended.endedBy());
    }

    /**
     * A park event as the event stream's {@code data} and a webhook's body: the event's number, type and time, then
     * the park's fields as {@link #parkedCall} shows them, then how it ended (null while parked). The retrieve URI
     * only on {@code parked}: an ended park has nothing to retrieve.
     */
    public static Map<String, Object> parkEvent(Tenant tenant, ParkEvent event) {
        Map<String, Object> out = ordered("eventId", event.id(), "type", event.type(), "tenant", tenant.domain(),
                "at", event.at().toString());
        out.putAll(parkedCall(tenant, event.call()));
        if (event.resolution() != null) {
            out.remove("retrieve");
        }
        out.put("resolution", event.resolution() == null ? null : event.resolution().name());
        out.put("endedAt", event.resolution() == null ? null : event.at().toString());
        out.put("endedBy", event.endedBy());
        return out;
    }

    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }
}
