package dev.lockwatch.agent.alert;

import java.nio.file.Path;

/** What an {@link Action} does beyond the event: carried out by the operations side. */
public interface Actions {
    /** Writes a full thread dump for the event; returns where it went. */
    Path dump(Event event, Path directory) throws Exception;

    /** Flushes what was logged and halts the JVM; does not return. */
    void halt(int code);
}
