package io.cloudpark.sip;

import java.util.concurrent.atomic.AtomicLong;

import javax.servlet.sip.SipApplicationSessionEvent;
import javax.servlet.sip.SipApplicationSessionListener;
import javax.servlet.sip.SipServletContextEvent;
import javax.servlet.sip.SipServletListener;

import io.cloudpark.app.CloudparkApp;

/**
 * Counts the container's live application sessions for {@code /metrics}. sip.xml turns the container's session
 * expiry off, so every session stays until the application releases it: this gauge is how an operator (and the
 * tests) see that calls, registrations and refusals leave nothing behind.
 */
public final class LiveSessionGauge implements SipApplicationSessionListener, SipServletListener {
    public static final String NAME = "cloudpark_sip_application_sessions";
    private final AtomicLong live = new AtomicLong();

    @Override
    public void servletInitialized(SipServletContextEvent event) {
        CloudparkApp.of(event.getServletContext()).metrics().gauge(NAME,
                "SIP application sessions the container holds (calls, parked calls, transactions in flight)", live::get);
    }

    @Override
    public void sessionCreated(SipApplicationSessionEvent event) {
        live.incrementAndGet();
    }

    @Override
    public void sessionDestroyed(SipApplicationSessionEvent event) {
        live.decrementAndGet();
    }

    @Override
    public void sessionExpired(SipApplicationSessionEvent event) {
        // followed by sessionDestroyed unless the application extends it
    }

    @Override
    public void sessionReadyToInvalidate(SipApplicationSessionEvent event) {
        // the container invalidates it next (invalidate-when-ready is on)
    }
}
