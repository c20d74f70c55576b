package io.cloudpark.park;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cloudpark.park.RecallPlan.Step;

class RecallPlanTest {

    private static ParkingPolicy policy(RecallPolicy recall, int attempts, List<String> group, String fallback) {
        ParkingPolicy d = ParkingPolicy.DEFAULT;
        return new ParkingPolicy(d.parkCode(), d.retrieveCode(), d.groupParkCode(), 45, 20, 5, recall, attempts, group,
                fallback, null);
    }

    @Test
    void parkerOnlyRingsTheParkerAgainAfterTenSeconds() {
        assertEquals(List.of(new Step(List.of("101"), 20, 0), new Step(List.of("101"), 20, 10), new Step(List.of("101"), 20, 10)),
                RecallPlan.steps(policy(RecallPolicy.PARKER_ONLY, 3, List.of(), null), "101"));
    }

    @Test
    void parkerThenGroupThenFallback() {
        assertEquals(List.of(new Step(List.of("101"), 20, 0), new Step(List.of("201", "202"), 20, 0),
                        new Step(List.of("201", "202"), 20, 10), new Step(List.of("300"), 20, 0)),
                RecallPlan.steps(policy(RecallPolicy.PARKER_THEN_GROUP, 2, List.of("201", "202"), "300"), "101"));
    }

    @Test
    void groupOnlyNeverRingsTheParker() {
        assertEquals(List.of(new Step(List.of("201"), 20, 0)),
                RecallPlan.steps(policy(RecallPolicy.GROUP_ONLY, 1, List.of("201"), null), "101"));
    }

    @Test
    void withoutAParkerExtensionOnlyTheOthersAreRung() {
        assertEquals(List.of(new Step(List.of("300"), 20, 0)),
                RecallPlan.steps(policy(RecallPolicy.PARKER_ONLY, 2, List.of(), "300"), null));
    }
}
