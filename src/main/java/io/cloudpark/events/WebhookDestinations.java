package io.cloudpark.events;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where webhooks may send: only http(s) URLs a tenant admin configured, and only to hosts the operator allows.
 * <p>
 * With CLOUDPARK_WEBHOOK_ALLOWED_HOSTS empty (the default) there are no webhooks: the server opens no connection the
 * operator did not allow. {@code *} allows any host whose addresses are none of loopback, link-local (cloud metadata
 * services live there), wildcard or multicast. A list allows only the hosts it names ({@code crm.example.com}, or
 * {@code .example.com} for every host under it, or an address), whatever they resolve to.
 * The URL is checked when it is configured and its host's addresses again before each delivery.
 */
public final class WebhookDestinations {
    public static final int MAX_URL = 2048;

    private final List<String> allowedHosts;

    /** The value of CLOUDPARK_WEBHOOK_ALLOWED_HOSTS that allows any public host. */
    public static final String ANY_PUBLIC_HOST = "*";

    public WebhookDestinations(List<String> allowedHosts) {
        this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    /** Why the URL may not be configured, or empty if it may. */
    public Optional<String> refusal(String url) {
        if (url.length() > MAX_URL) {
            return Optional.of("at most " + MAX_URL + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must be an http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry credentials: the signature authenticates the sender");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("must not have a #fragment");
        }
        return hostRefusal(uri.getHost(), false);
    }

    /** Before a delivery: the host is allowed and, when any public host is, none of its addresses is internal. */
    Optional<String> deliveryRefusal(URI uri) {
        return hostRefusal(uri.getHost(), true);
    }

    private Optional<String> hostRefusal(String rawHost, boolean resolve) {
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (allowedHosts.isEmpty()) {
            return Optional.of("webhooks are off on this server: the operator allows destinations with"
                    + " CLOUDPARK_WEBHOOK_ALLOWED_HOSTS");
        }
        if (!allowedHosts.contains(ANY_PUBLIC_HOST)) {
            for (String allowed : allowedHosts) {
                if (allowed.equals(host) || (allowed.startsWith(".") && host.endsWith(allowed))) {
                    return Optional.empty();
                }
            }
            return Optional.of("host " + host + " is not in the operator's CLOUDPARK_WEBHOOK_ALLOWED_HOSTS");
        }
        boolean literal = host.matches("[0-9.]+") || host.contains(":");
        if (!literal && !resolve) {
            return host.equals("localhost") || host.endsWith(".localhost")
                    ? Optional.of("host " + host + " is loopback") : Optional.empty();
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
                        || address.isMulticastAddress()) {
                    return Optional.of("host " + host + " is a loopback, link-local, wildcard or multicast address"
                            + " (the operator may allow it with CLOUDPARK_WEBHOOK_ALLOWED_HOSTS)");
                }
            }
            return Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.of("host " + host + " does not resolve");
        }
    }
}
