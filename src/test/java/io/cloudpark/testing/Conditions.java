package io.cloudpark.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a state another thread reaches and announces nothing about, such as a server thread queueing for a
 * call lock ({@code Leg.contended()}): the hooks that drive a race wait on it before they let their side go on.
 */
public final class Conditions {
    private Conditions() {
    }

    /**
     * For a race hook, on the server thread it stops: signals that the flow reached the hook, then waits (at most
     * 10 s) until the test releases it. False if the wait was interrupted.
     */
    public static boolean stopAt(CountDownLatch reached, CountDownLatch release) {
        reached.countDown();
        try {
            release.await(10, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether {@code condition} became true within {@code timeout}, checked every 5 ms. */
    public static boolean holdsWithin(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
