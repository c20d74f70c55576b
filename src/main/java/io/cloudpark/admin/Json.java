package io.cloudpark.admin;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON in and out of the admin servlets. */
final class Json {
    /** The largest request body read; anything larger is refused with 413 before it is parsed. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Json() {
    }

    static ObjectNode object(HttpServletRequest request) throws ApiError, IOException {
        if (request.getContentLength() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        byte[] bytes = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("body", "not valid JSON (one object, nothing after it, each field once)");
        }
        if (node == null || !node.isObject()) {
            throw ApiError.badRequest("body", "must be a JSON object");
        }
        return (ObjectNode) node;
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "too_large", "body: at most " + MAX_BODY_BYTES + " bytes");
    }

    static void write(HttpServletResponse response, int status, Object value) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        MAPPER.writeValue(response.getOutputStream(), value);
    }

    static void error(HttpServletResponse response, int status, String error, String detail) throws IOException {
        write(response, status, Map.of("error", error, "detail", detail));
    }

    static void error(HttpServletResponse response, ApiError e) throws IOException {
        if (e.headerName != null) {
            response.setHeader(e.headerName, e.headerValue);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error);
        body.put("detail", e.getMessage());
        if (e.field != null) {
            body.put("field", e.field);
        }
        write(response, e.status, body);
    }
}
