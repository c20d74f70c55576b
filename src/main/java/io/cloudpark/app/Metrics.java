package io.cloudpark.app;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.cloudpark.park.ParkService.ParkRefusal;
import io.cloudpark.park.Resolution;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;

/**
 * What the node did since it started, for {@code GET /metrics} (Prometheus client library) and the JMX console.
 * One registry per application, not the library's global one, so that a redeploy starts clean. No label takes a
 * tenant or an extension: at 10,000 tenants that would be unbounded.
 */
public final class Metrics {
    /** REFER to the first park-info NOTIFY, and retrieve INVITE to its 200: milliseconds matter. */
    private static final double[] SIGNALLING_BUCKETS = {.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5};

    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final Counter parks = Counter.build("cloudpark_parks", "Calls parked").register(registry);
    private final Counter refusals = Counter.build("cloudpark_park_refusals", "Parks refused, by reason")
            .labelNames("reason").register(registry);
    private final Counter resolutions = Counter.build("cloudpark_park_resolutions", "Parked calls ended, by resolution")
            .labelNames("resolution").register(registry);
    private final Counter retrieveMisses = Counter.build("cloudpark_retrieve_misses",
            "Retrieves that found nothing or lost a race").register(registry);
    private final Counter notifiesSent = Counter.build("cloudpark_park_info_notify_sent", "park-info NOTIFYs sent")
            .register(registry);
    private final Counter notifiesFailed = Counter.build("cloudpark_park_info_notify_failed",
            "park-info NOTIFYs answered with an error or not at all").register(registry);
    private final Counter registrations = Counter.build("cloudpark_registrations", "Successful REGISTERs")
            .register(registry);
    private final Histogram referToParkInfo = Histogram.build("cloudpark_refer_to_park_info_seconds",
            "From a park's REFER to its first park-info NOTIFY").buckets(SIGNALLING_BUCKETS).register(registry);
    private final Histogram retrieveLatency = Histogram.build("cloudpark_retrieve_seconds",
            "From a retrieve INVITE to its 200").buckets(SIGNALLING_BUCKETS).register(registry);
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    private record Gauge(String help, LongSupplier value) {
    }

    public Metrics() {
        for (ParkRefusal r : ParkRefusal.values()) {
            refusals.labels(r.name());
        }
        for (Resolution r : Resolution.values()) {
            resolutions.labels(r.name());
        }
        DefaultExports.register(registry);
        new GaugeCollector().register(registry);
    }

    /** Where other collectors (the connection pool's) register, to be scraped with these. */
    public CollectorRegistry registry() {
        return registry;
    }

    public void parked() {
        parks.inc();
    }

    public void refused(ParkRefusal reason) {
        refusals.labels(reason.name()).inc();
    }

    public void ended(Resolution resolution) {
        resolutions.labels(resolution.name()).inc();
    }

    public void retrieveMissed() {
        retrieveMisses.inc();
    }

    public void notifySent() {
        notifiesSent.inc();
    }

    public void notifyFailed() {
        notifiesFailed.inc();
    }

    public void registered() {
        registrations.inc();
    }

    public void parkAnnounced(Duration sinceRefer) {
        referToParkInfo.observe(sinceRefer.toNanos() / 1e9);
    }

    public void retrieveAnswered(Duration sinceInvite) {
        retrieveLatency.observe(sinceInvite.toNanos() / 1e9);
    }

    /** A value read at each scrape, registered by whoever owns it. */
    public void gauge(String name, String help, LongSupplier value) {
        gauges.put(name, new Gauge(help, value));
    }

    public long parks() {
        return (long) parks.get();
    }

    public Map<String, Long> refusals() {
        return byLabel(refusals);
    }

    public Map<String, Long> resolutions() {
        return byLabel(resolutions);
    }

    public long notifiesSent() {
        return (long) notifiesSent.get();
    }

    public long notifiesFailed() {
        return (long) notifiesFailed.get();
    }

    public long registrations() {
        return (long) registrations.get();
    }

    /** The gauge's value now; 0 while its owner has not registered it. */
    public long gaugeValue(String name) {
        Gauge gauge = gauges.get(name);
        return gauge == null ? 0 : gauge.value().getAsLong();
    }

    private static Map<String, Long> byLabel(Counter counter) {
        Map<String, Long> out = new TreeMap<>();
        for (Collector.MetricFamilySamples family : counter.collect()) {
            for (Collector.MetricFamilySamples.Sample sample : family.samples) {
                if (sample.name.endsWith("_total")) {
                    out.put(sample.labelValues.get(0), (long) sample.value);
                }
            }
        }
        return out;
    }

    /** The Prometheus text exposition format (0.0.4) of everything registered. */
    public String prometheusText() {
        StringWriter out = new StringWriter();
        try {
            TextFormat.write004(out, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The gauges other parts of the application own, read when scraped. */
    private final class GaugeCollector extends Collector {
        @Override
        public List<MetricFamilySamples> collect() {
            return gauges.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .<MetricFamilySamples>map(e -> new GaugeMetricFamily(e.getKey(), e.getValue().help(),
                            e.getValue().value().getAsLong()))
                    .toList();
        }
    }
}
