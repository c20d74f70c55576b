package io.cloudpark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cluster settings: their defaults, and that the log line keeps secrets out. */
class ConfigTest {
    private static final List<String> SET = List.of("CLOUDPARK_BIND", "CLOUDPARK_SIP_PORT", "CLOUDPARK_NODE_SIP_URI",
            "CLOUDPARK_KAMAILIO_RPC", "CLOUDPARK_DIGEST_SECRET", "CLOUDPARK_ADMIN_PASSWORD", "CLOUDPARK_DB_URL");

    @AfterEach
    void clear() {
        SET.forEach(System::clearProperty);
    }

    @Test
    void aNodeIsReachedWhereItListensUnlessToldOtherwiseAndCallsNoKamailioUnlessConfigured() {
        System.setProperty("CLOUDPARK_BIND", "10.0.0.7");
        System.setProperty("CLOUDPARK_SIP_PORT", "5071");
        Config config = Config.fromEnvironment();
        assertEquals("sip:10.0.0.7:5071", config.nodeSipUri());
        assertEquals("", config.kamailioRpc());
        assertEquals("", config.digestSecret());

        System.setProperty("CLOUDPARK_NODE_SIP_URI", "sip:node1.internal:5060");
        assertEquals("sip:node1.internal:5060", Config.fromEnvironment().nodeSipUri());
    }

    @Test
    void theLogLineShowsNoSecret() {
        System.setProperty("CLOUDPARK_DIGEST_SECRET", "digest-6f1c-never-logged");
        System.setProperty("CLOUDPARK_ADMIN_PASSWORD", "admin-6f1c-never-logged");
        System.setProperty("CLOUDPARK_KAMAILIO_RPC", "http://rpc:rpc-6f1c-never-logged@127.0.0.1:5099/RPC");
        System.setProperty("CLOUDPARK_DB_URL", "jdbc:postgresql://db/cloudpark?user=cp&password=db-6f1c-never-logged");
        String logged = Config.fromEnvironment().toString();
        assertFalse(logged.contains("never-logged"), logged);
        assertTrue(logged.contains("digestSecret=shared"), logged);
        assertTrue(logged.contains("kamailioRpc=http://***@127.0.0.1:5099/RPC"), logged);
    }
}
