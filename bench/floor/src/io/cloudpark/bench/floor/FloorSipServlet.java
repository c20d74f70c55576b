package io.cloudpark.bench.floor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.servlet.ServletException;
import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;

/**
 * The benchmark's floor: what the container itself costs for the messages of one park cycle. It puts exactly the
 * messages on the wire that cloudpark does for the bench scenarios (401/407 challenges, B2BUA call, REFER with its
 * two NOTIFYs, hold re-INVITE, out-of-dialog park-info NOTIFY, retrieve re-INVITE, BYE relay), with none of
 * cloudpark's work behind them: no database, no digest check, no policy, no timers; state in two maps.
 * Not production code: it trusts every request, and it exists only under bench/.
 */
public final class FloorSipServlet extends SipServlet {
    private static final long serialVersionUID = 1L;
    private static final String PEER = "floor.peer";             // SipSession of the other leg
    private static final String LAST_SDP = "floor.lastSdp";       // byte[] the phone of this leg last got from us
    private static final String AWAITED_ACK = "floor.awaitedAck"; // the peer's 2xx to ACK when this leg ACKs ours
    private static final String PARK_KEY = "floor.parkKey";       // "ext@domain" this leg is parked at
    private static final String PARK_ID = "floor.parkId";
    private static final String ON_ANSWER = "floor.onAnswer";     // request attribute: what to do with the answer
    private static final byte[] SDP_NONE = new byte[0];

    private transient SipFactory factory;
    /** "ext@domain" → the contact URI of the device that registered last. */
    private final Map<String, String> contacts = new ConcurrentHashMap<>();
    /** "ext@domain" → the parked legs, oldest first. */
    private final Map<String, Deque<SipSession>> parked = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();

    @FunctionalInterface
    private interface OnAnswer {
        void accept(SipServletResponse answer) throws Exception;
    }

    @Override
    public void init() throws ServletException {
        super.init();
        factory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
    }

    @Override
    protected void doRegister(SipServletRequest register) throws ServletException, IOException {
        SipURI aor = (SipURI) register.getTo().getURI();
        if (register.getHeader("Authorization") == null) {
            challenge(register, 401, "WWW-Authenticate", aor.getHost());
            return;
        }
        Address contact = register.getAddressHeader("Contact");
        contacts.put(aor.getUser() + "@" + aor.getHost(), contact.getURI().toString());
        SipServletResponse ok = register.createResponse(200);
        contact.setExpires(register.getExpires() >= 0 ? register.getExpires() : 3600);
        ok.addAddressHeader("Contact", contact, false);
        ok.send();
    }

