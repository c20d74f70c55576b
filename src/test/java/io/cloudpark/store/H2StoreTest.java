package io.cloudpark.store;

import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/** The store contract on embedded H2 files, as the standalone launcher uses it. */
class H2StoreTest extends StoreContract {
    private static final Path ROOT = Path.of("target", "h2-store-test");

    @Override
    void startBackend() throws Exception {
        deleteTree(ROOT);
    }

    @Override
    void stopBackend() {
    }

    @Override
    String createDatabase(String name) throws Exception {
        String location = "jdbc:h2:file:./" + ROOT.resolve(name).resolve("cloudpark");
        DriverManager.getConnection(location, user(), PASSWORD).close();
        // so that once the files are gone, connecting fails instead of quietly creating an empty database
        return location + ";IFEXISTS=TRUE";
    }

    @Override
    void destroyDatabase(String name) throws Exception {
        String location = "jdbc:h2:file:./" + ROOT.resolve(name).resolve("cloudpark") + ";IFEXISTS=TRUE";
        // files first: the pool may still be opening connections, and one opened between a SHUTDOWN and the delete
        // would bring the database back on its old files; opened now, it joins the open database the SHUTDOWN ends
        deleteTree(ROOT.resolve(name));
        try (Connection c = DriverManager.getConnection(location, user(), PASSWORD); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
        deleteTree(ROOT.resolve(name));
    }

    @Override
    String user() {
        return "sa";
    }

    @Override
    String sessionsWaitingForALock() {
        return "select count(*) from information_schema.sessions where blocker_id is not null";
    }

    /** Deletes the tree; a file H2 writes meanwhile (its trace file, after the shutdown) is deleted on a second pass. */
    static void deleteTree(Path root) throws Exception {
        for (int pass = 1; Files.exists(root); pass++) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (DirectoryNotEmptyException | NoSuchFileException writtenMeanwhile) {
                if (pass == 5) {
                    throw writtenMeanwhile;
                }
                Thread.sleep(50);
            }
        }
    }
}
