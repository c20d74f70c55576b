package io.cloudpark.container;

import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;

/**
 * A {@code <Listener>} of the assembled container's server.xml, loaded from {@code lib/cloudpark-container-support.jar}:
 * puts the non-reporting statistics reporter in place before Restcomm's dispatcher is created, so the container itself
 * never reports, and no application has to swap a reporter of its own class loader into the container.
 */
public final class NoPhoneHomeListener implements LifecycleListener {
    @Override
    public void lifecycleEvent(LifecycleEvent event) {
        if (Lifecycle.BEFORE_INIT_EVENT.equals(event.getType())) {
            NonReportingStatsReporter.install();
        }
    }
}
