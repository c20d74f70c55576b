package io.cloudpark.app;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.AtomicLong;

import io.cloudpark.park.ParkService.ParkRefusal;
import io.cloudpark.park.Resolution;

/** Counters of what the node did since it started, for {@code GET /metrics} (Prometheus text format). */
public final class Metrics {
    private final AtomicLong parks = new AtomicLong();
    private final Map<ParkRefusal, AtomicLong> refusals = new EnumMap<>(ParkRefusal.class);
    private final Map<Resolution, AtomicLong> resolutions = new EnumMap<>(Resolution.class);
    private final AtomicLong retrieveMisses = new AtomicLong();
    private final AtomicLong notifiesSent = new AtomicLong();
    private final AtomicLong notifiesFailed = new AtomicLong();
    private final AtomicLong registrations = new AtomicLong();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    private record Gauge(String help, LongSupplier value) {
    }

    public Metrics() {
        for (ParkRefusal r : ParkRefusal.values()) {
            refusals.put(r, new AtomicLong());
        }
        for (Resolution r : Resolution.values()) {
            resolutions.put(r, new AtomicLong());
        }
    }

    public void parked() {
        parks.incrementAndGet();
    }

    public void refused(ParkRefusal reason) {
        refusals.get(reason).incrementAndGet();
    }

    public void ended(Resolution resolution) {
        resolutions.get(resolution).incrementAndGet();
    }

    public void retrieveMissed() {
        retrieveMisses.incrementAndGet();
    }

    public void notifySent() {
        notifiesSent.incrementAndGet();
    }

    public void notifyFailed() {
        notifiesFailed.incrementAndGet();
    }

    public void registered() {
        registrations.incrementAndGet();
    }

    /** A value read at each scrape, registered by whoever owns it. */
    public void gauge(String name, String help, LongSupplier value) {
        gauges.put(name, new Gauge(help, value));
    }

    public long parks() {
        return parks.get();
    }

    public Map<String, Long> refusals() {
        return snapshot(refusals);
    }

    public Map<String, Long> resolutions() {
        return snapshot(resolutions);
    }

    public long notifiesSent() {
        return notifiesSent.get();
    }

    public long notifiesFailed() {
        return notifiesFailed.get();
    }

    public long registrations() {
        return registrations.get();
    }

    /** The gauge's value now; 0 while its owner has not registered it. */
    public long gaugeValue(String name) {
        Gauge gauge = gauges.get(name);
        return gauge == null ? 0 : gauge.value().getAsLong();
    }

    private static Map<String, Long> snapshot(Map<? extends Enum<?>, AtomicLong> counters) {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((key, n) -> out.put(key.name(), n.get()));
        return out;
    }

    public String prometheusText() {
        StringBuilder out = new StringBuilder();
        counter(out, "cloudpark_parks_total", "Calls parked", parks.get());
        out.append("# HELP cloudpark_park_refusals_total Parks refused, by reason\n# TYPE cloudpark_park_refusals_total counter\n");
        refusals.forEach((r, n) -> out.append("cloudpark_park_refusals_total{reason=\"").append(r).append("\"} ").append(n.get()).append('\n'));
        out.append("# HELP cloudpark_park_resolutions_total Parked calls ended, by resolution\n# TYPE cloudpark_park_resolutions_total counter\n");
        resolutions.forEach((r, n) -> out.append("cloudpark_park_resolutions_total{resolution=\"").append(r).append("\"} ").append(n.get()).append('\n'));
        counter(out, "cloudpark_retrieve_misses_total", "Retrieves that found nothing or lost a race", retrieveMisses.get());
        counter(out, "cloudpark_park_info_notify_sent_total", "park-info NOTIFYs sent", notifiesSent.get());
        counter(out, "cloudpark_park_info_notify_failed_total", "park-info NOTIFYs answered with an error or not at all", notifiesFailed.get());
        counter(out, "cloudpark_registrations_total", "Successful REGISTERs", registrations.get());
        gauges.forEach((name, gauge) -> out.append("# HELP ").append(name).append(' ').append(gauge.help()).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(gauge.value().getAsLong()).append('\n'));
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
           .append("# TYPE ").append(name).append(" counter\n")
           .append(name).append(' ').append(value).append('\n');
    }
}