    @Override
    protected void doInvite(SipServletRequest invite) throws ServletException, IOException {
        try {
            invite(invite);
        } catch (ServletException | IOException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    private void invite(SipServletRequest invite) throws Exception {
        if (!invite.isInitial()) {
            answerLocally(invite);
            return;
        }
        SipURI target = (SipURI) invite.getRequestURI();
        if (invite.getHeader("Proxy-Authorization") == null) {
            challenge(invite, 407, "Proxy-Authenticate", target.getHost());
            return;
        }
        if (target.getUser().startsWith("*88")) {
            retrieve(invite, target.getUser().substring(3) + "@" + target.getHost(), target.getParameter("park-id"));
        } else {
            call(invite, target.getUser() + "@" + target.getHost());
        }
    }

    /** B2BUA: one INVITE to the callee's contact, its 180 and 200 relayed back, the sessions linked. */
    private void call(SipServletRequest invite, String callee) throws Exception {
        String contact = contacts.get(callee);
        if (contact == null) {
            invite.createResponse(480).send();
            return;
        }
        SipSession caller = invite.getSession();
        SipServletRequest out = factory.createRequest(invite.getApplicationSession(), "INVITE", invite.getFrom(), invite.getTo());
        out.setRequestURI(factory.createURI(contact));
        out.setContent(invite.getRawContent(), invite.getContentType());
        out.getSession().setHandler(getServletName());
        link(caller, out.getSession());
        out.setAttribute(ON_ANSWER, (OnAnswer) answer -> {
            if (answer.getStatus() < 200) {
                if (answer.getStatus() > 100) {
                    invite.createResponse(answer.getStatus()).send();
                }
                return;
            }
            SipServletResponse relayed = invite.createResponse(answer.getStatus());
            if (answer.getStatus() < 300) {
                caller.setAttribute(AWAITED_ACK, answer);
                caller.setAttribute(LAST_SDP, answer.getRawContent());
                relayed.setContent(answer.getRawContent(), answer.getContentType());
            }
            relayed.send();
        });
        out.send();
    }

    @Override
    protected void doAck(SipServletRequest ack) throws IOException {
        SipServletResponse awaited = (SipServletResponse) ack.getSession().getAttribute(AWAITED_ACK);
        if (awaited != null) {
            ack.getSession().removeAttribute(AWAITED_ACK);
            awaited.createAck().send();
        }
    }

    /** Blind transfer to *68<ext>: 202, NOTIFY 100, hold re-INVITE to the other party, NOTIFY 200, park-info. */
    @Override
    protected void doRefer(SipServletRequest refer) throws ServletException, IOException {
        try {
            park(refer);
        } catch (ServletException | IOException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    private void park(SipServletRequest refer) throws Exception {
        SipSession parker = refer.getSession();
        SipSession held = unlink(parker);
        SipURI to = (SipURI) refer.getAddressHeader("Refer-To").getURI();
        String parkKey = to.getUser().substring(3) + "@" + to.getHost();
        refer.createResponse(202).send();
        referNotify(parker, "SIP/2.0 100 Trying", false);
        String parkId = UUID.randomUUID().toString();
        SipServletRequest hold = held.createRequest("INVITE");
        byte[] lastSdp = (byte[]) held.getAttribute(LAST_SDP);
        byte[] holdSdp = new String(lastSdp == null ? SDP_NONE : lastSdp, StandardCharsets.US_ASCII)
                .replace("a=sendrecv", "a=sendonly").getBytes(StandardCharsets.US_ASCII);
        hold.setContent(holdSdp, "application/sdp");
        held.setAttribute(LAST_SDP, holdSdp);
        hold.setAttribute(ON_ANSWER, (OnAnswer) answer -> {
            if (answer.getStatus() < 200) {
                return;
            }
            answer.createAck().send();
            held.setAttribute(PARK_KEY, parkKey);
            held.setAttribute(PARK_ID, parkId);
            Deque<SipSession> queue = parked.computeIfAbsent(parkKey, k -> new ArrayDeque<>());
            synchronized (queue) {
                queue.add(held);
            }
            referNotify(parker, "SIP/2.0 200 OK", true);
            parkInfo(parkKey, "parked", parkId, true);
        });
        hold.send();
    }

    /** INVITE *88<ext>: the parked party is re-INVITEd with the retriever's offer; its answer goes back. */
    private void retrieve(SipServletRequest invite, String parkKey, String parkId) throws Exception {
        SipSession held = take(parkKey, parkId);
        if (held == null) {
            invite.createResponse(404).send();
            return;
        }
        SipServletRequest reconnect = held.createRequest("INVITE");
        reconnect.setContent(invite.getRawContent(), invite.getContentType());
        held.setAttribute(LAST_SDP, invite.getRawContent());
        String retrievedId = (String) held.getAttribute(PARK_ID);
        reconnect.setAttribute(ON_ANSWER, (OnAnswer) answer -> {
            if (answer.getStatus() < 200) {
                return;
            }
            answer.createAck().send();
            link(invite.getSession(), held);
            SipServletResponse ok = invite.createResponse(200);
            ok.setContent(answer.getRawContent(), answer.getContentType());
            ok.send();
            parkInfo(parkKey, "retrieved", retrievedId, false);
        });
        reconnect.send();
    }

    @Override
    protected void doBye(SipServletRequest bye) throws ServletException, IOException {
        bye.createResponse(200).send();
        SipSession session = bye.getSession();
        SipSession peer = unlink(session);
        if (peer != null && peer.isValid()) {
            peer.createRequest("BYE").send();
        }
        String parkKey = (String) session.getAttribute(PARK_KEY);
        if (parkKey != null && take(parkKey, (String) session.getAttribute(PARK_ID)) != null) {
            try {
                parkInfo(parkKey, "abandoned", (String) session.getAttribute(PARK_ID), false);
            } catch (ServletException | IOException e) {
                throw e;
            } catch (Exception e) {
                throw new ServletException(e);
            }
        }
    }

    @Override
    protected void doResponse(SipServletResponse response) throws ServletException, IOException {
        OnAnswer next = (OnAnswer) response.getRequest().getAttribute(ON_ANSWER);
        if (next != null) {
            try {
                next.accept(response);
            } catch (Exception e) {
                throw new ServletException(e);
            }
        }
    }

    private SipSession take(String parkKey, String parkId) {
        Deque<SipSession> queue = parked.get(parkKey);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            for (Iterator<SipSession> it = queue.iterator(); it.hasNext();) {
                SipSession held = it.next();
                if (parkId == null || parkId.equals(held.getAttribute(PARK_ID))) {
                    it.remove();
                    held.removeAttribute(PARK_KEY);
                    return held;
                }
            }
        }
        return null;
    }

    private void referNotify(SipSession dialog, String sipfrag, boolean terminated) throws IOException {
        SipServletRequest notify = dialog.createRequest("NOTIFY");
        notify.setHeader("Event", "refer");
        notify.setHeader("Subscription-State", terminated ? "terminated;reason=noresource" : "active;expires=60");
        notify.setContent((sipfrag + "\r\n").getBytes(StandardCharsets.US_ASCII), "message/sipfrag;version=2.0");
        notify.send();
    }

    /** The out-of-dialog park-info NOTIFY, with a body of the same shape and size as cloudpark's. */
    private void parkInfo(String parkKey, String reason, String parkId, boolean withCall) throws ServletException, IOException {
        String contact = contacts.get(parkKey);
        if (contact == null) {
            return;
        }
        int at = parkKey.indexOf('@');
        String ext = parkKey.substring(0, at);
        String domain = parkKey.substring(at + 1);
        StringBuilder xml = new StringBuilder(512).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<park-info xmlns=\"urn:cloudpark:park-info\" extension=\"").append(ext)
                .append("\" version=\"").append(version.incrementAndGet()).append("\" reason=\"").append(reason)
                .append("\" park-id=\"").append(parkId).append("\">\n");
        if (withCall) {
            Instant now = Instant.now();
            xml.append("  <parked-call id=\"").append(parkId).append("\" parked-at=\"").append(now)
               .append("\" recall-at=\"").append(now.plusSeconds(45)).append("\">\n")
               .append("    <parked display=\"Ext 103\">sip:103@").append(domain).append("</parked>\n")
               .append("    <parker display=\"Ext 101\">sip:101@").append(domain).append("</parker>\n")
               .append("    <retrieve>sip:*88").append(ext).append('@').append(domain).append(";park-id=").append(parkId)
               .append("</retrieve>\n  </parked-call>\n");
        }
        xml.append("</park-info>\n");
        SipApplicationSession appSession = factory.createApplicationSession();
        SipServletRequest notify = factory.createRequest(appSession, "NOTIFY",
                factory.createAddress("<sip:park@" + domain + ">"), factory.createAddress("<sip:" + parkKey + ">"));
        notify.setRequestURI(factory.createURI(contact));
        notify.setHeader("Event", "park-info");
        notify.setHeader("Subscription-State", "active");
        notify.setContent(xml.toString().getBytes(StandardCharsets.UTF_8), "application/park-info+xml");
        notify.getSession().setHandler(getServletName());
        notify.setAttribute(ON_ANSWER, (OnAnswer) answer -> {
            if (answer.getStatus() >= 200 && answer.getApplicationSession().isValid()) {
                answer.getApplicationSession().invalidate(); // the NOTIFY's own application session, as cloudpark does
            }
        });
        notify.send();
    }

    /** A re-INVITE from a phone: answered with the SDP it last got (the bench scenarios send none). */
    private static void answerLocally(SipServletRequest request) throws IOException {
        SipServletResponse ok = request.createResponse(200);
        byte[] sdp = (byte[]) request.getSession().getAttribute(LAST_SDP);
        if (sdp != null) {
            ok.setContent(sdp, "application/sdp");
        }
        ok.send();
    }

    private static void challenge(SipServletRequest request, int status, String header, String realm) throws IOException {
        SipServletResponse challenge = request.createResponse(status);
        challenge.setHeader(header, "Digest realm=\"" + realm + "\", nonce=\"" + System.currentTimeMillis() / 1000
                + ".floor\", algorithm=MD5, qop=\"auth\"");
        challenge.send();
    }

    private static void link(SipSession a, SipSession b) {
        a.setAttribute(PEER, b);
        b.setAttribute(PEER, a);
    }

    private static SipSession unlink(SipSession session) {
        SipSession peer = (SipSession) session.getAttribute(PEER);
        session.removeAttribute(PEER);
        if (peer != null && peer.isValid()) {
            peer.removeAttribute(PEER);
        }
        return peer;
    }
}
