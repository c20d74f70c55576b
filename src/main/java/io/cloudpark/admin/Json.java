package io.cloudpark.admin;

import java.io.IOException;
import java.util.Map;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON in and out of the admin servlets. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object(HttpServletRequest request) throws ApiError, IOException {
        JsonNode node;
        try {
            node = MAPPER.readTree(request.getInputStream());
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("body", "not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw ApiError.badRequest("body", "must be a JSON object");
        }
        return (ObjectNode) node;
    }

    static void write(HttpServletResponse response, int status, Object value) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        MAPPER.writeValue(response.getOutputStream(), value);
    }

    static void error(HttpServletResponse response, int status, String error, String detail) throws IOException {
        write(response, status, Map.of("error", error, "detail", detail));
    }
}
