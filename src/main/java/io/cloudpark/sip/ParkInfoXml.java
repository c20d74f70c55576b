package io.cloudpark.sip;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Party;
import io.cloudpark.tenant.Tenant;

/** The body of the park-info NOTIFY, {@code application/park-info+xml}, exactly as DESIGN §4 defines it. */
final class ParkInfoXml {
    static final String CONTENT_TYPE = "application/park-info+xml";

    private ParkInfoXml() {
    }

    static String render(Tenant tenant, ParkInfo info) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.append("<park-info xmlns=\"urn:cloudpark:park-info\" extension=\"").append(Xml.escape(info.extension()))
           .append("\" version=\"").append(info.version())
           .append("\" reason=\"").append(Xml.escape(info.reason())).append('"');
        if (info.parkId() != null) {
            xml.append(" park-id=\"").append(Xml.escape(info.parkId())).append('"');
        }
        xml.append(">\n");
        for (ParkedCall call : info.announced()) {
            xml.append("  <parked-call id=\"").append(Xml.escape(call.id()))
               .append("\" parked-at=\"").append(time(call.parkedAt()))
               .append("\" recall-at=\"").append(time(call.recallAt())).append("\">\n");
            party(xml, "parked", call.parked());
            party(xml, "parker", call.parker());
            xml.append("    <retrieve>").append(Xml.escape(retrieveUri(tenant, call))).append("</retrieve>\n");
            xml.append("  </parked-call>\n");
        }
        return xml.append("</park-info>\n").toString();
    }

    static String retrieveUri(Tenant tenant, ParkedCall call) {
        return "sip:" + tenant.policy().retrieveCode() + call.extension() + "@" + tenant.domain() + ";park-id=" + call.id();
    }

    private static void party(StringBuilder xml, String element, Party party) {
        xml.append("    <").append(element);
        if (party.displayName() != null) {
            xml.append(" display=\"").append(Xml.escape(party.displayName())).append('"');
        }
        xml.append('>').append(Xml.escape(party.uri())).append("</").append(element).append(">\n");
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
