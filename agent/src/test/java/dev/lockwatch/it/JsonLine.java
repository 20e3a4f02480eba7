package dev.lockwatch.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for one line of JSON (RFC 8259), for tests: no JSON library is on the class path. The whole
 * line must be exactly one object; raw control characters inside strings, trailing commas, single quotes,
 * unknown escapes and anything after the object are errors. Objects become {@link LinkedHashMap}s (key order
 * kept; a repeated key is an error), arrays {@link List}s, numbers {@link Double}s.
 */
public final class JsonLine {
    private final String s;
    private int i;

    private JsonLine(String s) {
        this.s = s;
    }

    /** The object the line holds; throws {@link IllegalArgumentException} when it is not exactly one object. */
    public static Map<String, Object> parseObject(String line) {
        JsonLine p = new JsonLine(line);
        p.space();
        if (p.peek() != '{') {
            throw p.error("an object must start the line");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) p.value();
        p.space();
        if (p.i != line.length()) {
            throw p.error("text after the object");
        }
        return object;
    }

    /**
     * The key-value pairs of a Logback JsonEncoder line ({@code "kvpList": [{"k":"v"}, ...]}) as one map;
     * empty when the line has none.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, String> keyValues(Map<String, Object> line) {
        Map<String, String> kv = new LinkedHashMap<>();
        Object list = line.get("kvpList");
        if (list == null) {
            return kv;
        }
        for (Object pair : (List<Object>) list) {
            Map<String, Object> one = (Map<String, Object>) pair;
            if (one.size() != 1) {
                throw new IllegalArgumentException("a kvpList entry with " + one.size() + " keys: " + one);
            }
            one.forEach((k, v) -> {
                if (kv.put(k, (String) v) != null) {
                    throw new IllegalArgumentException("key " + k + " twice in kvpList");
                }
            });
        }
        return kv;
    }

    private Object value() {
        space();
        char c = peek();
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected '" + c + "'");
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        space();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw error("a key must be a string");
            }
            String key = string();
            space();
            expect(':');
            Object v = value();
            if (m.containsKey(key)) {
                throw error("key '" + key + "' twice");
            }
            m.put(key, v);
            space();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw error("expected , or }");
            }
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        i++;
        space();
        if (peek() == ']') {
            i++;
            return list;
        }
        while (true) {
            list.add(value());
            space();
            char c = next();
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw error("expected , or ]");
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("raw control character " + (int) c + " in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    sb.append(e);
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'u':
                    if (i + 4 > s.length()) {
                        throw error("short unicode escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad unicode escape");
                    }
                    i += 4;
                    break;
                default:
                    throw error("bad escape \\" + e);
            }
        }
    }

    private Double number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') {
                i++;
            }
        } else {
            throw error("bad number");
        }
        if (peek() == '.') {
            i++;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            digits();
        }
        return Double.valueOf(s.substring(start, i));
    }

    private void digits() {
        if (!(peek() >= '0' && peek() <= '9')) {
            throw error("digit expected");
        }
        while (peek() >= '0' && peek() <= '9') {
            i++;
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) {
            throw error("expected " + word);
        }
        i += word.length();
        return v;
    }

    private void space() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
            i++;
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private char next() {
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(i++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at " + i + " in: " + s);
    }
}
