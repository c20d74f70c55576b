package io.cloudpark.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A SIP phone for the tests, over UDP on loopback: registers with digest credentials, places and answers calls,
 * transfers, and answers what the PBX sends it (NOTIFY, BYE, re-INVITE) at once, keeping a copy of every request
 * for the test to assert on. REFERred (RFC 3515), it accepts and calls the Refer-To, as a transferee does. Written
 * for these tests, on purpose independent of the server's SIP stack.
 * <p>
 * {@link #overTcp} makes one that talks over the one TCP connection it opens to the server, like a phone behind NAT
 * or a firewall: the port its Contact and Via name is bound but never listens, so a connection the server opens to
 * it is refused. It hears the server only on the connection it opened. Its Contact says {@code ;ob}, as an RFC 5626
 * phone's does: keep my dialogs on my flow.
 */
public final class TestPhone implements AutoCloseable {
    private static final String SERVER = "127.0.0.1";
    private static final long DEFAULT_WAIT_MS = 5_000;

    private final String domain;
    private final String extension;
    private final String password;
    private final int serverPort;
    private final DatagramSocket socket;
    /**
     * The port its SDP names, bound so that no other socket has it, never read: a real phone at the other end sends
     * RTP there (baresip does), which must not reach this phone's SIP socket.
     */
    private final DatagramSocket media;
    /** TCP only: holds the Contact's port, which refuses connections (bound, never listening). */
    private final Socket unreachable;
    /** TCP only: the connection this phone opened; a new one after {@link #closeConnection()}. */
    private volatile Socket connection;
    private final Thread receiver;
    private final List<SipMessage> requests = new ArrayList<>();
    /** INVITEs by branch, for the 487 a CANCEL calls for. */
    private final Map<String, SipMessage> invitesReceived = new ConcurrentHashMap<>();
    private final Map<String, String> localTags = new ConcurrentHashMap<>();
    private volatile boolean leaveReinvitesUnanswered;
    private final List<SipMessage> responses = new ArrayList<>();
    /** Every response received, in arrival order, none taken away (retransmitted 2xx answered from {@link #acked} aside). */
    private final List<SipMessage> heard = new ArrayList<>();
    /** Our answer to each request we received, by Via branch + method, replayed on retransmission. */
    private final Map<String, byte[]> answered = new ConcurrentHashMap<>();
    /** 2xx to our INVITEs that we have ACKed, by Call-ID + CSeq, with the ACK to resend on retransmission. */
    private final Map<String, byte[]> acked = new ConcurrentHashMap<>();
    /** How often each NOTIFY left unanswered has been received (the first time and its retransmissions), by branch. */
    private final Map<String, Integer> unansweredNotifies = new HashMap<>();
    /** Dialogs this phone has hung up or been hung up in: a request in one is answered 481, as a phone would. */
    private final Set<String> endedDialogs = ConcurrentHashMap.newKeySet();
    private final AtomicLong cseq = new AtomicLong(1);
    private volatile int notifyAnswer = 200;
    private volatile boolean leaveReferNotifiesUnanswered;
    private volatile int referAnswer = 202;
    /** The calls placed on being REFERred, in order, each done once its INVITE has a final answer. */
    private final BlockingQueue<CompletableFuture<Call>> transfers = new LinkedBlockingQueue<>();
    /** Calls whose requests carry no preloaded Route. */
    private final Set<String> unpinned = ConcurrentHashMap.newKeySet();
    private final String registrationCallId = UUID.randomUUID() + "@test";

    public TestPhone(String domain, String extension, String password, int serverPort) {
        this(domain, extension, password, serverPort, false);
    }

    /** A phone over TCP that refuses inbound connections: see the class comment. */
    public static TestPhone overTcp(String domain, String extension, String password, int serverPort) {
        return new TestPhone(domain, extension, password, serverPort, true);
    }

    private TestPhone(String domain, String extension, String password, int serverPort, boolean tcp) {
        this.domain = domain;
        this.extension = extension;
        this.password = password;
        this.serverPort = serverPort;
        try {
            this.media = new DatagramSocket(0, InetAddress.getByName(SERVER));
            if (tcp) {
                this.socket = null;
                this.unreachable = new Socket();
                this.unreachable.bind(new InetSocketAddress(SERVER, 0));
            } else {
                this.socket = new DatagramSocket(0, InetAddress.getByName(SERVER));
                this.unreachable = null;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.receiver = new Thread(this::receive, "phone-" + extension + "@" + port());
        this.receiver.setDaemon(true);
        if (tcp) {
            connect();
        } else {
            this.receiver.start();
        }
    }

    private synchronized Socket connect() {
        try {
            Socket opened = new Socket(SERVER, serverPort);
            connection = opened;
            Thread reader = new Thread(() -> receiveStream(opened), "phone-" + extension + "-tcp@" + opened.getLocalPort());
            reader.setDaemon(true);
            reader.start();
            return opened;
        } catch (IOException e) {
            throw new IllegalStateException("could not connect to 127.0.0.1:" + serverPort, e);
        }
    }

    /** TCP: the phone closes its connection (as phones do after a de-REGISTER); the next request opens a new one. */
    public void closeConnection() {
        try {
            connection.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private volatile boolean closeOnceAuthenticatedSent;

    /**
     * TCP: de-registers, closing its connection the moment the authenticated REGISTER is out, before the answer (as
     * a phone switching off does): the server's 200 finds the connection gone.
     */
    public void unregisterClosingAtOnce() {
        closeOnceAuthenticatedSent = true;
        register(0);
    }

    /** TCP: the local port of the connection this phone opened (what the server sees as its source). */
    public int connectionPort() {
        return connection.getLocalPort();
    }

    /** The transport of its Via and Contact: {@code UDP} or {@code TCP}. */
    String transport() {
        return socket == null ? "TCP" : "UDP";
    }

    public String extension() {
        return extension;
    }

    public int port() {
        return socket == null ? unreachable.getLocalPort() : socket.getLocalPort();
    }

    public String contact() {
        return "sip:" + extension + "@" + SERVER + ":" + port() + (socket == null ? ";transport=tcp;ob" : "");
    }

    /** Its Via's sent-by, transport included: {@code SIP/2.0/UDP 127.0.0.1:port}. */
    String sentBy() {
        return "SIP/2.0/" + transport() + " " + SERVER + ":" + port();
    }

    public String aor() {
        return "sip:" + extension + "@" + domain;
    }

    /** An SDP offer/answer that names this phone by its media port (one of its own, never its SIP port). */
    public String sdp() {
        return "v=0\r\no=" + extension + " 1000 1000 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + mediaLine() + "\r\na=sendrecv\r\n";
    }

    public String mediaLine() {
        return "m=audio " + media.getLocalPort() + " RTP/AVP 0";
    }

    /** From now on, re-INVITEs get no answer (a phone busy hanging up, or gone). */
    public void leaveReinvitesUnanswered() {
        leaveReinvitesUnanswered = true;
    }

    /** Accepts a re-INVITE left unanswered, now (after the phone hung up, say). */
    public void acceptReinvite(SipMessage reinvite) {
        reply(reinvite, 200, "OK", null, sdp(), "application/sdp");
    }

    /** Drops a dialog without a BYE, as a rebooted phone does: requests in it are answered 481 from now on. */
    public void forget(String callId) {
        endedDialogs.add(callId);
    }

    /** From now on park-info NOTIFYs are answered with this status (200 by default; 0: never answered). */
    private volatile String preloadedRoute;

    /**
     * Every request this phone starts outside a dialog (REGISTER, INVITE…) from now on carries {@code Route: <uri>}:
     * behind a load balancer that honours it, the request goes to that one node. Null: none.
     */
    public void preloadRoute(String uri) {
        preloadedRoute = uri;
    }

    public void answerParkInfoWith(int status) {
        notifyAnswer = status;
    }

    /**
     * From now on the NOTIFYs of a REFER's subscription (sipfrag progress) are not answered: the test answers them with
     * {@link #answerRequest}. Retransmissions are not seen again.
     */
    public void leaveReferNotifiesUnanswered() {
        leaveReferNotifiesUnanswered = true;
    }

    /**
     * Waits for the next retransmission of that unanswered NOTIFY. Whatever the sender sent this phone before it has
     * been received by then: one socket, one receiving thread.
     */
    public void awaitNextRetransmission(SipMessage notify, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (unansweredNotifies) {
            int seen = unansweredNotifies.getOrDefault(notify.branch(), 0);
            while (unansweredNotifies.getOrDefault(notify.branch(), 0) <= seen) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError(extension + ": NOTIFY not retransmitted in " + timeoutMs + " ms");
                }
                try {
                    unansweredNotifies.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    /** Answers a request this phone left unanswered. */
    public void answerRequest(SipMessage request, int status, String reason) {
        reply(request, status, reason, null, null, null);
    }

    /** From now on a REFER is answered with this status: 202 (the default) and the phone calls the Refer-To. */
    public void answerRefersWith(int status) {
        referAnswer = status;
    }

    /** The call this phone placed on being REFERred, once its INVITE has its final answer (ACKed). */
    public Call awaitTransfer(long timeoutMs) {
        try {
            CompletableFuture<Call> placed = transfers.poll(timeoutMs, TimeUnit.MILLISECONDS);
            if (placed == null) {
                throw new AssertionError(extension + " was not REFERred in " + timeoutMs + " ms; requests so far: "
                        + summary(requests));
            }
            return placed.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(extension + ": the call to the Refer-To failed: " + e);
        }
    }

    // ---------------------------------------------------------------- registration

    public SipMessage register(int expires) {
        return register(expires, password);
    }

    public SipMessage register(int expires, String withPassword) {
        return register(aor(), "<" + contact() + ">", expires, withPassword);
    }

    /** {@code Contact: *} with {@code Expires: 0}: removes every binding of the extension. */
    public SipMessage unregisterAll() {
        return register(aor(), "*", 0, password);
    }

    /** A REGISTER for another extension's address, with this phone's own credentials. */
    public SipMessage registerAs(String otherExtension, int expires) {
        return register("sip:" + otherExtension + "@" + domain, "<" + contact() + ">", expires, password);
    }

    private SipMessage register(String addressOfRecord, String contactValue, int expires, String withPassword) {
        String uri = "sip:" + domain;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("From", "<" + addressOfRecord + ">;tag=" + tag());
        headers.put("To", "<" + addressOfRecord + ">");
        headers.put("Call-ID", registrationCallId);
        headers.put("Contact", contactValue);
        headers.put("Expires", Integer.toString(expires));
        return transaction("REGISTER", uri, headers, null, null, withPassword);
    }

    /** An out-of-dialog request (digest challenge answered once), waiting for the final answer. */
    public SipMessage request(String method, String uri, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("From", "<" + aor() + ">;tag=" + tag());
        headers.put("To", "<" + uri + ">");
        headers.put("Call-ID", UUID.randomUUID() + "@test");
        headers.put("Contact", "<" + contact() + ">");
        headers.putAll(extra);
        return transaction(method, uri, headers, null, null, password);
    }

    private volatile SipMessage lastReplayAnswer;

    /**
     * Registers, then sends the very same credentials again in a new transaction, as an eavesdropper replaying them
     * would. Returns the answer to the genuine REGISTER; {@link #lastReplayAnswer()} has the replay's.
     */
    public SipMessage registerReplayingOnce(int expires) {
        String uri = "sip:" + domain;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("From", "<" + aor() + ">;tag=" + tag());
        headers.put("To", "<" + aor() + ">");
        headers.put("Call-ID", registrationCallId);
        headers.put("Contact", "<" + contact() + ">");
        headers.put("Expires", Integer.toString(expires));
        SipMessage genuine = transaction("REGISTER", uri, headers, null, null, password);
        long seq = cseq.getAndIncrement();
        send("REGISTER", uri, headers, seq, branch(), null, null);
        lastReplayAnswer = awaitResponse(registrationCallId, seq, "REGISTER", m -> m.status() >= 200, DEFAULT_WAIT_MS);
        return genuine;
    }

    public SipMessage lastReplayAnswer() {
        return lastReplayAnswer;
    }

    /** The final answer to a request this test sent raw, by its Call-ID. */
    public SipMessage awaitResponseForTest(String callId) {
        return take(responses, m -> m.callId().equals(callId) && m.status() >= 200, DEFAULT_WAIT_MS,
                () -> extension + " got no final answer for Call-ID " + callId);
    }

    // ---------------------------------------------------------------- calls we place

    /** INVITE {@code sip:<user>@<domain>} with our SDP; waits for the final answer; ACKs it. */
    public Call call(String user) {
        return call(user, sdp());
    }

    public Call call(String user, String offer) {
        return call("sip:" + user + "@" + domain, offer, true);
    }

    public Call call(String requestUri, String offer, boolean waitForFinal) {
        return call(requestUri, offer, waitForFinal, UUID.randomUUID() + "@test");
    }

    private Call call(String requestUri, String offer, boolean waitForFinal, String callId) {
        Map<String, String> headers = new LinkedHashMap<>();
        String localTag = tag();
        headers.put("From", "<" + aor() + ">;tag=" + localTag);
        headers.put("To", "<" + requestUri.replaceFirst(";.*$", "") + ">");
        headers.put("Call-ID", callId);
        headers.put("Contact", "<" + contact() + ">");
        Call call = new Call(this, headers.get("Call-ID"), "<" + aor() + ">;tag=" + localTag, headers.get("To"), requestUri);
        if (waitForFinal) {
            SipMessage answer = transaction("INVITE", requestUri, headers, offer, "application/sdp", password);
            call.established(answer);
        } else {
            call.pendingInvite = sendInviteWithAuth(requestUri, headers, offer);
        }
        return call;
    }

    private SipMessage sendInviteWithAuth(String uri, Map<String, String> headers, String offer) {
        long seq = cseq.getAndIncrement();
        String branch = branch();
        send("INVITE", uri, headers, seq, branch, offer, "application/sdp");
        SipMessage answer = awaitResponse(headers.get("Call-ID"), seq, "INVITE", m -> m.status() >= 200, DEFAULT_WAIT_MS);
        if (answer.status() == 407) {
            ackFailure(uri, headers, seq, branch, answer);
            headers.put("Proxy-Authorization", digest(answer.header("Proxy-Authenticate"), "INVITE", uri, password));
            seq = cseq.getAndIncrement();
            branch = branch();
            send("INVITE", uri, headers, seq, branch, offer, "application/sdp");
        }
        return pending(uri, headers, seq, branch);
    }

    private SipMessage pending(String uri, Map<String, String> headers, long seq, String branch) {
        // a synthetic marker of the INVITE in flight: what CANCEL and the final answer are matched against
        String text = "INVITE " + uri + " SIP/2.0\r\nVia: " + sentBy() + ";branch=" + branch
                + "\r\nFrom: " + headers.get("From") + "\r\nTo: " + headers.get("To") + "\r\nCall-ID: "
                + headers.get("Call-ID") + "\r\nCSeq: " + seq + " INVITE\r\nContent-Length: 0\r\n\r\n";
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return SipMessage.parse(b, b.length);
    }

    /** Runs one client transaction, answering a digest challenge once; ACKs a final answer to an INVITE. */
    private SipMessage transaction(String method, String uri, Map<String, String> headers, String body,
                                   String contentType, String withPassword) {
        long seq = cseq.getAndIncrement();
        String branch = branch();
        send(method, uri, headers, seq, branch, body, contentType);
        SipMessage answer = awaitResponse(headers.get("Call-ID"), seq, method, m -> m.status() >= 200, 10_000);
        if (answer.status() == 401 || answer.status() == 407) {
            if ("INVITE".equals(method)) {
                ackFailure(uri, headers, seq, branch, answer);
            }
            String challenge = answer.header(answer.status() == 401 ? "WWW-Authenticate" : "Proxy-Authenticate");
            headers.put(answer.status() == 401 ? "Authorization" : "Proxy-Authorization", digest(challenge, method, uri, withPassword));
            seq = cseq.getAndIncrement();
            branch = branch();
            send(method, uri, headers, seq, branch, body, contentType);
            if (closeOnceAuthenticatedSent) {
                closeOnceAuthenticatedSent = false;
                closeConnection();
                return null;
            }
            answer = awaitResponse(headers.get("Call-ID"), seq, method, m -> m.status() >= 200, 10_000);
        }
        if ("INVITE".equals(method) && answer.status() >= 300) {
            ackFailure(uri, headers, seq, branch, answer);
        }
        return answer;
    }

    /** The hop-by-hop ACK of a non-2xx final answer: same branch as the INVITE (RFC 3261 §17.1.1.3). */
    void ackFailure(String uri, Map<String, String> headers, long seq, String branch, SipMessage answer) {
        String text = "ACK " + uri + " SIP/2.0\r\n"
                + "Via: " + sentBy() + ";branch=" + branch + "\r\n"
                + "From: " + headers.get("From") + "\r\nTo: " + answer.header("To") + "\r\nCall-ID: " + headers.get("Call-ID")
                + "\r\nCSeq: " + seq + " ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        sendRaw(text.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- calls we receive

    /** Waits for the next request of that method sent to this phone. */
    public SipMessage awaitRequest(String method) {
        return awaitRequest(method, DEFAULT_WAIT_MS);
    }

    public SipMessage awaitRequest(String method, long timeoutMs) {
        return take(requests, m -> m.method().equals(method), timeoutMs,
                () -> extension + " got no " + method + " in " + timeoutMs + " ms; requests so far: " + summary(requests));
    }

    /** Waits for the next NOTIFY (or other request) whose Event header is {@code event}. */
    public SipMessage awaitRequest(String method, long timeoutMs, String event) {
        return take(requests, m -> m.method().equals(method) && event.equals(m.header("Event")), timeoutMs,
                () -> extension + " got no " + method + " of event " + event + " in " + timeoutMs + " ms; requests so far: "
                        + summary(requests));
    }

    /** True if a request of that method arrives within the time (used to assert that one does NOT arrive). */
    public boolean receives(String method, long withinMs) {
        try {
            awaitRequest(method, withinMs);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    public Call answer(SipMessage invite) {
        return answer(invite, sdp());
    }

    /** 180, then 200 with our SDP; waits for the ACK. */
    public Call answer(SipMessage invite, String answerSdp) {
        String localTag = localTagOf(invite);
        reply(invite, 180, "Ringing", localTag, null, null);
        reply(invite, 200, "OK", localTag, answerSdp, "application/sdp");
        Call call = new Call(this, invite.callId(), invite.header("To") + ";tag=" + localTag, invite.header("From"),
                SipMessage.uriOf(invite.header("Contact")));
        call.remoteCSeqSeen = invite.cseqNumber();
        call.ack = take(requests, m -> m.method().equals("ACK") && m.callId().equals(invite.callId()), DEFAULT_WAIT_MS,
                () -> extension + " got no ACK for its 200");
        return call;
    }

    public void reject(SipMessage invite, int status, String reason) {
        reply(invite, status, reason, localTagOf(invite), null, null);
    }

    /** 180 only: the phone rings and nobody picks up. */
    public void ring(SipMessage invite) {
        reply(invite, 180, "Ringing", localTagOf(invite), null, null);
    }

    /** One To-tag per INVITE, as a phone keeps its early dialog from 180 to the final answer. */
    private String localTagOf(SipMessage invite) {
        return localTags.computeIfAbsent(invite.branch(), b -> tag());
    }

    void reply(SipMessage request, int status, String reason, String localTag, String body, String contentType) {
        StringBuilder text = new StringBuilder("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String via : request.headers("via")) {
            text.append("Via: ").append(via).append("\r\n");
        }
        String to = request.header("to");
        text.append("From: ").append(request.header("from")).append("\r\n")
            .append("To: ").append(request.toTag() == null && status > 100 && localTag != null ? to + ";tag=" + localTag : to).append("\r\n")
            .append("Call-ID: ").append(request.callId()).append("\r\n")
            .append("CSeq: ").append(request.cseq()).append("\r\n");
        if (request.method().equals("INVITE") && status > 100 && status < 300) {
            // a proxy in the path (the cluster's load balancer) stays in the dialog (RFC 3261 §12.1.1)
            for (String recordRoute : request.headers("record-route")) {
                text.append("Record-Route: ").append(recordRoute).append("\r\n");
            }
        }
        if (request.method().equals("INVITE") && status >= 200 && status < 300) {
            text.append("Contact: <").append(contact()).append(">\r\n");
        }
        appendBody(text, body, contentType);
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (status >= 200) {
            answered.put(request.branch() + request.method(), bytes);
        }
        sendRaw(bytes);
    }

    // ---------------------------------------------------------------- wire

    void send(String method, String uri, Map<String, String> headers, long seq, String branch, String body, String contentType) {
        StringBuilder text = new StringBuilder(method).append(' ').append(uri).append(" SIP/2.0\r\n")
                .append("Via: ").append(sentBy()).append(";branch=").append(branch).append(";rport\r\n")
                .append("Max-Forwards: 70\r\n")
                .append("CSeq: ").append(seq).append(' ').append(method).append("\r\n")
                .append("User-Agent: cloudpark-test-phone\r\n");
        headers.forEach((k, v) -> text.append(k).append(": ").append(v).append("\r\n"));
        String route = preloadedRoute;
        if (route != null && !headers.containsKey("Route") && !headers.getOrDefault("To", "").contains(";tag=")
                && !unpinned.contains(headers.get("Call-ID"))) {
            text.append("Route: <").append(route).append(";lr>\r\n");
        }
        appendBody(text, body, contentType);
        sendRaw(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void appendBody(StringBuilder text, String body, String contentType) {
        if (body == null) {
            text.append("Content-Length: 0\r\n\r\n");
        } else {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            text.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(b.length).append("\r\n\r\n").append(body);
        }
    }

    /** Sends raw bytes to the server: also how tests send garbage. */
    public void sendRaw(byte[] bytes) {
        try {
            if (socket != null) {
                socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(SERVER), serverPort));
                return;
            }
            synchronized (this) {
                Socket open = connection.isClosed() ? connect() : connection;
                OutputStream out = open.getOutputStream();
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TCP: reads the messages of one connection, each framed by its Content-Length (RFC 3261 §18.3). */
    private void receiveStream(Socket from) {
        try (InputStream in = new BufferedInputStream(from.getInputStream())) {
            while (true) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                int matched = 0;
                while (matched < 4) {
                    int c = in.read();
                    if (c < 0) {
                        return;
                    }
                    if (head.size() == 0 && (c == '\r' || c == '\n')) {
                        continue; // keep-alive CRLFs between messages
                    }
                    head.write(c);
                    matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
                }
                SipMessage headers = SipMessage.parse(head.toByteArray(), head.size());
                String length = headers.header("content-length");
                byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length.trim()));
                head.write(body);
                dispatch(head.toByteArray(), head.size());
            }
        } catch (IOException | RuntimeException closed) {
            // the connection is gone: the phone's, or the server's doing
        }
    }

    private void dispatch(byte[] data, int length) {
        SipMessage message;
        try {
            message = SipMessage.parse(data, length);
        } catch (RuntimeException e) {
            return;
        }
        String start = message.startLine();
        if (!start.startsWith("SIP/2.0 ") && !start.endsWith(" SIP/2.0")) {
            return; // not SIP (stray media, say): a phone ignores it, and its receiving thread must not die of it
        }
        if (message.isRequest()) {
            onRequest(message);
        } else {
            onResponse(message);
        }
    }

    private void receive() {
        byte[] buffer = new byte[65_535];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                continue;
            }
            if (packet.getLength() < 10) {
                continue; // keep-alive
            }
            dispatch(packet.getData(), packet.getLength());
        }
    }

    private void onRequest(SipMessage request) {
        byte[] previous = answered.get(request.branch() + request.method());
        if (previous != null) {
            sendRaw(previous); // a retransmission: same answer again
            return;
        }
        if (request.toTag() != null && endedDialogs.contains(request.callId()) && !request.method().equals("ACK")) {
            reply(request, 481, "Call/Transaction Does Not Exist", null, null, null);
            return;
        }
        if (request.method().equals("BYE")) {
            endedDialogs.add(request.callId());
        }
        switch (request.method()) {
            case "INVITE" -> {
                invitesReceived.put(request.branch(), request);
                if (request.toTag() != null) {
                    // re-INVITE from the PBX (hold, retrieve, recall): accept with our media, unless told to wait
                    if (!leaveReinvitesUnanswered) {
                        reply(request, 200, "OK", null, sdp(), "application/sdp");
                    } else {
                        reply(request, 100, "Trying", null, null, null); // as a phone does, so no proxy gives up
                    }
                } else {
                    reply(request, 100, "Trying", null, null, null);
                }
            }
            case "NOTIFY" -> {
                String event = request.header("Event");
                int status = "park-info".equals(event) ? notifyAnswer
                        : "refer".equals(event) && leaveReferNotifiesUnanswered ? 0 : 200;
                if (status > 0) {
                    reply(request, status, status == 200 ? "OK" : "Test Answer", null, null, null);
                } else {
                    int received;
                    synchronized (unansweredNotifies) {
                        received = unansweredNotifies.merge(request.branch(), 1, Integer::sum);
                        unansweredNotifies.notifyAll();
                    }
                    if (received > 1) {
                        return; // a retransmission of one we leave unanswered
                    }
                }
            }
            case "BYE", "INFO", "UPDATE", "OPTIONS", "MESSAGE" -> reply(request, 200, "OK", null, null, null);
            case "REFER" -> {
                int status = referAnswer;
                reply(request, status, status == 202 ? "Accepted" : "Test Answer", null, null, null);
                if (status == 202) {
                    // not on the receiving thread: the new call waits for answers that thread brings
                    String target = SipMessage.uriOf(request.header("Refer-To"));
                    String callId = UUID.randomUUID() + "@test";
                    unpinned.add(callId); // the Refer-To says where it goes, not the node this phone is pinned to
                    transfers.add(CompletableFuture.supplyAsync(() -> call(target, sdp(), true, callId)));
                }
            }
            case "CANCEL" -> {
                reply(request, 200, "OK", null, null, null);
                // as a phone does, whether or not the test has taken the INVITE yet
                SipMessage invite = invitesReceived.get(request.branch());
                if (invite != null && !answered.containsKey(invite.branch() + "INVITE")) {
                    reply(invite, 487, "Request Terminated", localTagOf(invite), null, null);
                }
            }
            default -> { }
        }
        synchronized (requests) {
            requests.add(request);
            requests.notifyAll();
        }
    }

    private void onResponse(SipMessage response) {
        if (response.method().equals("INVITE") && response.status() >= 200 && response.status() < 300) {
            byte[] ack = acked.get(response.callId() + response.cseqNumber());
            if (ack != null) {
                sendRaw(ack); // the 2xx came again: our ACK was lost or late
                return;
            }
        }
        synchronized (responses) {
            responses.add(response);
            heard.add(response);
            responses.notifyAll();
        }
    }

    SipMessage awaitResponse(String callId, long seq, String method, Predicate<SipMessage> which, long timeoutMs) {
        return take(responses, m -> m.callId().equals(callId) && m.cseqNumber() == seq && m.method().equals(method) && which.test(m),
                timeoutMs, () -> extension + " got no answer to " + method + " (CSeq " + seq + ") in " + timeoutMs + " ms");
    }

    List<SipMessage> heardFor(String callId) {
        synchronized (responses) {
            return heard.stream().filter(m -> m.callId().equals(callId)).toList();
        }
    }

    /** All responses to that INVITE so far (provisional ones included). */
    List<SipMessage> responsesTo(String callId) {
        synchronized (responses) {
            return responses.stream().filter(m -> m.callId().equals(callId)).toList();
        }
    }

    void rememberAck(String callId, long seq, byte[] ack) {
        acked.put(callId + seq, ack);
    }

    private static SipMessage take(List<SipMessage> queue, Predicate<SipMessage> which, long timeoutMs,
                                   java.util.function.Supplier<String> failure) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (queue) {
            while (true) {
                for (Iterator<SipMessage> it = queue.iterator(); it.hasNext(); ) {
                    SipMessage m = it.next();
                    if (which.test(m)) {
                        it.remove();
                        return m;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError(failure.get());
                }
                try {
                    queue.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    private static String summary(List<SipMessage> queue) {
        synchronized (queue) {
            return queue.stream().map(SipMessage::startLine).toList().toString();
        }
    }

    /** Forgets everything received so far (between steps of a test). */
    public void clear() {
        synchronized (requests) {
            requests.clear();
        }
        synchronized (responses) {
            responses.clear();
        }
    }

    void ended(String callId) {
        endedDialogs.add(callId);
    }

    long nextCSeq() {
        return cseq.getAndIncrement();
    }

    static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static String branch() {
        return "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
    }

    /** RFC 2617 digest with qop=auth when the challenge offers it. */
    static String digest(String challenge, String method, String uri, String password, String username) {
        Map<String, String> c = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\w+)=(\"([^\"]*)\"|([^,\\s]+))").matcher(challenge);
        while (m.find()) {
            c.put(m.group(1).toLowerCase(), m.group(3) != null ? m.group(3) : m.group(4));
        }
        String realm = c.get("realm");
        String nonce = c.get("nonce");
        String ha1 = md5(username + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + uri);
        String cnonce = tag();
        String nc = "00000001";
        boolean qop = c.containsKey("qop");
        String response = qop ? md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2) : md5(ha1 + ":" + nonce + ":" + ha2);
        return "Digest username=\"" + username + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=MD5" + (qop ? ", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce + "\"" : "");
    }

    private String digest(String challenge, String method, String uri, String withPassword) {
        return digest(challenge, method, uri, withPassword, extension);
    }

    static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        media.close();
        if (socket != null) {
            socket.close();
            return;
        }
        try {
            connection.close();
            unreachable.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}
