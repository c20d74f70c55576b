package io.cloudpark.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** What {@link Database#open} does with the URL, independent of the store contract. */
class DatabaseTest {

    @Test
    void opensAnH2FileInADirectoryThatDoesNotExistYet() throws Exception {
        Path root = Path.of("target", "h2-first-start");
        H2StoreTest.deleteTree(root);

        try (Database db = Database.open("jdbc:h2:file:./" + root.resolve("data/cloudpark"), "sa", "")) {
            assertTrue(db.isReachable());
        }
        assertTrue(Files.exists(root.resolve("data/cloudpark.mv.db")));
    }

    @Test
    void refusesDatabasesOtherThanH2AndPostgresql() {
        assertThrows(IllegalArgumentException.class, () -> Database.open("jdbc:mysql://localhost/cloudpark", "u", "p"));
    }

    @Test
    void redactsPasswordsInUrls() {
        assertEquals("jdbc:postgresql://db/cloudpark?user=cp&password=***&ssl=true",
                Database.redact("jdbc:postgresql://db/cloudpark?user=cp&password=s3cret&ssl=true"));
        assertEquals("jdbc:h2:tcp://db/cloudpark;USER=sa;PASSWORD=***",
                Database.redact("jdbc:h2:tcp://db/cloudpark;USER=sa;PASSWORD=s3cret"));
    }
}
