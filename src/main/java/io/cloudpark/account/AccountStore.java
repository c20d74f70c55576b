package io.cloudpark.account;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where accounts and their tokens are kept. Methods may throw {@code StoreUnavailableException}. */
public interface AccountStore {

    Optional<Account> byName(String name);

    /** Throws {@link AccountExistsException} when the name is taken. */
    Account create(String name, Role role, Long tenantId, String passwordHash, Instant createdAt);

    /** Empty if there is no such account. */
    Optional<Account> setPasswordHash(String name, String passwordHash);

    /** Deletes the account and its tokens; false if there is none. */
    boolean delete(String name);

    /** Accounts in name order after {@code afterName} (null: from the first), of one tenant only unless null. */
    List<Account> list(Long tenantId, String afterName, int limit);

    ApiToken createToken(long accountId, String name, String tokenHash, Instant createdAt);

    List<ApiToken> tokens(long accountId);

    /** False if the account has no such token. */
    boolean deleteToken(long accountId, long tokenId);

    /** The account a token (by its hash) belongs to. */
    Optional<Account> byTokenHash(String tokenHash);
}
