package io.cloudpark.sip;

import io.cloudpark.park.ParkInfo;
import io.cloudpark.park.ParkedCall;

/**
 * The BroadWorks call-park body, {@code application/x-broadworks-callpark-info+xml}, for phones that already parse
 * it (an extension setting): the longest-parked call's party, or an empty {@code <callpark/>} when cleared. It has
 * no version and no retrieve URI; such phones retrieve by dialling the retrieve code.
 */
final class BroadWorksCallParkXml {
    static final String CONTENT_TYPE = "application/x-broadworks-callpark-info+xml";

    private BroadWorksCallParkXml() {
    }

    static String render(ParkInfo info) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<x-broadworks-callpark-info xmlns=\"http://schema.broadsoft.com/callpark\">\n");
        if (info.announced().isEmpty()) {
            xml.append("  <callpark/>\n");
        } else {
            ParkedCall oldest = info.announced().get(0);
            xml.append("  <callpark>\n    <parked>\n      <identity");
            if (oldest.parked().displayName() != null) {
                xml.append(" display=\"").append(Xml.escape(oldest.parked().displayName())).append('"');
            }
            xml.append('>').append(Xml.escape(oldest.parked().uri())).append("</identity>\n    </parked>\n  </callpark>\n");
        }
        return xml.append("</x-broadworks-callpark-info>\n").toString();
    }
}
