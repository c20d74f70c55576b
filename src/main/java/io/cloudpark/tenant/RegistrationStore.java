package io.cloudpark.tenant;

import java.time.Instant;
import java.util.List;

/** Registrar bindings (RFC 3261 §10). Methods may throw {@code StoreUnavailableException}. */
public interface RegistrationStore {

    /** Bindings of the extension that have not expired at {@code now}. */
    List<Binding> activeBindings(long extensionId, Instant now);

    /**
     * Adds or refreshes the binding of {@code contactUri} (one row per extension and contact); a REGISTER also
     * clears the device's refusal of park-info.
     */
    void putBinding(long extensionId, Binding binding);

    /** The device refused park-info: it gets text MESSAGEs instead until it registers with a new Call-ID. */
    void refuseParkInfo(long extensionId, String contactUri);

    void removeBinding(long extensionId, String contactUri);

    void removeAll(long extensionId);

    /** Deletes bindings that expired before {@code now}; returns how many. */
    int purgeExpired(Instant now);
}
