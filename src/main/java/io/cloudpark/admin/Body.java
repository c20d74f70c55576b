package io.cloudpark.admin;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.cloudpark.tenant.Extension;

/**
 * A JSON request body that names only the fields a resource has: an unknown field is a 400, never silently
 * ignored, so a misspelt setting ({@code parkTimeout}) cannot look accepted. Getters check type and size.
 */
final class Body {
    /** Names, display names and other free text: long enough for people, short enough for a list page. */
    static final int MAX_TEXT = 200;

    private final ObjectNode node;

    private Body(ObjectNode node) {
        this.node = node;
    }

    static Body of(ObjectNode node, Set<String> allowed) throws ApiError {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiError.badRequest(name, "unknown field (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return new Body(node);
    }

    boolean has(String field) {
        return node.has(field);
    }

    /** A string of at most {@code maxLength} characters, trimmed; null when absent or null and not required. */
    String text(String field, boolean required, int maxLength) throws ApiError {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiError.badRequest(field, "is required");
            }
            return null;
        }
        if (!value.isTextual() || (required && value.asText().isBlank())) {
            throw ApiError.badRequest(field, "must be a non-empty string");
        }
        String text = value.asText().trim();
        if (text.length() > maxLength) {
            throw ApiError.badRequest(field, "at most " + maxLength + " characters");
        }
        return text;
    }

    /**
     * A password, exactly as sent: not trimmed, since a phone or a browser sends its spaces too. Null when absent and
     * not required.
     */
    String password(String field, boolean required, int maxLength) throws ApiError {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiError.badRequest(field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.badRequest(field, "must be a string");
        }
        if (value.asText().length() > maxLength) {
            throw ApiError.badRequest(field, "at most " + maxLength + " characters");
        }
        return value.asText();
    }

    int integer(String field, int fallback) throws ApiError {
        JsonNode value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isInt()) {
            throw ApiError.badRequest(field, "must be a whole number");
        }
        return value.asInt();
    }

    boolean bool(String field) throws ApiError {
        JsonNode value = node.get(field);
        if (value == null || !value.isBoolean()) {
            throw ApiError.badRequest(field, "must be true or false");
        }
        return value.booleanValue();
    }

    <E extends Enum<E>> E choice(String field, Class<E> type) throws ApiError {
        String value = text(field, true, 64);
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(field, "must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    /** A JSON array of some of {@code allowed}, each at most once, at least one. */
    List<String> choices(String field, List<String> allowed) throws ApiError {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray() || value.isEmpty()) {
            throw ApiError.badRequest(field, "must be a non-empty array of " + allowed);
        }
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual() || !allowed.contains(item.asText()) || out.contains(item.asText())) {
                throw ApiError.badRequest(field, "must list each at most once, of " + allowed);
            }
            out.add(item.asText());
        }
        return out;
    }

    /** A JSON array of canonical extension numbers (strings), each at most once; empty when absent or null. */
    List<String> extensions(String field) throws ApiError {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw ApiError.badRequest(field, "must be an array of extension numbers");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual() || !Extension.CANONICAL_NUMBER.matcher(item.asText()).matches()) {
                throw ApiError.badRequest(field, "must be an array of extension numbers as strings; each "
                        + Extension.CANONICAL_RULE);
            }
            if (out.contains(item.asText())) {
                throw ApiError.badRequest(field, "names " + item.asText() + " twice");
            }
            out.add(item.asText());
        }
        return out;
    }
}
