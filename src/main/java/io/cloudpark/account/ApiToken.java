package io.cloudpark.account;

import java.time.Instant;

/** A bearer token of an account, for integrations; only its SHA-256 is kept, the token itself is shown once. */
public record ApiToken(long id, long accountId, String name, Instant createdAt) {
}
