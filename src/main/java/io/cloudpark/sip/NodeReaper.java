package io.cloudpark.sip;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.log4j.Logger;

import io.cloudpark.cluster.Cluster;
import io.cloudpark.cluster.KamailioRpc;
import io.cloudpark.cluster.Node;
import io.cloudpark.park.ParkedCall;
import io.cloudpark.park.Resolution;

/**
 * A node that stopped beating held its parked calls' dialogs, and they died with it. Every second one survivor
 * at a time (the store's exclusive lock) takes such a node's calls: each one its node let be moved is moved to a live
 * node ({@link ReparkFlow}, through Kamailio), every other one is closed FAILED, through the one end of a park
 * ({@link SipCore#endPark}, which clears the devices). Then Kamailio, when one is configured, BYEs every other call
 * that went through the dead node, so no parked party is left in silence.
 */
final class NodeReaper {
    private static final Logger LOG = Logger.getLogger(NodeReaper.class);
    static final String ENDED_BY = "reaper";

    private final SipCore core;
    private final KamailioRpc kamailio;
    private final ReparkFlow reparks;

    NodeReaper(SipCore core, KamailioRpc kamailio, ReparkFlow reparks) {
        this.core = core;
        this.kamailio = kamailio;
        this.reparks = reparks;
    }

    void start() {
        long period = Cluster.REAP_EVERY.toMillis();
        core.app.scheduler().scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            Cluster cluster = core.app.cluster();
            cluster.exclusively(() -> {
                cluster.unreaped().forEach(this::reap);
                return Boolean.TRUE;
            });
        } catch (RuntimeException e) {
            LOG.warn("reaper: " + e.getMessage());
        }
    }

    private void reap(Node dead) {
        List<ParkedCall> calls = core.app.parkService().ownedBy(dead.id());
        LOG.warn("node " + dead.id() + " stopped beating at " + dead.lastSeen() + ": taking its " + calls.size()
                + " parked calls");
        List<KamailioRpc.Dialog> dialogs = dialogsThrough(dead);
        Set<String> moving = new HashSet<>();
        for (ParkedCall call : calls) {
            core.directory.tenantById(call.tenantId()).ifPresent(tenant -> {
                Optional<String> moved = reparks.move(tenant, call, dead, dialogs);
                if (moved.isPresent()) {
                    moving.add(moved.get());
                } else {
                    core.endPark(tenant, call.id(), Resolution.FAILED, ENDED_BY);
                }
            });
        }
        if (kamailio.enabled()) {
            try {
                LOG.info("node " + dead.id() + ": Kamailio ended " + kamailio.endDialogsThrough(dead.sipUri(), moving)
                        + " calls, moves " + moving.size());
            } catch (Exception e) {
                LOG.warn("node " + dead.id() + ": Kamailio could not end its calls: " + e.getMessage());
            }
        }
        // last, so that a survivor dying half-way leaves the rest to the next one
        core.app.cluster().takeReaping(dead);
    }

    /** The calls Kamailio has through the dead node; none known (so none moved) when it cannot say. */
    private List<KamailioRpc.Dialog> dialogsThrough(Node dead) {
        try {
            return kamailio.dialogsThrough(dead.sipUri());
        } catch (IOException e) {
            LOG.warn("node " + dead.id() + ": Kamailio could not list its calls: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }
}
