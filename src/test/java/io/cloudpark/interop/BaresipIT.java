package io.cloudpark.interop;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cloudpark.testing.Baresip;
import io.cloudpark.testing.Deployments;
import io.cloudpark.testing.LiveSessions;
import io.cloudpark.testing.TestTenant;

/**
 * cloudpark with a real softphone, Debian's baresip 1.0, over UDP and TCP: registration, park, park-info (which
 * baresip refuses) and its MESSAGE fallback, retrieve and recall. Ports 40320-40359 of this suite's free range.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BaresipIT {
    private static final int BASE_PORT = Integer.getInteger("cloudpark.baresip.basePort", 40320);

    @Deployment
    static WebArchive deployment() {
        return Deployments.cloudpark();
    }

    private static String account(TestTenant tenant, String extension, String transport) {
        return "<sip:" + extension + "@" + tenant.domain() + ";transport=" + transport + ">;auth_pass=pw-" + extension
                + ";outbound=\"sip:127.0.0.1:" + Deployments.SIP_PORT + ";transport=" + transport + "\";regint=300";
    }

    @Test
    void registeringUnregisteringAndRestartingOverTcpLeavesNoSession() {
        try (TestTenant acme = TestTenant.create("baresip-tcp", "301");
             Baresip phone = new Baresip("tcp-cycle", BASE_PORT)) {
            long idle = LiveSessions.now();
            for (int i = 0; i < 3; i++) {
                phone.uanew(account(acme, "301", "tcp"));
                phone.awaitEvent("REGISTER_OK");
                phone.uadel("sip:301@" + acme.domain());
                phone.awaitEvent("UNREGISTERING");
                phone.stop();
                phone.start();
            }
            LiveSessions.awaitBackTo(idle, 10_000, "3 TCP register/unregister/restart cycles");
        }
    }
}
