package io.cloudpark.sip;

import javax.servlet.sip.SipServletContextEvent;
import javax.servlet.sip.SipServletListener;

/**
 * The container's signal that the SIP servlet is initialised and the application deployed: only from then on do
 * requests it sends (the NOTIFYs that clear a restart's lost calls) leave the node.
 */
public final class SipApplicationReady implements SipServletListener {
    @Override
    public void servletInitialized(SipServletContextEvent event) {
        if (event.getSipServlet() instanceof CloudparkSipServlet servlet) {
            servlet.applicationReady();
        }
    }
}
