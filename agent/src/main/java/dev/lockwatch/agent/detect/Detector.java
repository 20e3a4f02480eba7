package dev.lockwatch.agent.detect;

import java.util.List;

/**
 * One kind of finding, looked for in each check's sample. Detectors run in order and see what the earlier ones
 * found (a thread in a deadlock is not also reported as hung, nor as blocking while holding a lock).
 */
public interface Detector {
    void find(Sample sample, List<Finding> findings);
}
