package io.cloudpark.park;

import java.util.Objects;

/** Someone on a call, as the PBX shows them: a SIP URI and an optional display name. */
public record Party(String uri, String displayName) {
    public Party {
        Objects.requireNonNull(uri, "uri");
        displayName = displayName == null || displayName.isBlank() ? null : displayName;
    }
}
