package io.cloudpark.testing;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** A park-info NOTIFY body (DESIGN §4), parsed as any device would, for assertions. */
public record ParkInfoDocument(String namespace, String extension, long version, String reason, String parkId,
                               List<ParkedCallEntry> calls) {

    public record ParkedCallEntry(String id, String parkedAt, String recallAt, String parkedUri, String parkedDisplay,
                                  String parkerUri, String parkerDisplay, String retrieve) { }

    public static ParkInfoDocument parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            Element root = doc.getDocumentElement();
            if (!root.getLocalName().equals("park-info")) {
                throw new AssertionError("root is not park-info: " + xml);
            }
            List<ParkedCallEntry> calls = new ArrayList<>();
            NodeList entries = root.getElementsByTagNameNS("*", "parked-call");
            for (int i = 0; i < entries.getLength(); i++) {
                Element e = (Element) entries.item(i);
                Element parked = child(e, "parked");
                Element parker = child(e, "parker");
                calls.add(new ParkedCallEntry(e.getAttribute("id"), e.getAttribute("parked-at"), e.getAttribute("recall-at"),
                        parked.getTextContent(), attr(parked, "display"), parker.getTextContent(), attr(parker, "display"),
                        child(e, "retrieve").getTextContent()));
            }
            return new ParkInfoDocument(root.getNamespaceURI(), root.getAttribute("extension"),
                    Long.parseLong(root.getAttribute("version")), root.getAttribute("reason"), attr(root, "park-id"), calls);
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("park-info body does not parse: " + xml, e);
        }
    }

    /** The body of a received NOTIFY, after checking it is a park-info NOTIFY as DESIGN §4 says. */
    public static ParkInfoDocument of(SipMessage notify) {
        if (!"park-info".equals(notify.header("Event"))) {
            throw new AssertionError("not a park-info NOTIFY: " + notify);
        }
        if (!"application/park-info+xml".equals(notify.header("Content-Type"))) {
            throw new AssertionError("wrong Content-Type: " + notify);
        }
        return parse(notify.body());
    }

    private static Element child(Element parent, String name) {
        NodeList list = parent.getElementsByTagNameNS("*", name);
        if (list.getLength() != 1) {
            throw new AssertionError("expected one <" + name + ">");
        }
        return (Element) list.item(0);
    }

    private static String attr(Element e, String name) {
        return e.hasAttribute(name) ? e.getAttribute(name) : null;
    }
}
