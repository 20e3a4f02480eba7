package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;

/**
 * Copies the live state into an immutable {@link Sample}. The detectors only see samples, so they are tested with
 * hand-built ones; {@link LiveSampler} reads the registry and the JVM.
 */
public interface Sampler {
    Sample sample();

    /**
     * Reads every wait of the cycle again: confirmed when each waiter is still in the same wait episode and still
     * waits for the same holder (then the threads all waited at once, and none could have released anything in
     * between), so a cycle stitched together from reads at different moments is never reported.
     */
    boolean confirm(Cycle cycle);
}
