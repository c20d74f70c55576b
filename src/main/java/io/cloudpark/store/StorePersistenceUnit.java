package io.cloudpark.store;

import java.net.URL;
import java.util.List;
import java.util.Properties;

import javax.persistence.SharedCacheMode;
import javax.persistence.ValidationMode;
import javax.persistence.spi.ClassTransformer;
import javax.persistence.spi.PersistenceUnitInfo;
import javax.persistence.spi.PersistenceUnitTransactionType;
import javax.sql.DataSource;

import org.hibernate.jpa.HibernatePersistenceProvider;

/**
 * The persistence unit, declared in code rather than META-INF/persistence.xml: it runs on a pool built at start-up,
 * and listing the entities here keeps Hibernate from scanning jars inside a servlet container.
 */
final class StorePersistenceUnit implements PersistenceUnitInfo {
    static final List<Class<?>> ENTITIES = List.of(TenantEntity.class, ExtensionEntity.class,
            RegistrationEntity.class, ParkedCallEntity.class, ParkHistoryEntity.class, ParkGroupEntity.class,
            ParkGroupMemberEntity.class, ParkedCallColumns.class, AccountEntity.class, ApiTokenEntity.class,
            AuditEntryEntity.class, NodeEntity.class, WebhookEntity.class);

    private final DataSource dataSource;

    StorePersistenceUnit(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public String getPersistenceUnitName() {
        return "cloudpark";
    }

    @Override
    public String getPersistenceProviderClassName() {
        return HibernatePersistenceProvider.class.getName();
    }

    @Override
    public PersistenceUnitTransactionType getTransactionType() {
        return PersistenceUnitTransactionType.RESOURCE_LOCAL;
    }

    @Override
    public DataSource getJtaDataSource() {
        return null;
    }

    @Override
    public DataSource getNonJtaDataSource() {
        return dataSource;
    }

    @Override
    public List<String> getMappingFileNames() {
        return List.of();
    }

    @Override
    public List<URL> getJarFileUrls() {
        return List.of();
    }

    @Override
    public URL getPersistenceUnitRootUrl() {
        return null;
    }

    @Override
    public List<String> getManagedClassNames() {
        return ENTITIES.stream().map(Class::getName).toList();
    }

    @Override
    public boolean excludeUnlistedClasses() {
        return true;
    }

    @Override
    public SharedCacheMode getSharedCacheMode() {
        return SharedCacheMode.NONE;
    }

    @Override
    public ValidationMode getValidationMode() {
        return ValidationMode.NONE;
    }

    @Override
    public Properties getProperties() {
        return new Properties();
    }

    @Override
    public String getPersistenceXMLSchemaVersion() {
        return "2.2";
    }

    @Override
    public ClassLoader getClassLoader() {
        return StorePersistenceUnit.class.getClassLoader();
    }

    @Override
    public void addTransformer(ClassTransformer transformer) {
        // no bytecode enhancement: the entities are plain field-mapped classes
    }

    @Override
    public ClassLoader getNewTempClassLoader() {
        return getClassLoader();
    }
}
