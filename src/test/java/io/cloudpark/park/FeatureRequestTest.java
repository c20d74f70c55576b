package io.cloudpark.park;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class FeatureRequestTest {
    private static final ParkingPolicy CODES = ParkingPolicy.DEFAULT;

    @Test
    void parkCodesNameAnExtensionOrTheParkersOwn() {
        assertEquals(new FeatureRequest.Park(Optional.of("103")), FeatureRequest.parse("*68103", CODES));
        assertEquals(new FeatureRequest.Park(Optional.empty()), FeatureRequest.parse("*68", CODES));
        assertEquals(new FeatureRequest.Park(Optional.empty()), FeatureRequest.parse("*68#", CODES));
        assertEquals(new FeatureRequest.Park(Optional.empty()), FeatureRequest.parse("*68%23", CODES), "# escaped in a URI");
    }

    @Test
    void retrieveAndGroupParkCodes() {
        assertEquals(new FeatureRequest.Retrieve(Optional.of("102")), FeatureRequest.parse("*88102", CODES));
        assertEquals(new FeatureRequest.Retrieve(Optional.empty()), FeatureRequest.parse("*88", CODES));
        assertEquals(new FeatureRequest.GroupPark(), FeatureRequest.parse("*58", CODES));
    }

    @Test
    void whatFollowsACodeMustBeAnExtension() {
        assertInstanceOf(FeatureRequest.Malformed.class, FeatureRequest.parse("*68abc", CODES));
        assertInstanceOf(FeatureRequest.Malformed.class, FeatureRequest.parse("*6812345678901", CODES));
        assertInstanceOf(FeatureRequest.Malformed.class, FeatureRequest.parse("*58102", CODES));
    }

    @Test
    void ordinaryNumbersAreNoFeature() {
        assertEquals(new FeatureRequest.None(), FeatureRequest.parse("102", CODES));
        assertEquals(new FeatureRequest.None(), FeatureRequest.parse(null, CODES));
    }

    @Test
    void codesAreTheTenantsOwn() {
        ParkingPolicy custom = new ParkingPolicy("*70", "*71", "*72", 45, 30, 5, RecallPolicy.PARKER_ONLY, 1,
                java.util.List.of(), null, null);
        assertEquals(new FeatureRequest.Park(Optional.of("5")), FeatureRequest.parse("*705", custom));
        assertEquals(new FeatureRequest.None(), FeatureRequest.parse("*68103", custom));
    }
}
