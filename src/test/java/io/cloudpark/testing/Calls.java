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
}
