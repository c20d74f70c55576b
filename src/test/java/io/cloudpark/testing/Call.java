package io.cloudpark.testing;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A dialog as one test phone sees it: what it can send inside it, and what it got. */
public final class Call {
    private final TestPhone phone;
    private final String callId;
    private final String local;
    private String remote;
    private String remoteTarget;
    private SipMessage answer;
    SipMessage pendingInvite;
    SipMessage ack;
    long remoteCSeqSeen;

    Call(TestPhone phone, String callId, String local, String remote, String remoteTarget) {
        this.phone = phone;
        this.callId = callId;
        this.local = local;
        this.remote = remote;
        this.remoteTarget = remoteTarget;
    }

    void established(SipMessage finalAnswer) {
        this.answer = finalAnswer;
        if (finalAnswer.status() >= 200 && finalAnswer.status() < 300) {
            remote = finalAnswer.header("To");
            remoteTarget = SipMessage.uriOf(finalAnswer.header("Contact"));
            sendAck(finalAnswer.cseqNumber());
        }
    }

    private void sendAck(long seq) {
        String text = "ACK " + remoteTarget + " SIP/2.0\r\n"
                + "Via: " + phone.sentBy() + ";branch=" + TestPhone.branch() + "\r\n"
                + "Max-Forwards: 70\r\nFrom: " + local + "\r\nTo: " + remote + "\r\nCall-ID: " + callId
                + "\r\nCSeq: " + seq + " ACK\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        phone.rememberAck(callId, seq, bytes);
        phone.sendRaw(bytes);
    }

    public String callId() {
        return callId;
    }

    /** This dialog as a Replaces header value names it (RFC 3891), from this phone's side. */
    public String replaces() {
        return callId + ";to-tag=" + SipMessage.param(remote, "tag") + ";from-tag=" + SipMessage.param(local, "tag");
    }

    /** The final answer to the INVITE that made this call. */
    public SipMessage answer() {
        return answer;
    }

    public int status() {
        return answer.status();
    }

    public String remoteSdp() {
        return answer.body();
    }

    /** The ACK the PBX sent for the 200 of a call this phone answered. */
    public SipMessage ack() {
        return ack;
    }

    /** For a call placed without waiting: the final answer (ACKed like any). */
    public SipMessage awaitFinal(long timeoutMs) {
        SipMessage finalAnswer = phone.awaitResponse(callId, pendingInvite.cseqNumber(), "INVITE", m -> m.status() >= 200, timeoutMs);
        if (finalAnswer.status() >= 300) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("From", local);
            headers.put("Call-ID", callId);
            phone.ackFailure(pendingInvite.requestUri(), headers, pendingInvite.cseqNumber(), pendingInvite.branch(), finalAnswer);
            answer = finalAnswer;
        } else {
            established(finalAnswer);
        }
        return finalAnswer;
    }

    /**
     * For a call placed without waiting: the final answer, a 2xx not yet ACKed (a phone whose BYE crosses the 200);
     * {@link #ackAnswer()} sends the ACK.
     */
    public SipMessage awaitFinalWithoutAck(long timeoutMs) {
        SipMessage finalAnswer = phone.awaitResponse(callId, pendingInvite.cseqNumber(), "INVITE", m -> m.status() >= 200, timeoutMs);
        answer = finalAnswer;
        remote = finalAnswer.header("To");
        remoteTarget = SipMessage.uriOf(finalAnswer.header("Contact"));
        return finalAnswer;
    }

    /** The ACK of the 2xx {@link #awaitFinalWithoutAck} left unacknowledged. */
    public void ackAnswer() {
        sendAck(answer.cseqNumber());
    }

    /**
     * The statuses of the responses to this call's INVITEs, in the order they arrived, finals included; 100 and the
     * digest challenge (401, 407) left out, and a response repeated back to back (a retransmission) counted once.
     */
    public java.util.List<Integer> statusesHeard() {
        java.util.List<Integer> statuses = new java.util.ArrayList<>();
        for (SipMessage response : phone.heardFor(callId)) {
            boolean repeated = !statuses.isEmpty() && statuses.get(statuses.size() - 1) == response.status();
            boolean challenge = response.status() == 401 || response.status() == 407;
            if (response.method().equals("INVITE") && response.status() > 100 && !challenge && !repeated) {
                statuses.add(response.status());
            }
        }
        return statuses;
    }

    /** All responses to this call's INVITE so far, provisional ones included. */
    public java.util.List<SipMessage> responses() {
        return phone.responsesTo(callId);
    }

    /** CANCEL of a call placed without waiting (same branch and CSeq number as the INVITE). */
    public void cancel() {
        String text = "CANCEL " + pendingInvite.requestUri() + " SIP/2.0\r\n"
                + "Via: " + pendingInvite.header("Via") + "\r\nMax-Forwards: 70\r\nFrom: " + local + "\r\nTo: "
                + pendingInvite.header("To") + "\r\nCall-ID: " + callId + "\r\nCSeq: " + pendingInvite.cseqNumber()
                + " CANCEL\r\nContent-Length: 0\r\n\r\n";
        phone.sendRaw(text.getBytes(StandardCharsets.UTF_8));
    }

    public SipMessage refer(String referTo) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Refer-To", "<" + referTo + ">");
        headers.put("Referred-By", "<" + phone.aor() + ">");
        return request("REFER", headers, null, null);
    }

    public SipMessage refer(Map<String, String> headers) {
        return request("REFER", new LinkedHashMap<>(headers), null, null);
    }

    public SipMessage bye() {
        phone.ended(callId);
        return request("BYE", new LinkedHashMap<>(), null, null);
    }

    public SipMessage reinvite(String sdp) {
        SipMessage reply = request("INVITE", new LinkedHashMap<>(), sdp, "application/sdp");
        if (reply.status() >= 200 && reply.status() < 300) {
            sendAck(reply.cseqNumber());
        }
        return reply;
    }

    /** Sends a request inside this dialog and waits for its final answer. */
    public SipMessage request(String method, Map<String, String> headers, String body, String contentType) {
        long seq = phone.nextCSeq();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("From", local);
        all.put("To", remote);
        all.put("Call-ID", callId);
        all.put("Contact", "<" + phone.contact() + ">");
        all.putAll(headers);
        phone.send(method, remoteTarget, all, seq, TestPhone.branch(), body, contentType);
        return phone.awaitResponse(callId, seq, method, m -> m.status() >= 200, 5_000);
    }
}
