package dev.lockwatch.agent.report;

/** One key-value pair of an event; every value is a string (Logback's JsonEncoder writes every value as a string). */
public record Field(String key, String value) {
}
