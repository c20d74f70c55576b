package io.cloudpark.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkStatus;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.ParkingPolicy;
import io.cloudpark.park.Party;
import io.cloudpark.tenant.Tenant;

/** The body of DESIGN §4, to the character. */
class ParkInfoXmlTest {
    private static final Tenant ACME = new Tenant(1, "acme.example", "Acme", ParkingPolicy.DEFAULT);

    private static ParkedCall call(String id, ParkStatus status) {
        return new ParkedCall(id, 1, "103", new Party("sip:+14155550100@acme.example", "Alice Smith"),
                new Party("sip:102@acme.example", "Bob"), "102", Instant.parse("2026-11-22T10:15:00.250Z"),
                Instant.parse("2026-11-22T10:15:45.250Z"), status, "node-1");
    }

    @Test
    void theDesignsExample() {
        ParkInfo info = new ParkInfo(1, "103", 7, "parked", "6f1c", List.of(call("6f1c", ParkStatus.PARKED)));
        assertEquals("""
                <?xml version="1.0" encoding="UTF-8"?>
                <park-info xmlns="urn:cloudpark:park-info" extension="103" version="7" reason="parked" park-id="6f1c">
                  <parked-call id="6f1c" parked-at="2026-11-22T10:15:00Z" recall-at="2026-11-22T10:15:45Z">
                    <parked display="Alice Smith">sip:+14155550100@acme.example</parked>
                    <parker display="Bob">sip:102@acme.example</parker>
                    <retrieve>sip:*88103@acme.example;park-id=6f1c</retrieve>
                  </parked-call>
                </park-info>
                """, ParkInfoXml.render(ACME, info));
    }

    @Test
    void clearedRefreshedAndEscaped() {
        assertEquals("""
                <?xml version="1.0" encoding="UTF-8"?>
                <park-info xmlns="urn:cloudpark:park-info" extension="103" version="8" reason="refresh">
                </park-info>
                """, ParkInfoXml.render(ACME, new ParkInfo(1, "103", 8, "refresh", null,
                List.of(call("being-put-on-hold", ParkStatus.HOLDING)))));
        ParkedCall odd = new ParkedCall("x", 1, "103", new Party("sip:a@acme.example", "A & \"B\" <C>"),
                new Party("sip:102@acme.example", null), "102", Instant.EPOCH, Instant.EPOCH, ParkStatus.PARKED, "n");
        String xml = ParkInfoXml.render(ACME, new ParkInfo(1, "103", 1, "parked", "x", List.of(odd)));
        assertEquals(true, xml.contains("<parked display=\"A &amp; &quot;B&quot; &lt;C&gt;\">"), xml);
        assertEquals(true, xml.contains("<parker>sip:102@acme.example</parker>"), xml);
    }
}
