package dev.lockwatch.agent.graph;

/**
 * A strongly connected set of locks: each reaches every other through orders, so every order between two of
 * them lies on a cycle. A lock on no cycle is a component of its own.
 *
 * <p>{@link #rank} places the component in a topological order of components: every order between two
 * different components goes from the lower rank to the higher. Ranks are distinct but need not be contiguous.
 */
final class Component {
    long rank;
    int size;
    /** Any member: the entry into the members' circular list ({@link LockNode#nextMember}). */
    LockNode anyMember;
    /** Epochs of the last forward and backward searches that reached this component. */
    long forwardSeen;
    long backwardSeen;

    /** A component of the one lock {@code only}, which must not be in another component's member list. */
    Component(long rank, LockNode only) {
        this.rank = rank;
        this.size = 1;
        this.anyMember = only;
        only.component = this;
        only.nextMember = only;
    }
}
