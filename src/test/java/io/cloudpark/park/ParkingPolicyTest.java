package io.cloudpark.park;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ParkingPolicyTest {

    @Test
    void theDefaultsAreValid() {
        assertEquals(List.of(), ParkingPolicy.DEFAULT.violations());
    }

    @Test
    void everyViolationNamesItsField() {
        ParkingPolicy bad = new ParkingPolicy("68", "*6", "*58", 0, 601, 0, RecallPolicy.GROUP_ONLY, 11, List.of(),
                "abc", "http://moh");
        String all = String.join("\n", bad.violations());
        for (String field : List.of("parkCode", "parkTimeoutSeconds", "recallRingSeconds", "maxParkedPerExtension",
                "recallAttempts", "recallGroup", "recallFallback", "musicOnHoldUri")) {
            assertTrue(all.contains(field + ":"), field + " in\n" + all);
        }
    }

    @Test
    void codesMustNotShadowEachOther() {
        ParkingPolicy clash = new ParkingPolicy("*6", "*68", "*58", 45, 30, 5, RecallPolicy.PARKER_ONLY, 1, List.of(),
                null, null);
        assertEquals(1, clash.violations().size(), clash.violations().toString());
    }
}
