package io.cloudpark.admin;

import java.io.IOException;
import java.util.Locale;

import javax.servlet.AsyncContext;

import org.apache.log4j.Logger;

import io.cloudpark.app.CloudparkApp;
import io.cloudpark.park.ParkEventStore;
import io.cloudpark.tenant.Tenant;
import io.cloudpark.tenant.TenantDirectory;

/** {@code /api/tenants/{domain}/events}: the tenant's live park events as Server-Sent Events. */
final class EventResources {
    private static final Logger LOG = Logger.getLogger(EventResources.class);
    private static final int REPLAY_PAGE = 500;

    private final TenantDirectory directory;
    private final ParkEventStore events;
    private final EventStreams streams;

    EventResources(CloudparkApp app, EventStreams streams) {
        this.directory = app.database().tenants();
        this.events = app.database().parkEvents();
        this.streams = streams;
    }

    void addTo(Routes routes) {
        routes.add("GET", "tenants/{d}/events", this::stream);
    }

    /** As every tenant resource: what the caller may not see is answered exactly as what does not exist. */
    private Tenant tenant(Exchange x) throws ApiError {
        String domain = x.param(0).toLowerCase(Locale.ROOT);
        return directory.tenantByDomain(domain).filter(t -> x.caller.maySee(t.id()))
                .orElseThrow(() -> ApiError.notFound("no tenant " + domain));
    }

    private void stream(Exchange x) throws ApiError, IOException {
        Tenant tenant = tenant(x.queryOnly("since"));
        long lastEventId = lastEventId(x);
        if (!streams.reserve()) {
            LOG.warn("event stream of " + tenant.domain() + " for " + x.caller.name() + " refused: "
                    + streams.maxStreams() + " streams open (CLOUDPARK_EVENT_STREAMS_MAX)");
            throw ApiError.withHeader(503, "unavailable", "too many event streams open on this node (at most "
                    + streams.maxStreams() + "): try again later", "Retry-After", "5");
        }
        AsyncContext async;
        try {
            x.response.setStatus(200);
            x.response.setContentType("text/event-stream");
            x.response.setCharacterEncoding("UTF-8");
            x.response.setHeader("Cache-Control", "no-store");
            x.response.setHeader("X-Accel-Buffering", "no"); // a proxy in front must not hold the events back
            async = x.request.startAsync();
            async.setTimeout(0); // open until the client or the node goes; the keep-alive finds dead clients
        } catch (RuntimeException e) {
            streams.release();
            throw e;
        }
        streams.open(async, tenant, lastEventId,
                (tenantId, after, through) -> events.after(tenantId, after, through, REPLAY_PAGE));
    }

    /**
     * Where to resume: the {@code Last-Event-ID} header (an EventSource sends it on reconnect), else {@code ?since=};
     * neither: from now on.
     */
    private long lastEventId(Exchange x) throws ApiError {
        String header = x.request.getHeader("Last-Event-ID");
        String field = header != null && !header.isBlank() ? "Last-Event-ID" : "since";
        String value = header != null && !header.isBlank() ? header.trim() : x.query("since", 20);
        if (value == null) {
            return Long.MAX_VALUE;
        }
        try {
            long id = Long.parseLong(value);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiError.badRequest(field, "must be an event id (a whole number of at least 0)");
    }
}
