package io.cloudpark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CompletableFuture;

/** Call set-ups the scenarios share. */
public final class Calls {
    private Calls() {
    }

    /** A talking to B: {@code [0]} is A's view of the call, {@code [1]} B's. */
    public record Connected(Call caller, Call callee) { }

    public static Connected connect(TestPhone caller, TestPhone callee) {
        CompletableFuture<Call> placed = CompletableFuture.supplyAsync(() -> caller.call(callee.extension()));
        SipMessage invite = callee.awaitRequest("INVITE");
        Call answered = callee.answer(invite);
        Call call = placed.join();
        assertEquals(200, call.status(), call.answer().toString());
        return new Connected(call, answered);
    }

    /** Places {@code requestUri} (a feature code) and waits for the final answer, ACKed. */
    public static Call dial(TestPhone phone, String user) {
        return phone.call(user);
    }

    public static CompletableFuture<Call> dialAsync(TestPhone phone, String user) {
        return CompletableFuture.supplyAsync(() -> phone.call(user));
    }

    /** A park done: the conversation it came from, and the park-info the parker's devices got. */
    public record Parked(Connected talk, ParkInfoDocument info) { }

    /** The client calls the parker, who parks it at their own extension ({@code *68}) and hangs up. */
    public static Parked parkAtSelf(TestTenant tenant, TestPhone parker, TestPhone client) {
        Connected talk = connect(client, parker);
        assertEquals(202, talk.callee().refer("sip:*68@" + tenant.domain()).status());
        client.awaitRequest("INVITE");
        ParkInfoDocument info = ParkInfoDocument.of(parker.awaitRequest("NOTIFY", 5000, "park-info"));
        talk.callee().bye();
        return new Parked(talk, info);
    }

    /** The client calls the parker, who parks it at {@code extension} and hangs up once the transfer reports 200. */
    public static Connected parkAt(TestTenant tenant, TestPhone parker, TestPhone client, String extension) {
        Connected talk = connect(client, parker);
        assertEquals(202, talk.callee().refer("sip:*68" + extension + "@" + tenant.domain()).status());
        client.awaitRequest("INVITE");
        String outcome = finalSipfrag(parker);
        if (!outcome.startsWith("SIP/2.0 200")) {
            throw new AssertionError("park at " + extension + " failed: " + outcome);
        }
        talk.callee().bye();
        return talk;
    }

    /** The body of the refer NOTIFY that ends a transfer (the one after 100 Trying). */
    public static String finalSipfrag(TestPhone parker) {
        while (true) {
            SipMessage notify = parker.awaitRequest("NOTIFY", 10000, "refer");
            if (notify.header("Subscription-State").startsWith("terminated")) {
                return notify.body();
            }
        }
    }
}
