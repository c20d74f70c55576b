package io.cloudpark.sip;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.servlet.sip.Address;
import javax.servlet.ServletException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.apache.log4j.Logger;

import io.cloudpark.park.Party;
import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Tenant;

/**
 * Rings every registered device of an extension at once (parallel fork): the first 2xx wins, the other branches
 * are CANCELled, and a second 2xx that crossed the CANCEL is ACKed and hung up. The owner hears of provisional
 * answers, the winner, or the best failure once every branch has failed.
 */
final class Fork {
    private static final Logger LOG = Logger.getLogger(Fork.class);

    /** One device to ring: its contact, and who it belongs to (the To of its INVITE). */
    record Target(Binding device, Party callee, String extension) { }

    interface Listener {
        void ringing(SipServletResponse provisional) throws Exception;

        void answered(SipServletResponse answer, Leg answeredLeg) throws Exception;

        void failed(int status) throws Exception;
    }

    private final SipApplicationSession appSession;
    private final Listener listener;
    /**
     * Branches without a final answer yet, by Call-ID: each branch has its own, and unlike the SIP session's id it
     * stays the same once the device's To-tag comes back.
     */
    private final Map<String, SipServletRequest> pending = new HashMap<>();
    private final Map<String, Boolean> cancelWhenProvisional = new HashMap<>();
    private String winnerCallId;
    private boolean cancelled;
    private int bestFailure;

    private Fork(SipApplicationSession appSession, Listener listener) {
        this.appSession = appSession;
        this.listener = listener;
    }

    /**
     * @param body the SDP offer, or null to ask each device for an offer (3PCC late offer, as the recall does)
     */
    static Fork ring(SipCore core, SipApplicationSession appSession, Address from, List<Target> targets, byte[] body,
                     Map<String, String> headers, Tenant tenant, Listener listener) throws ServletException {
        Fork fork = new Fork(appSession, listener);
        synchronized (fork) {
            for (Target target : targets) {
                SipServletRequest invite = core.factory.createRequest(appSession, "INVITE", from, core.address(target.callee()));
                invite.setRequestURI(core.factory.createURI(target.device().contactUri()));
                core.routeTo(invite, target.device());
                headers.forEach(invite::setHeader);
                invite.getSession().setHandler(core.handler);
                Leg leg = Leg.attach(invite.getSession(), tenant, target.callee(), target.extension());
                try {
                    SipMessages.setSdp(invite, leg.stamp(body));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                Callbacks.onResponse(invite, fork::onResponse);
                fork.pending.put(invite.getCallId(), invite);
            }
            for (SipServletRequest invite : List.copyOf(fork.pending.values())) {
                SipMessages.send(invite);
            }
        }
        return fork;
    }

    private void onResponse(SipServletResponse response) throws Exception {
        String branch = response.getCallId();
        int status = response.getStatus();
        if (status < 200) {
            boolean ringing;
            synchronized (this) {
                if (Boolean.TRUE.equals(cancelWhenProvisional.remove(branch))) {
                    cancel(pending.get(branch));
                }
                ringing = winnerCallId == null && !cancelled && pending.containsKey(branch);
            }
            if (ringing) {
                listener.ringing(response);
            }
            return;
        }
        if (status < 300) {
            boolean won;
            synchronized (this) {
                if (branch.equals(winnerCallId)) {
                    return; // a retransmitted 2xx
                }
                won = winnerCallId == null && !cancelled;
                pending.remove(branch);
                if (won) {
                    winnerCallId = branch;
                    cancelAll();
                }
            }
            if (won) {
                listener.answered(response, Leg.of(response.getSession()));
            } else {
                // answered after another device (or after the caller gave up): take it and drop it
                SipMessages.ack(response, null);
                SipMessages.hangUp(Leg.of(response.getSession()));
                endIfNobodyAnswered();
            }
            return;
        }
        boolean allFailed;
        synchronized (this) {
            if (pending.remove(branch) == null) {
                return;
            }
            if (status != 487) {
                bestFailure = better(bestFailure, status);
            }
            allFailed = pending.isEmpty() && winnerCallId == null && !cancelled;
        }
        try {
            if (allFailed) {
                listener.failed(bestFailure == 0 ? 480 : bestFailure);
            }
        } finally {
            endIfNobodyAnswered();
        }
    }

    /** Every branch is over and none won: the fork's session (and the caller's, who has had their answer) ends. */
    private void endIfNobodyAnswered() {
        boolean over;
        synchronized (this) {
            over = pending.isEmpty() && winnerCallId == null;
        }
        if (over) {
            ApplicationSessions.endAfterAck(appSession);
        }
    }

    /** Busy beats everything (the callee is there, just occupied); then the lowest status seen. */
    private static int better(int best, int status) {
        if (best == 486 || best == 600) {
            return best;
        }
        if (status == 486 || status == 600) {
            return status;
        }
        return best == 0 ? status : Math.min(best, status);
    }

    /** Stops ringing. Returns false when a device answered first (the caller must deal with the answer). */
    synchronized boolean cancel() {
        if (winnerCallId != null) {
            return false;
        }
        cancelled = true;
        cancelAll();
        return true;
    }

    private void cancelAll() {
        for (Map.Entry<String, SipServletRequest> branch : pending.entrySet()) {
            if (!cancel(branch.getValue())) {
                cancelWhenProvisional.put(branch.getKey(), Boolean.TRUE);
            }
        }
    }

    /** A CANCEL may only follow a provisional answer (RFC 3261 §9.1); false means: try again when one comes. */
    private static boolean cancel(SipServletRequest invite) {
        if (invite == null) {
            return true;
        }
        try {
            invite.createCancel().send();
            return true;
        } catch (IOException | IllegalStateException e) {
            LOG.debug("CANCEL deferred until a provisional answer: " + e.getMessage());
            return false;
        }
    }
}
