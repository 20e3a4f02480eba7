package dev.lockwatch.demo;

/** One situation the demo can stage, chosen by name on the command line. */
interface Scenario {

    /** The command-line name, e.g. {@code monitor-abba}. */
    String name();

    /** One line for {@code list}. */
    String description();

    /**
     * Stages the scenario and prints its last line ({@code demo: <name>: done...}). Returns once {@code end} has
     * passed; the caller then exits the JVM, because stuck threads never finish on their own.
     */
    void run(Deadline end) throws InterruptedException;
}
