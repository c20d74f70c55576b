package io.cloudpark.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The cloudpark application as the tests deploy it: the real sip.xml and web.xml, at the root context. */
public final class Deployments {
    /** arquillian.xml reads the same properties, so parallel builds on one host can move both. */
    public static final int SIP_PORT = Integer.getInteger("cloudpark.it.sipPort", 15060);
    public static final int HTTP_PORT = Integer.getInteger("cloudpark.it.httpPort", 18080);
    /** As set for the failsafe JVM in pom.xml. */
    public static final String ADMIN_PASSWORD = "it-admin-secret";

    private Deployments() {
    }

    public static WebArchive cloudpark() {
        // the classes are on the test class path already (the container delegates to it first)
        WebArchive war = ShrinkWrap.create(WebArchive.class, "ROOT.war")
                .addAsWebInfResource(new File("webapp/WEB-INF/sip.xml"), "sip.xml")
                .addAsWebInfResource(new File("webapp/WEB-INF/web.xml"), "web.xml");
        // the console's page, modules and style sheet, as the real war has them
        try (Stream<Path> files = Files.walk(Path.of("webapp/console"))) {
            files.filter(Files::isRegularFile).forEach(f -> war.addAsWebResource(f.toFile(),
                    "console/" + Path.of("webapp/console").relativize(f).toString().replace(File.separatorChar, '/')));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return war;
    }
}
