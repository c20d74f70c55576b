package io.cloudpark.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.persistence.EntityManager;
import javax.persistence.TypedQuery;

import io.cloudpark.account.Account;
import io.cloudpark.account.AccountExistsException;
import io.cloudpark.account.AccountStore;
import io.cloudpark.account.ApiToken;
import io.cloudpark.account.Role;
import io.cloudpark.store.Transactions.DuplicateKeyException;

final class JpaAccountStore implements AccountStore {
    private final Transactions tx;

    JpaAccountStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public Optional<Account> byName(String name) {
        return tx.call(em -> find(em, name).map(AccountEntity::toDomain));
    }

    @Override
    public Account create(String name, Role role, Long tenantId, String passwordHash, Instant createdAt) {
        try {
            return tx.call(em -> {
                if (find(em, name).isPresent()) {
                    throw new AccountExistsException(name);
                }
                AccountEntity account = new AccountEntity(name, role, tenantId, passwordHash, createdAt);
                em.persist(account);
                return account.toDomain();
            });
        } catch (DuplicateKeyException createdConcurrently) {
            throw new AccountExistsException(name);
        }
    }

    @Override
    public Optional<Account> setPasswordHash(String name, String passwordHash) {
        return tx.call(em -> find(em, name).map(account -> {
            account.setPasswordHash(passwordHash);
            return account.toDomain();
        }));
    }

    @Override
    public boolean delete(String name) {
        return tx.call(em -> find(em, name).map(account -> {
            em.remove(account); // its tokens go with it (ON DELETE CASCADE)
            return true;
        }).orElse(false));
    }

    @Override
    public List<Account> list(Long tenantId, String afterName, int limit) {
        return tx.call(em -> {
            TypedQuery<AccountEntity> query = em.createQuery("select a from AccountEntity a where a.name > :after"
                            + (tenantId == null ? "" : " and a.tenantId = :tenant") + " order by a.name", AccountEntity.class)
                    .setParameter("after", afterName == null ? "" : afterName)
                    .setMaxResults(limit);
            if (tenantId != null) {
                query.setParameter("tenant", tenantId);
            }
            return query.getResultStream().map(AccountEntity::toDomain).toList();
        });
    }

    @Override
    public ApiToken createToken(long accountId, String name, String tokenHash, Instant createdAt) {
        return tx.call(em -> {
            ApiTokenEntity token = new ApiTokenEntity(accountId, name, tokenHash, createdAt);
            em.persist(token);
            return token.toDomain();
        });
    }

    @Override
    public List<ApiToken> tokens(long accountId) {
        return tx.call(em -> em.createQuery("select t from ApiTokenEntity t where t.accountId = :account order by t.id",
                        ApiTokenEntity.class)
                .setParameter("account", accountId).getResultStream().map(ApiTokenEntity::toDomain).toList());
    }

    @Override
    public boolean deleteToken(long accountId, long tokenId) {
        return tx.call(em -> em.createQuery("delete from ApiTokenEntity t where t.accountId = :account and t.id = :id")
                .setParameter("account", accountId).setParameter("id", tokenId).executeUpdate() > 0);
    }

    @Override
    public Optional<Account> byTokenHash(String tokenHash) {
        return tx.call(em -> em.createQuery("select a from AccountEntity a, ApiTokenEntity t"
                        + " where t.accountId = a.id and t.tokenHash = :hash", AccountEntity.class)
                .setParameter("hash", tokenHash).getResultStream().findFirst().map(AccountEntity::toDomain));
    }

    private static Optional<AccountEntity> find(EntityManager em, String name) {
        return em.createQuery("select a from AccountEntity a where a.name = :name", AccountEntity.class)
                .setParameter("name", name).getResultStream().findFirst();
    }
}
