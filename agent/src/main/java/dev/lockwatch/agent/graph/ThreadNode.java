package dev.lockwatch.agent.graph;

/** A thread as the wait-for graph sees it. */
public record ThreadNode(long id, String name, boolean virtual) {
}
