package io.cloudpark.sip;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.apache.log4j.Logger;

import io.cloudpark.tenant.Binding;
import io.cloudpark.tenant.Tenant;

/**
 * Where park-info fan-out runs: the one place that decides which thread sends what, so the answer a flow owes (the
 * retriever's 200, the parker's sipfrag) leaves first and the NOTIFYs to every watching device follow on the
 * application's fan-out lanes, never on the SIP thread that answered.
 * <p>
 * Each NOTIFY is an out-of-dialog request in an application session of its own, made and sent on the lane, so no
 * other session's state is touched off its container thread. Order: what concerns one extension (working out who is
 * told) runs on one lane in the order announced, and each device's NOTIFYs run on its own lane in that same order, so
 * no device sees an older park-info after a newer one; the devices of one announcement spread over all lanes.
 */
final class FanOut {
    private static final Logger LOG = Logger.getLogger(FanOut.class);

    private final List<ExecutorService> lanes;

    FanOut(List<ExecutorService> lanes) {
        this.lanes = lanes;
    }

    /** Runs what follows a change at an extension: after every task given for that extension before. */
    void forExtension(Tenant tenant, String extension, Runnable task) {
        run(tenant.id() + "/" + extension, task);
    }

    /** Runs a send to one device: after every send given for that device before. */
    void forDevice(Binding device, Runnable task) {
        run(device.contactUri(), task);
    }

    private void run(String key, Runnable task) {
        try {
            lanes.get(Math.floorMod(key.hashCode(), lanes.size())).execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("park-info fan-out for " + key + " failed: " + e.getMessage(), e);
                }
            });
        } catch (RejectedExecutionException stopped) {
            LOG.info("park-info for " + key + " not sent: the application is stopping");
        }
    }
}
