package io.cloudpark.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container's live SIP application sessions, from the {@code cloudpark_sip_application_sessions} gauge of
 * {@code /metrics}. A leak shows as a count that never comes back down once every flow has ended.
 */
public final class LiveSessions {
    private LiveSessions() {
    }

    public static long now() {
        String metrics = AdminClient.operator().get("/metrics").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("cloudpark_sip_application_sessions ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no cloudpark_sip_application_sessions in /metrics:\n" + metrics);
    }

    /**
     * Waits until the gauge is back at {@code idle} or below: the server has released what the flows used. Fails with
     * the count it stayed at after {@code timeoutMs}.
     */
    public static void awaitBackTo(long idle, long timeoutMs, String what) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long live = now();
        while (live > idle && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            live = now();
        }
        long left = live;
        assertTrue(left <= idle, () -> what + ": sessions " + idle + " -> " + left + " after " + timeoutMs + " ms");
    }
}
