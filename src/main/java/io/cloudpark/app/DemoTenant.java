package io.cloudpark.app;

import java.util.Map;

import org.apache.log4j.Logger;

import io.cloudpark.tenant.Credentials;
import io.cloudpark.tenant.ParkInfoFormat;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/** The tenant the standalone server starts with when its store is empty, so a phone can try parking at once. */
final class DemoTenant {
    private static final Logger LOG = Logger.getLogger(DemoTenant.class);
    static final String DOMAIN = "demo.cloudpark.test";
    /** Extension → display name; each password is "demo" + the extension (README). */
    private static final Map<String, String> EXTENSIONS = Map.of(
            "101", "Bob", "102", "Alice", "103", "Carol", "104", "Dave", "105", "Erin");

    private DemoTenant() {
    }

    static void seedIfEmpty(TenantDirectory directory) {
        if (directory.countTenants() > 0) {
            return;
        }
        Tenant demo = directory.createTenant(DOMAIN, "cloudpark demo");
        EXTENSIONS.forEach((number, name) ->
                directory.putExtension(demo.id(), number, name, Credentials.ha1(number, DOMAIN, "demo" + number),
                        ParkInfoFormat.CLOUDPARK));
        LOG.info("seeded the demo tenant " + DOMAIN + " with extensions 101-105");
    }
}
