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

    /** Replaces the tenant's policy; empty if there is no such tenant. */
    Optional<Tenant> updatePolicy(String domain, ParkingPolicy policy);

    Optional<Extension> extension(long tenantId, String number);

    /** Creates or updates an extension; {@code created} tells which. */
    PutResult putExtension(long tenantId, String number, String displayName, String ha1, ParkInfoFormat format);

    List<Extension> extensions(long tenantId);

    /**
     * Creates a park group of existing extensions, in that order. Throws {@link ParkGroupConflictException} when the
     * name is taken or a member is in another group, IllegalArgumentException when a member does not exist.
     */
    ParkGroup createParkGroup(long tenantId, String name, List<String> members);

    List<ParkGroup> parkGroups(long tenantId);

    /** The group the extension belongs to, if any. */
    Optional<ParkGroup> parkGroupOf(long tenantId, String extension);

    record PutResult(Extension extension, boolean created) { }
}
