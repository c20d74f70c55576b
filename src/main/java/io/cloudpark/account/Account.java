package io.cloudpark.account;

import java.time.Instant;

/**
 * Someone who signs in to the admin API. The password is kept only as its bcrypt hash.
 *
 * @param tenantId the tenant a {@link Role#TENANT_ADMIN} administers; null for an operator
 */
public record Account(long id, String name, Role role, Long tenantId, String passwordHash, Instant createdAt) {
}
