package dev.lockwatch.agent.sites;

/** A class that {@link ClassBytesTest} also defines in loaders of its own, from this class file. */
final class DefinedElsewhere {
    private final Object lock = new Object();

    int locked() {
        synchronized (lock) {
            return 1;
        }
    }
}
