package io.cloudpark.tenant;

import java.util.List;
import java.util.Optional;

import io.cloudpark.park.ParkingPolicy;

/** Tenants and their extensions. Methods may throw {@code StoreUnavailableException}. */
public interface TenantDirectory {

    Optional<Tenant> tenantByDomain(String domain);

    Optional<Tenant> tenantById(long id);

    /** Creates a tenant with the default policy; throws {@link TenantExistsException} if the domain is taken. */
    Tenant createTenant(String domain, String name);

    long countTenants();

    /**
     * A page of tenants in domain order: those whose domain or name contains {@code search} (any case; null: all),
     * after the domain {@code afterDomain} (null: from the first), at most {@code limit}.
     */
    List<Tenant> tenants(String search, String afterDomain, int limit);

    /** Renames the tenant; empty if there is no such tenant. */
    Optional<Tenant> rename(String domain, String name);

    /**
     * Deletes the tenant with its extensions, devices, park groups and park history. Throws {@link InUseException}
     * while calls are parked in it (checked under the locks parks take, so none can slip in). False if there is none.
     */
    boolean deleteTenant(long tenantId);

    /** Replaces the tenant's policy; empty if there is no such tenant. */
    Optional<Tenant> updatePolicy(String domain, ParkingPolicy policy);

    Optional<Extension> extension(long tenantId, String number);

    /** Creates or updates an extension; {@code created} tells which. */
    PutResult putExtension(long tenantId, String number, String displayName, String ha1, ParkInfoFormat format);

    List<Extension> extensions(long tenantId);

    /**
     * Deletes the extension and its devices. Throws {@link InUseException} while calls are parked there or it is a
     * member of a park group. False if there is none.
     */
    boolean deleteExtension(long tenantId, String number);

    /**
     * Creates a park group of existing extensions, in that order. Throws {@link ParkGroupConflictException} when the
     * name is taken or a member is in another group, IllegalArgumentException when a member does not exist.
     */
    ParkGroup createParkGroup(long tenantId, String name, List<String> members);

    /**
     * Replaces the members of an existing group; empty if there is no group of that name. Conflicts and missing
     * members fail as in {@link #createParkGroup}.
     */
    Optional<ParkGroup> replaceParkGroup(long tenantId, String name, List<String> members);

    /** False if there is no group of that name. */
    boolean deleteParkGroup(long tenantId, String name);

    List<ParkGroup> parkGroups(long tenantId);

    /** The group the extension belongs to, if any. */
    Optional<ParkGroup> parkGroupOf(long tenantId, String extension);

    record PutResult(Extension extension, boolean created) { }
}
