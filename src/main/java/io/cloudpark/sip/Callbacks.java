package io.cloudpark.sip;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

/** Binds the answer to a request we send to the code that waits for it: the ladder's next step. */
final class Callbacks {
    private static final String ATTRIBUTE = "cloudpark.callback";

    @FunctionalInterface
    interface OnResponse {
        void accept(SipServletResponse response) throws Exception;
    }

    private Callbacks() {
    }

    static void onResponse(SipServletRequest request, OnResponse callback) {
        request.setAttribute(ATTRIBUTE, callback);
    }

    static OnResponse of(SipServletResponse response) {
        SipServletRequest request = response.getRequest();
        return request == null ? null : (OnResponse) request.getAttribute(ATTRIBUTE);
    }
}
