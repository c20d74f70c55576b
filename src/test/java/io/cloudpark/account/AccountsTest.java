package io.cloudpark.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import io.cloudpark.testing.SteppedClock;

class AccountsTest {
    /** Accounts in memory, as the JPA store keeps them. */
    private static final class MemoryStore implements AccountStore {
        final Map<String, Account> accounts = new ConcurrentHashMap<>();
        final Map<String, ApiToken> tokensByHash = new ConcurrentHashMap<>();
        private long ids;

        @Override
        public Optional<Account> byName(String name) {
            return Optional.ofNullable(accounts.get(name));
        }

        @Override
        public Account create(String name, Role role, Long tenantId, String passwordHash, Instant createdAt) {
            Account account = new Account(++ids, name, role, tenantId, passwordHash, createdAt);
            if (accounts.putIfAbsent(name, account) != null) {
                throw new AccountExistsException(name);
            }
            return account;
        }

        @Override
        public Optional<Account> setPasswordHash(String name, String passwordHash) {
            return byName(name).map(a -> {
                Account changed = new Account(a.id(), a.name(), a.role(), a.tenantId(), passwordHash, a.createdAt());
                accounts.put(name, changed);
                return changed;
            });
        }

        @Override
        public boolean delete(String name) {
            return accounts.remove(name) != null;
        }

        @Override
        public List<Account> list(Long tenantId, String afterName, int limit) {
            return new ArrayList<>(accounts.values());
        }

        @Override
        public ApiToken createToken(long accountId, String name, String tokenHash, Instant createdAt) {
            ApiToken token = new ApiToken(++ids, accountId, name, createdAt);
            tokensByHash.put(tokenHash, token);
            return token;
        }

        @Override
        public List<ApiToken> tokens(long accountId) {
            return tokensByHash.values().stream().filter(t -> t.accountId() == accountId).toList();
        }

        @Override
        public boolean deleteToken(long accountId, long tokenId) {
            return tokensByHash.values().removeIf(t -> t.accountId() == accountId && t.id() == tokenId);
        }

        @Override
        public Optional<Account> byTokenHash(String tokenHash) {
            ApiToken token = tokensByHash.get(tokenHash);
            return token == null ? Optional.empty()
                    : accounts.values().stream().filter(a -> a.id() == token.accountId()).findFirst();
        }
    }

    private final MemoryStore store = new MemoryStore();
    private final Accounts accounts = new Accounts(store, Clock.systemUTC());

    @Test
    void passwordsAreStoredAsBcryptAndCheckedAgainstIt() {
        Account alice = accounts.create("alice", Role.TENANT_ADMIN, 7L, "correct horse");
        assertTrue(alice.passwordHash().startsWith("$2a$10$"), alice.passwordHash());
        assertFalse(alice.passwordHash().contains("correct horse"));
        assertEquals(Optional.of(alice), accounts.signIn("alice", "correct horse"));
        assertEquals(Optional.of(alice), accounts.signIn("alice", "correct horse"), "again, from memory");
        assertEquals(Optional.empty(), accounts.signIn("alice", "wrong horse"));
        assertEquals(Optional.empty(), accounts.signIn("nobody", "correct horse"));
        assertEquals(Optional.empty(), accounts.signIn("alice", "x".repeat(100)), "longer than bcrypt reads");
    }

    @Test
    void aChangedPasswordOrADeletedAccountIsNotSignedInFromMemory() {
        accounts.create("bob", Role.OPERATOR, null, "first password");
        assertTrue(accounts.signIn("bob", "first password").isPresent());
        accounts.changePassword("bob", "second password");
        assertEquals(Optional.empty(), accounts.signIn("bob", "first password"));
        assertTrue(accounts.signIn("bob", "second password").isPresent());
        accounts.delete("bob");
        assertEquals(Optional.empty(), accounts.signIn("bob", "second password"));
    }

    @Test
    void theBootstrapOperatorTakesThePasswordOfTheEnvironment() {
        accounts.bootstrapOperator("from-the-env");
        assertEquals(Role.OPERATOR, store.byName("admin").orElseThrow().role());
        assertTrue(accounts.signIn("admin", "from-the-env").isPresent());
        accounts.bootstrapOperator("changed-in-the-env");
        assertTrue(accounts.signIn("admin", "changed-in-the-env").isPresent());
        assertEquals(Optional.empty(), accounts.signIn("admin", "from-the-env"));
    }

    @Test
    void aTokenIsShownOnceKeptAsAHashAndStopsWorkingWhenRevoked() {
        Account carol = accounts.create("carol", Role.TENANT_ADMIN, 7L, "carol's password");
        Accounts.IssuedToken issued = accounts.issueToken(carol, "crm");
        assertNotNull(issued.secret());
        assertFalse(store.tokensByHash.containsKey(issued.secret()), "only its hash is stored");
        assertEquals(Optional.of(carol), accounts.signInWithToken(issued.secret()));
        assertEquals(Optional.empty(), accounts.signInWithToken(issued.secret() + "x"));
        assertTrue(accounts.revokeToken(carol, issued.token().id()));
        assertEquals(Optional.empty(), accounts.signInWithToken(issued.secret()));
    }

    @Test
    void passwordRules() {
        assertNull(Accounts.passwordProblem("eight ch"));
        assertNotNull(Accounts.passwordProblem("seven c"));
        assertNotNull(Accounts.passwordProblem("é".repeat(37)), "74 bytes");
    }

    @Test
    void aSessionActsAsItsAccountUntilSignOutItsLifetimeOrANewPassword() {
        SteppedClock clock = new SteppedClock(Instant.parse("2026-12-01T09:00:00Z"));
        Accounts withClock = new Accounts(store, clock);
        Account account = withClock.create("carol", Role.OPERATOR, null, "first-password");
        String session = withClock.openSession(account);
        assertEquals("carol", withClock.signInWithSession(session).orElseThrow().name());
        assertTrue(withClock.signInWithSession(session + "x").isEmpty());

        clock.advance(Accounts.SESSION_LIFETIME.minusSeconds(1));
        assertTrue(withClock.signInWithSession(session).isPresent(), "still within its lifetime");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(withClock.signInWithSession(session).isEmpty(), "over at its lifetime, however busy it was");

        String next = withClock.openSession(account);
        String other = withClock.openSession(account);
        withClock.closeSession(next);
        assertTrue(withClock.signInWithSession(next).isEmpty(), "signed out");
        assertTrue(withClock.signInWithSession(other).isPresent(), "the other session goes on");
        withClock.changePassword("carol", "second-password");
        assertTrue(withClock.signInWithSession(other).isEmpty(), "a new password ends every session");
        String last = withClock.openSession(withClock.byName("carol").orElseThrow());
        withClock.delete("carol");
        assertTrue(withClock.signInWithSession(last).isEmpty(), "a deleted account's session ends");
    }
}
